"""Speed benchmark of lessonlib's MLP against scikit-learn, PyTorch and a NumPy matmul floor.

Prints ratios and PASS/MISS against the speed goals; it is not a test and never fails a build.
Run it in the benchmark venv (see bench/README.md), with OpenBLAS' core-type overrides unset:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE bench/.venv-bench/bin/python bench/bench_speed.py

    --quick         one round and fewer epochs: a smoke test of the script, not a measurement.
    --deep-seeds    the seeds of the deep residual runs, e.g. 0,1,2 (default 0).
    --deep-torch    also run each deep run in PyTorch from the same weights and batches.
"""
import argparse
import os
import platform
import sys
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import lessonlib
from lessonlib import MLP, Adam
from lessonlib.data import load_iris

GOAL_VS_SKLEARN = 0.65      # lessonlib time / scikit-learn time
GOAL_VS_TORCH = 0.75        # lessonlib time / PyTorch time
GOAL_DEEP_SECONDS = 15.0    # residual MLP(4, [10]*1000, 3) on iris, 100 epochs
GOAL_DEEP_ACCURACY = 0.9
GOAL_TRAIN_ACCURACY = 0.9   # sanity: every digits model must learn

HIDDEN = (256, 256)
LR = 1e-3
BATCH = 32


# ----- data -------------------------------------------------------------------------------------
def load_digits():
    """(X float64 in [0, 1], y int64) for all 1797 digits; lessonlib's loader when it exists."""
    loader = getattr(lessonlib.data, "load_digits", None)
    if loader is not None:
        try:
            out = loader()
            X, y = (out.data, out.target) if hasattr(out, "data") else out[:2]
            X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.int64)
            if X.shape == (1797, 64) and X.max() <= 1.0:
                return X, y, "lessonlib.data.load_digits()"
        except Exception:       # a loader still being written: fall back to scikit-learn
            pass
    from sklearn.datasets import load_digits as sk_load_digits
    d = sk_load_digits()
    return d.data.astype(np.float64) / 16.0, d.target.astype(np.int64), \
        "sklearn.datasets.load_digits() / 16"


# ----- the three digits runs ----------------------------------------------------------------------
def run_lessonlib(X, y, epochs):
    model = MLP(X.shape[1], list(HIDDEN), 10, activation="relu", init="he", seed=0)
    opt = Adam(lr=LR)
    t0 = time.perf_counter()
    model.fit(X, y, opt, epochs=epochs, batch_size=BATCH)
    seconds = time.perf_counter() - t0
    return seconds, model.score(X, y)


def run_sklearn(X, y, epochs):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    clf = MLPClassifier(hidden_layer_sizes=HIDDEN, activation="relu", solver="adam",
                        learning_rate_init=LR, batch_size=BATCH, max_iter=epochs, alpha=0.0,
                        shuffle=True, tol=0, n_iter_no_change=10**9, early_stopping=False,
                        random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t0 = time.perf_counter()
        clf.fit(X, y)
        seconds = time.perf_counter() - t0
    return seconds, float(clf.score(X, y))


def run_torch(X, y, epochs):
    import torch
    from torch import nn
    torch.set_num_threads(1)
    torch.manual_seed(0)
    Xt = torch.from_numpy(X)                    # float64, as the others
    yt = torch.from_numpy(y)
    model = nn.Sequential(nn.Linear(X.shape[1], HIDDEN[0]), nn.ReLU(),
                          nn.Linear(HIDDEN[0], HIDDEN[1]), nn.ReLU(),
                          nn.Linear(HIDDEN[1], 10)).to(torch.float64)
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=LR, betas=(0.9, 0.999), eps=1e-8)
    n = len(Xt)
    t0 = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(n)
        for start in range(0, n, BATCH):
            idx = perm[start:start + BATCH]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        acc = float((model(Xt).argmax(dim=1) == yt).double().mean())
    return seconds, acc


