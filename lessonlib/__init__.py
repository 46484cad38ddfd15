"""lessonlib: the NumPy engine of the course "Why deep networks are hard to train".

    from lessonlib import MLP, Adam, SGD, descend
    from lessonlib.data import load_iris
"""
from . import connections, data, gradcheck, layers, optim
from ._blas import single_thread
from .gradcheck import rel_error
from .layers import (BatchNorm, Dropout, LeakyReLU, Linear, ReLU, Sigmoid, SoftmaxCrossEntropy,
                     Tanh)
from .models import MLP, History
from .optim import SGD, Adagrad, Adam, RMSProp, descend

__all__ = ["MLP", "History", "SGD", "Adagrad", "RMSProp", "Adam", "descend", "rel_error",
           "Linear", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "BatchNorm", "Dropout",
           "SoftmaxCrossEntropy", "single_thread", "connections", "data", "gradcheck", "layers",
           "optim"]
__version__ = "0.1.0"
