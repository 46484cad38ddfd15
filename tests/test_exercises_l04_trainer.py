"""Lesson 04's trainer exercise (the notes' exercise 3 in full): the rings MLP trained with
mini-batches and momentum by the learner's own loop. Any order drawn from the given rng passes;
the batching slips are named."""
import numpy as np

from lessonlib.exercises._training import RecordingGenerator, orders_from, train_minibatch
from test_exercises_l03_relu import loss_and_grads, momentum_update

EX = train_minibatch


def order_of(rng, n, draw):
    """One epoch's order, drawn the way a learner might."""
    if draw == "permutation":
        return rng.permutation(n)
    if draw == "choice":
        return rng.choice(n, n, replace=False)
    if draw == "shuffle":
        idx = np.arange(n)
        rng.shuffle(idx)
        return idx
    if draw == "permuted":
        return rng.permuted(np.arange(n))
    if draw == "argsort":
        return np.argsort(rng.random(n))
    if draw == "uniform":
        return np.argsort(rng.uniform(size=n))
    if draw == "normal, reversed":
        return np.argsort(rng.standard_normal(n))[::-1]
    if draw == "np.random":
        return np.random.default_rng(12345).permutation(n)   # not the rng it was given
    if draw == "none":
        return np.arange(n)
    raise ValueError(draw)


