"""Precompute lesson 03's five-seed table: the rings network with ReLU and with sigmoid hidden
layers, seeds 0-4, 2,500 iterations each (about 10 s on one core).

    .venv/bin/python data/make_l03_rings_seeds.py        # from the repository root

Writes ``l03_rings_seeds.npz`` next to this script. Every run is lesson 03's
``recipes.l03_relu.train_rings(activation, (20, 20), 0.1, 0.9, 2500, "normal", seed)``:
``MLP(2, [20, 20], 2, activation, init="normal", seed=seed)`` fitted on ``make_rings()`` (300
points) by full-batch gradient descent with momentum (lr 0.1, 0.9), one iteration per epoch.
Stored: ``activations`` (2,), ``seeds`` (5,) and ``loss`` (2, 5, 2500), the training loss per
iteration; for the ReLU runs after their 2,500 iterations (``recipes.l03_relu.relus_off`` and
``last_layer_off``): ``relu_dead`` (5, 2), the dead units of each hidden layer (0 for every
training point), ``relu_wrong`` (5,), the misclassified training points, ``relu_on_wrong`` (5,),
the units of the second hidden layer that are on for at least one of them, ``relu_all_off``
(5,), the training points where every unit of the second hidden layer is off, and
``relu_all_off_class1`` (5,), how many of those are of class 1, and ``relu_p_off`` (5,), the
network's p(class 1) there (its output bias alone); and their final weights, ``relu_<name>``
(5, ...) for every array of ``model.params`` (``recipes.l03_relu.stored_relu_model`` loads
them). Why precomputed: momentum
amplifies the last bits of the matrix products, which differ between CPUs, so some of these runs
end differently on different machines.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from lessonlib import single_thread  # noqa: E402
from lessonlib.data import make_rings  # noqa: E402
from lessonlib.recipes.l03_relu import last_layer_off, relus_off, train_rings  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ACTIVATIONS = ("relu", "sigmoid")
SEEDS = range(5)
ITERATIONS = 2500


def train(activation, seed, X, y, iterations=ITERATIONS, model=False):
    """The loss per iteration of one run (lesson 03's train_rings with the table's settings);
    (model, loss) with ``model=True``."""
    trained, history = train_rings(activation, (20, 20), 0.1, 0.9, iterations, "normal", seed,
                                   X, y)
    return (trained, history.loss) if model else history.loss


def off_counts(model, X, y):
    """(dead units per hidden layer, misclassified points, second-layer units on for at least
    one of them, points where every second-layer unit is off, how many of those are of class 1,
    p(class 1) there) of a trained ReLU run."""
    dead, wrong, on_wrong = relus_off(model, X, y)
    off = last_layer_off(model, X)
    p_off = model.predict_proba(X[off])[:, 1]
    return dead, wrong, on_wrong, int(off.sum()), int(y[off].sum()), float(p_off.mean())


def main(path=None):
    X, y = make_rings()
    runs = {(act, seed): train(act, seed, X, y, model=True) for act in ACTIVATIONS
            for seed in SEEDS}
    loss = np.array([[runs[act, seed][1] for seed in SEEDS] for act in ACTIVATIONS])
    relu_models = [runs["relu", seed][0] for seed in SEEDS]
    dead, wrong, on_wrong, all_off, all_off_class1, p_off = zip(*(off_counts(model, X, y)
                                                                  for model in relu_models))
    weights = {f"relu_{name}": np.array([model.params[name] for model in relu_models])
               for name in relu_models[0].params}
    np.savez(path or os.path.join(HERE, "l03_rings_seeds.npz"), activations=np.array(ACTIVATIONS),
             seeds=np.array(SEEDS), loss=loss, relu_dead=np.array(dead),
             relu_wrong=np.array(wrong), relu_on_wrong=np.array(on_wrong),
             relu_all_off=np.array(all_off), relu_all_off_class1=np.array(all_off_class1),
             relu_p_off=np.array(p_off), **weights)
    for act, act_runs in zip(ACTIVATIONS, loss):
        print(act, " ".join(f"{run[-1]:.4f}" for run in act_runs))
    print("relu dead per layer", np.array(dead).tolist(), "wrong", wrong, "on wrong", on_wrong,
          "all off", all_off, "of class 1", all_off_class1, "p there", np.round(p_off, 3))


if __name__ == "__main__":
    with single_thread():
        main()
