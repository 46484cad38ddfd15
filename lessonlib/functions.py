"""The toy problems of lessons 01-05, now in ``lessonlib.recipes.toys``; this name stays so that
``from lessonlib.functions import ...`` keeps working."""
from .recipes.toys import (quartic, quartic_grad, sin_logistic_descend, sin_logistic_grad,  # noqa: F401
                           sin_logistic_loss, sin_logistic_proba, sin_logistic_surface, square,
                           square_grad)