def learner_minibatch(params, X, y, lr, rho, epochs, batch_size, rng, *, draw="permutation",
                      same_order=False, drop_last=False, divide_by_bs=False, reset=False,
                      replacement=False, per_batch=False, separately=False, per_epoch=False,
                      f32=False, strided=False, form="heavy", grad_by_bs=False, split=False,
                      y_stored=False, take=False, blocks=None, by_n=None, per_point=None,
                      y_order=False, whole=False, off_by_one=None):
    """Mini-batch training as a learner writes it, with the slips given (blocks: "inside",
    each fixed block of consecutive rows shuffled inside; "order", the fixed blocks taken in a
    shuffled order; by_n: "grad", dz3 /= n with n = len(y) of the whole data, kept from lesson
    03's full-batch loop, the loss a mean over the batch; "both", the loss divided by n too;
    per_point: "sum", each batch's rows read one at a time and their gradients averaged, one
    update per batch (right); "update", an update after every point; y_order: y's batches
    from a second order drawn each epoch; whole: the forward and backward pass on all of X and
    y at every update; off_by_one: "start", range(1, n, batch_size), or "slice",
    order[start:start + batch_size - 1])."""
    dtype = np.float32 if f32 else np.float64
    P = {k: np.array(v, dtype=dtype) for k, v in params.items()}
    X = X.astype(dtype)
    V = {k: np.zeros_like(v) for k, v in P.items()}
    n = len(y)
    losses = []
    order = order_of(rng, n, draw)
    for epoch in range(epochs):
        if reset:
            V = {k: np.zeros_like(v) for k, v in P.items()}
        if not same_order and epoch > 0:
            order = order_of(rng, n, draw)
        if blocks:
            order = fixed_blocks(rng, n, batch_size, blocks)
        if y_order:
            order_y = rng.permutation(n)
        Xe, ye = X, y
        if separately:
            Xe, ye = rng.permutation(X), rng.permutation(y)
        stop = n - n % batch_size if drop_last else n
        n_batches = -(-stop // batch_size)
        epoch_losses = []
        for b, start in enumerate(range(1 if off_by_one == "start" else 0, stop, batch_size)):
            if replacement:
                idx = rng.integers(0, n, batch_size)
            elif per_batch == "choice":         # the notes' sampler: a new draw per batch
                idx = rng.choice(n, batch_size, replace=False)
            elif per_batch:
                idx = rng.permutation(n)[:batch_size]
            elif strided:
                idx = order[b::n_batches]
            elif separately:
                idx = np.arange(start, min(start + batch_size, n))
            elif split:
                idx = np.array_split(order, n_batches)[b]
            else:
                idx = order[start:start + batch_size - (off_by_one == "slice")]
            if per_point == "update":       # an update after every point, X[i:i + 1]
                point_losses = []
                for i in idx:
                    loss, grads = loss_and_grads(P, Xe[i:i + 1], ye[i:i + 1])
                    point_losses.append(loss)
                    momentum_update(P, V, grads, lr, rho, form)
                epoch_losses.append(np.mean(point_losses))
                continue
            if per_point:           # the batch's rows read one at a time: X[i:i + 1]
                parts = [loss_and_grads(P, Xe[i:i + 1], ye[i:i + 1]) for i in idx]
                loss = np.mean([part[0] for part in parts])
                grads = {k: sum(g[k] for _, g in parts) / len(idx) for k in P}
                epoch_losses.append(loss)
                momentum_update(P, V, grads, lr, rho, form)
                continue
            Xb = np.take(Xe, idx, axis=0) if take else Xe[idx]
            yb = ye[start:start + len(idx)] if y_stored else ye[idx]
            if y_order:
                yb = ye[order_y[start:start + batch_size]]
            if whole:
                Xb, yb = Xe, ye
            loss, grads = loss_and_grads(P, Xb, yb, batch_size if divide_by_bs else None)
            if grad_by_bs:          # the loss a mean, d loss/d logits = (p - onehot) / batch_size
                grads = loss_and_grads(P, Xb, yb, batch_size)[1]
            if by_n:                # lesson 03's n = len(y): the whole data, not the batch
                loss_n, grads = loss_and_grads(P, Xb, yb, n)
                if by_n == "both":
                    loss = loss_n
            epoch_losses.append(loss)
            momentum_update(P, V, grads, lr, rho, form)
        losses += [np.mean(epoch_losses)] if per_epoch else epoch_losses
    return P, losses


def fixed_blocks(rng, n, batch_size, how):
    """One epoch's order made of the fixed blocks 0..bs-1, bs..2bs-1, ...: shuffled inside
    each block, or the blocks (all but the last, smaller one) taken in a shuffled order."""
    starts = range(0, n, batch_size)
    if how == "inside":
        return np.concatenate([rng.permutation(np.arange(s, min(s + batch_size, n)))
                               for s in starts])
    full = [s for s in starts if s + batch_size <= n]
    order = [np.arange(full[k], full[k] + batch_size) for k in rng.permutation(len(full))]
    return np.concatenate(order + [np.arange(len(full) * batch_size, n)])


def slip(**kw):
    return lambda *a: learner_minibatch(*a, **kw)


def _with_minibatch_indices(params, X, y, lr, rho, epochs, batch_size, rng):
    """Lesson 04's minibatch_indices for the batches; the dict updated in place."""
    V = {k: np.zeros_like(v) for k, v in params.items()}
    losses = []
    for _ in range(epochs):
        perm = rng.permutation(len(y))
        for idx in [perm[s:s + batch_size] for s in range(0, len(y), batch_size)]:
            loss, grads = loss_and_grads(params, X[idx], y[idx])
            losses.append(float(loss))
            for key in params:
                V[key] = rho * V[key] + grads[key]          # the velocity without lr
                params[key] -= lr * V[key]
    return params, losses


def _reshuffle_whole(params, X, y, lr, rho, epochs, batch_size, rng):
    """X, y = X[order], y[order] every epoch (each epoch's order composes with the last), then
    consecutive slices; float32."""
    P = {k: np.asarray(v, dtype=np.float32) for k, v in params.items()}
    X = X.astype(np.float32)
    V = {k: np.zeros_like(v) for k, v in P.items()}
    losses = []
    for _ in range(epochs):
        order = np.argsort(rng.uniform(size=len(y)))
        X, y = X[order], y[order]
        for start in range(0, len(y), batch_size):
            loss, grads = loss_and_grads(P, X[start:start + batch_size],
                                         y[start:start + batch_size])
            losses.append(loss)
            momentum_update(P, V, grads, lr, rho)
    return P, losses


def _plain_x_loop(shuffle, start_stop=None):
    """A right trainer (or, with ``start_stop``, the off-by-one slip) that first makes X a
    plain array, so the checker reads the order from the rng's draws alone. ``shuffle``:
    "whole" (X, y = X[perm], y[perm] every epoch: the orders compose), "in place"
    (X[:] = X[perm], y[:] = y[perm]), "same state" (the generator's state saved, X shuffled,
    the state restored, y shuffled), "sort key" (sorted(range(n), key=lambda _: rng.random()))."""
    def train(params, X, y, lr, rho, epochs, batch_size, rng):
        X, y = np.array(X, dtype=float), np.array(y)
        P = {k: np.array(v, dtype=float) for k, v in params.items()}
        V = {k: np.zeros_like(v) for k, v in P.items()}
        n, losses = len(y), []
        for _ in range(epochs):
            order = np.arange(n)
            if shuffle == "whole":
                perm = rng.permutation(n)
                X, y = X[perm], y[perm]
            elif shuffle == "in place":
                perm = rng.permutation(n)
                X[:], y[:] = X[perm], y[perm]
            elif shuffle == "same state":
                state = rng.bit_generator.state
                rng.shuffle(X)
                rng.bit_generator.state = state
                rng.shuffle(y)
            elif shuffle == "sort key":
                order = np.array(sorted(range(n), key=lambda _: rng.random()))
            stop = n - 1 if start_stop == "n - 1" else n
            for start in range(0, stop, batch_size):
                idx = order[start:start + batch_size]
                loss, grads = loss_and_grads(P, X[idx], y[idx])
                losses.append(loss)
                momentum_update(P, V, grads, lr, rho, "heavy")
        return P, losses
    return train


def test_reference_passes_and_matches_fit():
    from lessonlib import MLP, SGD
    from lessonlib.data import make_rings
    from lessonlib.exercises._training import initial_params, params_of
    assert EX.grade(EX.reference) is None
    X, y = make_rings()
    model = MLP(2, [20, 20], 2, activation="relu", init="normal", seed=0)
    history = model.fit(X, y, SGD(lr=0.05, momentum=0.9), epochs=3, batch_size=20, seed=0,
                        record_batches=True)
    params, losses = EX.reference(initial_params((20, 20), "normal", 0), X, y, 0.05, 0.9, 3, 20,
                                  np.random.default_rng(0))
    np.testing.assert_allclose(losses, history.batch_loss, rtol=1e-10)
    for key, value in params_of(model).items():
        np.testing.assert_allclose(params[key], value, rtol=1e-9, atol=1e-12)


def test_the_recording_generator_is_default_rng_and_notes_each_draw_once():
    rng = RecordingGenerator(7)
    assert isinstance(rng, np.random.Generator) and not rng.advanced
    assert np.array_equal(rng.permutation(6), np.random.default_rng(7).permutation(6))
    idx = np.arange(6)
    rng.shuffle(idx)
    rng.choice(6, 6, replace=False)
    rng.integers(0, 6, 3)
    assert [m for m, _ in rng.draws] == ["permutation", "shuffle", "choice", "integers"]
    orders, others = orders_from(rng.draws, 6)
    assert len(orders) == 3 and others[0][0] == "integers"
    rng = RecordingGenerator(7)
    order = np.argsort(rng.standard_normal(6))
    assert rng.advanced and rng.draws[0][0] == "standard_normal"
    assert np.array_equal(orders_from(rng.draws, 6)[0][0], order)


def test_the_batches_are_read_from_the_rows_taken_from_x():
    from lessonlib.exercises._training import RowLog
    X = np.arange(20.0).reshape(10, 2)
    given = RowLog(X)
    order = np.random.default_rng(1).permutation(10)
    shuffled = given.astype(np.float32)[order]
    parts = [shuffled[s:s + 4] for s in range(0, 10, 4)]
    assert type(parts[0] @ np.ones((2, 3))) is np.ndarray      # arithmetic gives plain arrays
    np.take(given, [3, 1], axis=0)
    batches = given.batches(X)
    assert [b.tolist() for b in batches] == [order[:4].tolist(), order[4:8].tolist(),
                                             order[8:].tolist(), [3, 1]]


def test_a_draw_from_rng_is_never_called_nothing():
    def global_order_but_draws(params, X, y, lr, rho, epochs, batch_size, rng):
        rng.random()                # a draw from rng, but the order comes from np.random
        return learner_minibatch(params, np.asarray(X).copy(), y, lr, rho, epochs, batch_size,
                                 rng, draw="np.random")
    assert "drew nothing" not in EX.grade(global_order_but_draws)


def test_stub_is_not_attempted_and_lesson_runs(capsys):
    def stub(params, X, y, lr, rho, epochs, batch_size, rng):
        raise NotImplementedError("Exercise 4b: write the training loop here")
    EX.check(stub)
    assert len(EX.lesson_runs(stub)) == 1
    assert "not attempted yet" in capsys.readouterr().out
    EX.check(slip(draw="choice"))
    runs = EX.lesson_runs(slip(draw="choice"))
    assert len(runs) == 2 and len(runs[1][2]) == len(runs[0][2]) == 100     # epochs


def test_checks_are_fast():
    import time
    start = time.perf_counter()
    for fn in (EX.reference, slip(reset=True), slip(strided=True)):
        EX.grade(fn)
    assert time.perf_counter() - start < 2.0


FAIRNESS = {
    "train_minibatch": dict(
        right=[("the reference", EX.reference), ("float32 throughout", slip(f32=True)),
               ("rng.choice(n, n, replace=False)", slip(draw="choice")),
               ("rng.shuffle of an arange", slip(draw="shuffle")),
               ("rng.permuted", slip(draw="permuted")),
               ("argsort of rng.random(n)", slip(draw="argsort")),
               ("minibatch_indices, in place in the dict, velocity without lr",
                _with_minibatch_indices),
               ("argsort of rng.uniform(size=n)", slip(draw="uniform")),
               ("argsort of rng.standard_normal(n), reversed", slip(draw="normal, reversed")),
               ("X, y = X[order], y[order] every epoch, slices, float32", _reshuffle_whole),
               ("np.take(X, idx, axis=0)", slip(take=True)),
               ("a loop over each batch's points, one update per batch", slip(per_point="sum")),
               ("a plain X, X, y = X[perm], y[perm] every epoch", _plain_x_loop("whole")),
               ("a plain X shuffled in place, X[:] = X[perm]", _plain_x_loop("in place")),
               ("a plain X, rng.shuffle(X) and rng.shuffle(y) from the same state",
                _plain_x_loop("same state")),
               ("sorted(range(n), key=lambda _: rng.random())", _plain_x_loop("sort key"))],
        slips=[("the same order every epoch", slip(same_order=True), "same order"),
               ("np.random instead of rng", slip(draw="np.random"), "drew nothing from rng"),
               ("no shuffle", slip(draw="none"), "stored order"),
               ("last batch dropped", slip(drop_last=True), "last batch of every epoch"),
               ("the last batch divided by batch_size", slip(divide_by_bs=True), "len(idx)"),
               ("dz3 = (p - onehot) / batch_size, the loss a mean", slip(grad_by_bs=True),
                ["fewer rows", "len(idx)"]),
               ("dz3 /= n, n = len(y) of the whole data (lesson 03's loop), the loss a mean",
                slip(by_n="grad"), ["divides by n = len(y)", "len(idx)"]),
               ("loss and dz3 divided by n = len(y) of the whole data", slip(by_n="both"),
                ["divides by n = len(y)", "len(idx)"]),
               ("np.array_split(order, ceil(n / bs))", slip(split=True),
                ["4, 3 and 3 rows", "consecutive batches"]),
               ("y in the stored order", slip(y_stored=True), "Use y[idx] with X[idx]"),
               ("y's batches from a second order drawn every epoch", slip(y_order=True),
                ["drew 6 orders of the rows from rng for 3 epochs", "no longer match",
                 "X[idx] and y[idx] with the same idx"]),
               ("range(1, n, batch_size)", slip(off_by_one="start"),
                ["took 9 of the 10 rows", "range(0, n, batch_size)"]),
               ("order[start:start + batch_size - 1]", slip(off_by_one="slice"),
                ["took 9 of the 10 rows", "each slice batch_size long"]),
               ("the forward and backward pass on all of X and y at every update",
                slip(whole=True), ["the loss of all 10 rows", "Xb, yb = X[idx], y[idx]"]),
               ("velocity reset every epoch", slip(reset=True), "starts again at every epoch"),
               ("sampling with replacement", slip(replacement=True), "with replacement"),
               ("a permutation per batch", slip(per_batch=True), "for every batch"),
               ("rng.choice(n, batch_size, replace=False) per batch", slip(per_batch="choice"),
                "without, as the notes do"),
               ("X and y shuffled separately", slip(separately=True), "no longer match"),
               ("one loss per epoch", slip(per_epoch=True), "one loss per epoch"),
               ("strided batches", slip(strided=True), "consecutive batches"),
               ("range(0, n - 1, batch_size): a last batch of one row dropped",
                _plain_x_loop("whole", start_stop="n - 1"), "9 rings points in batches of 4"),
               ("an update after every point of a batch", slip(per_point="update"),
                ["updated the weights after each of the 10 pieces of rows", "1, 1",
                 "then update once"]),
               ("no momentum", slip(form="plain"), "plain gradient descent"),
               ("fixed blocks of consecutive rows, shuffled inside", slip(blocks="inside"),
                ["block of consecutive rows", "shuffled inside each block",
                 "same batches", "Shuffle all n rows"]),
               ("fixed blocks of consecutive rows, in a shuffled order", slip(blocks="order"),
                ["block of consecutive rows", "the blocks taken in a shuffled order",
                 "same batches", "Shuffle all n rows"])]),
}