def run_floor(X, epochs):
    """The same run's matrix multiplications alone: forward and backward of every batch."""
    rng = np.random.default_rng(0)
    n, d_in = X.shape
    h1, h2, k = HIDDEN[0], HIDDEN[1], 10
    W1, W2, W3 = (rng.standard_normal(s) for s in ((d_in, h1), (h1, h2), (h2, k)))
    sizes = [min(BATCH, n - s) for s in range(0, n, BATCH)]
    batches = []
    for m in sorted(set(sizes)):
        batches.append((m, dict(
            xb=rng.standard_normal((m, d_in)), a1=np.empty((m, h1)), a2=np.empty((m, h2)),
            z3=np.empty((m, k)), d3=rng.standard_normal((m, k)), d2=rng.standard_normal((m, h2)),
            d1=rng.standard_normal((m, h1)), dx3=np.empty((m, h2)), dx2=np.empty((m, h1)))))
    by_size = dict(batches)
    gW1, gW2, gW3 = np.empty_like(W1), np.empty_like(W2), np.empty_like(W3)
    mm = np.matmul
    t0 = time.perf_counter()
    for _ in range(epochs):
        for m in sizes:
            b = by_size[m]
            mm(b["xb"], W1, out=b["a1"])            # forward
            mm(b["a1"], W2, out=b["a2"])
            mm(b["a2"], W3, out=b["z3"])
            mm(b["a2"].T, b["d3"], out=gW3)         # backward, layer 3
            mm(b["d3"], W3.T, out=b["dx3"])
            mm(b["a1"].T, b["d2"], out=gW2)         # layer 2
            mm(b["d2"], W2.T, out=b["dx2"])
            mm(b["xb"].T, b["d1"], out=gW1)         # layer 1: dW only
    return time.perf_counter() - t0


# ----- deep residual workload ---------------------------------------------------------------------
DEEP_DEPTH, DEEP_WIDTH, DEEP_BATCH = 1000, 10, 20


def run_deep(epochs, seed):
    """lessonlib's deep residual run: (construction s, fit s, test accuracy, History)."""
    X_train, y_train, X_test, y_test = load_iris(seed=0)
    t0 = time.perf_counter()
    model = MLP(4, [DEEP_WIDTH] * DEEP_DEPTH, 3, connection="residual", seed=seed)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    hist = model.fit(X_train, y_train, Adam(lr=LR), epochs=epochs, batch_size=DEEP_BATCH,
                     seed=seed)
    seconds = time.perf_counter() - t0
    return build, seconds, model.score(X_test, y_test), hist


def run_deep_torch(epochs, seed):
    """The same run in PyTorch from lessonlib's initial weights, on lessonlib's batches (same
    permutations): whether the outcome belongs to the configuration or to our code.
    Returns (fit s, test accuracy, mean loss per epoch)."""
    import torch
    from lessonlib.data import batch_indices
    X_train, y_train, X_test, y_test = load_iris(seed=0)
    init = MLP(4, [DEEP_WIDTH] * DEEP_DEPTH, 3, connection="residual", seed=seed).params
    n_fc = DEEP_DEPTH + 1
    Ws = [torch.tensor(init[f"fc{i}_weight"], requires_grad=True) for i in range(1, n_fc + 1)]
    bs = [torch.tensor(init[f"fc{i}_bias"], requires_grad=True) for i in range(1, n_fc + 1)]
    opt = torch.optim.Adam(Ws + bs, lr=LR, betas=(0.9, 0.999), eps=1e-8)

    def forward(x):
        r = torch.relu(x @ Ws[0] + bs[0])
        for W, b in zip(Ws[1:-1], bs[1:-1]):
            r = r + torch.relu(r @ W + b)
        return r @ Ws[-1] + bs[-1]

    X, y = torch.from_numpy(X_train), torch.from_numpy(y_train)
    rng = np.random.default_rng(seed)           # as MLP.fit(seed=seed) draws its batches
    losses = np.zeros(epochs)
    t0 = time.perf_counter()
    for epoch in range(epochs):
        for idx in batch_indices(len(X_train), DEEP_BATCH, rng):
            idx = torch.from_numpy(idx)
            opt.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(forward(X[idx]), y[idx])
            loss.backward()
            opt.step()
            losses[epoch] += loss.item() * len(idx)
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        pred = forward(torch.from_numpy(X_test)).argmax(dim=1).numpy()
    return seconds, float(np.mean(pred == y_test)), losses / len(X_train)


