"""The plots floor: matplotlib only (never ipywidgets). Each function draws onto a given Axes
and returns the artists it made, so an explorer can change their data instead of redrawing.

``style`` holds what every lesson shares (figure size, palette, paths, decision maps, loss and
gradient curves, log axes, layer colours, ``show``); its names are available here as
``plots.<name>``. Each lesson's own figures are in ``plots.lNN_<topic>``.
"""
from .style import (CLASS_COLORS, GD_COLOR, PATH_COLOR, class1_proba, decision_map,
                    fit_log_axis, function_with_path, gradient_curves, grid_2d, layer_colors,
                    loss_curve, new_figure, rescale_to_data, set_path, show)

__all__ = ["CLASS_COLORS", "GD_COLOR", "PATH_COLOR", "class1_proba", "decision_map",
           "fit_log_axis", "function_with_path", "gradient_curves", "grid_2d", "layer_colors",
           "loss_curve", "new_figure", "rescale_to_data", "set_path", "show"]