def report_deep(epochs, seeds, with_torch, quick):
    print(f"\n== deep residual: iris (unscaled, load_iris(seed=0): 100 train / 50 test), "
          f"MLP(4, [{DEEP_WIDTH}]*{DEEP_DEPTH}, 3, connection='residual', seed=s), Adam lr "
          f"{LR:g}, batch {DEEP_BATCH}, {epochs} epochs, fit(seed=s)"
          + ("  [--quick: indicative only]" if quick else ""))
    scale = 100 / epochs
    learned = 0
    for seed in seeds:
        build, seconds, acc, hist = run_deep(epochs, seed)
        learned += acc >= GOAL_DEEP_ACCURACY
        time_note = (f"-> ~{seconds * scale:.1f} s for 100 epochs" if quick else
                     verdict(seconds <= GOAL_DEEP_SECONDS))
        acc_note = "(quick: too few epochs)" if quick else verdict(acc >= GOAL_DEEP_ACCURACY)
        print(f"  seed {seed}: fit {seconds:6.2f} s (goal <= {GOAL_DEEP_SECONDS:g} s) {time_note};"
              f"  test accuracy {acc:.2f} (goal >= {GOAL_DEEP_ACCURACY}) {acc_note}"
              + ("  DIVERGED" if hist.diverged else "") + f";  construction {build:.2f} s")
        if with_torch:
            t_seconds, t_acc, t_loss = run_deep_torch(epochs, seed)
            n = min(len(t_loss), len(hist.loss))
            print(f"          PyTorch, same initial weights and batches: fit {t_seconds:6.2f} s "
                  f"(lessonlib / PyTorch {seconds / t_seconds:.2f}), test accuracy {t_acc:.2f}, "
                  f"largest |loss difference| over the epochs "
                  f"{np.max(np.abs(t_loss[:n] - hist.loss[:n])):.1e}")
    if len(seeds) > 1 and not quick:
        print(f"  learned (test accuracy >= {GOAL_DEEP_ACCURACY}) with {learned} of {len(seeds)} "
              "seeds")


# ----- reporting ------------------------------------------------------------------------------------
def verdict(ok):
    return "PASS" if ok else "MISS"


def print_environment():
    print("== environment")
    print(f"python {platform.python_version()}  numpy {np.__version__}  "
          f"lessonlib {lessonlib.__version__} ({os.path.dirname(lessonlib.__file__)})")
    try:
        import sklearn
        import threadpoolctl
        import torch
        print(f"scikit-learn {sklearn.__version__}  torch {torch.__version__}  "
              f"threadpoolctl {threadpoolctl.__version__}")
    except ImportError as exc:
        print(f"missing benchmark dependency: {exc}")
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(f"cpu: {cpu}, {os.cpu_count()} logical cores")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS",
                "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        value = os.environ.get(var)
        print(f"  {var:21s} {'not set' if value is None else 'SET = ' + repr(value)}")
    if os.environ.get("OPENBLAS_CORETYPE") or os.environ.get("OPENBLAS_L2_SIZE"):
        print("  WARNING: OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set: numpy's OpenBLAS runs a "
              "slower kernel. Run with `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ...`.")
    print("thread pools (inside threadpool_limits(1)):")
    for pool in threadpool_info():
        print(f"  {pool.get('user_api')}/{pool.get('internal_api')} {pool.get('version')} "
              f"arch={pool.get('architecture', '-')} threads={pool.get('num_threads')} "
              f"{os.path.basename(pool.get('filepath', ''))}")


def seed_list(text):
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seeds such as 0,1,2; got {text!r}") from None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="1 round, fewer epochs: smoke-test the script")
    parser.add_argument("--skip-deep", action="store_true",
                        help="skip the deep residual workload")
    parser.add_argument("--deep-seeds", type=seed_list, default=[0], metavar="S,S,...",
                        help="seeds of the deep residual runs (default 0)")
    parser.add_argument("--deep-torch", action="store_true",
                        help="rerun each deep run in PyTorch from the same initial weights and "
                             "batches (about 2 minutes a seed)")
    args = parser.parse_args(argv)
    rounds, epochs, deep_epochs = (1, 2, 5) if args.quick else (5, 8, 100)

    # Load every library with a thread pool first (scikit-learn brings SciPy's own OpenBLAS,
    # torch its MKL and OpenMP): threadpool_limits only reaches the libraries already loaded.
    import scipy.linalg  # noqa: F401
    import sklearn.datasets  # noqa: F401
    import sklearn.neural_network  # noqa: F401
    import torch
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)

    with threadpool_limits(limits=1):
        print_environment()
        X, y, source = load_digits()
        print(f"\n== digits: {source}, X {X.shape} {X.dtype}, network 64-{HIDDEN[0]}-"
              f"{HIDDEN[1]}-10 ReLU, Adam lr {LR:g}, batch {BATCH}, {epochs} epochs, "
              f"best of {rounds} (interleaved)" + ("  [--quick: indicative only]" if args.quick
                                                    else ""))
        runners = {"lessonlib": run_lessonlib, "scikit-learn": run_sklearn, "pytorch": run_torch}
        times = {name: [] for name in runners}
        accs = {}
        times["floor"] = []
        for _ in range(rounds):
            for name, run in runners.items():
                seconds, acc = run(X, y, epochs)
                times[name].append(seconds)
                accs[name] = acc
            times["floor"].append(run_floor(X, epochs))
        best = {name: min(ts) for name, ts in times.items()}

        print(f"\n{'run':14s} {'best s':>8s} {'all rounds (s)':s}")
        for name, ts in times.items():
            print(f"{name:14s} {best[name]:8.3f}  " + " ".join(f"{t:.3f}" for t in ts))
        r_sk = best["lessonlib"] / best["scikit-learn"]
        r_pt = best["lessonlib"] / best["pytorch"]
        r_fl = best["lessonlib"] / best["floor"]
        print(f"\n{'ratio':28s} {'value':>6s}  goal     result")
        print(f"{'lessonlib / scikit-learn':28s} {r_sk:6.2f}  <= {GOAL_VS_SKLEARN:.2f}  "
              f"{verdict(r_sk <= GOAL_VS_SKLEARN)}")
        print(f"{'lessonlib / pytorch':28s} {r_pt:6.2f}  <= {GOAL_VS_TORCH:.2f}  "
              f"{verdict(r_pt <= GOAL_VS_TORCH)}")
        print(f"{'lessonlib / matmul floor':28s} {r_fl:6.2f}  (1.00 = nothing but the matmuls)")
        print(f"{'scikit-learn / floor':28s} {best['scikit-learn'] / best['floor']:6.2f}")
        print(f"{'pytorch / floor':28s} {best['pytorch'] / best['floor']:6.2f}")

        print(f"\nsanity: training accuracy after {epochs} epochs (same work done; goal > "
              f"{GOAL_TRAIN_ACCURACY})")
        for name, acc in accs.items():
            ok = acc > GOAL_TRAIN_ACCURACY
            print(f"  {name:14s} {acc:.4f}  {verdict(ok) if not args.quick else '(quick)'}")

        if not args.skip_deep:
            report_deep(deep_epochs, args.deep_seeds, args.deep_torch, args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
