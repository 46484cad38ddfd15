"""How an MLP's hidden blocks are wired: plain, residual or dense.

A hidden block computes h_i = act(bn(fc_i(input_i))). A connection decides what each block reads,
what the output layer reads, and how the gradient flows back through the stack; it owns exactly
that forward and backward, so a lesson prints the wiring it teaches and nothing else.
"""
import numpy as np


class Plain:
    """input_1 = X, input_i = h_{i-1}; the output layer reads h_L."""

    name = "plain"

    def __init__(self, hidden):
        self.hidden = tuple(hidden)         # the blocks' widths

    def input_width(self, i, n_in):
        """The width block i (from 0) reads."""
        return n_in if i == 0 else self.hidden[i - 1]

    def output_width(self):
        """The width the output layer reads."""
        return self.hidden[-1]

    def forward(self, blocks, X, training, trace=None):
        """What the output layer reads. With ``trace`` (a list), blocks append their layers."""
        inp = X
        for b in blocks:
            inp = b.forward(inp, training, trace)
        return inp

    def backward(self, blocks, d):
        """Fill every block's gradients from d, the gradient of what the output layer read."""
        for i in range(len(blocks) - 1, -1, -1):
            d = blocks[i].backward(d, input_grad=i > 0)


class Residual(Plain):
    """r_1 = h_1, r_i = h_i + r_{i-1} (all widths equal); block i reads r_{i-1}, the output r_L."""

    name = "residual"

    def __init__(self, hidden):
        super().__init__(hidden)
        if len(set(self.hidden)) > 1:
            raise ValueError("a residual MLP adds each hidden layer to the one before, so all "
                             f"hidden widths must be equal; got hidden={list(self.hidden)}")

    def forward(self, blocks, X, training, trace=None):
        inp = X
        for b in blocks:
            h = b.forward(inp, training, trace)
            if b.index > 1:
                h = h + inp                                 # r_i = h_i + r_{i-1}
                if trace is not None:
                    trace.append((f"r{b.index}", h))
            inp = h
        return inp

    def backward(self, blocks, d):
        # r_i = h_i + r_{i-1}: the gradient reaching r_i flows to h_i and, untouched,
        # to r_{i-1}, so every layer sees the top layer's gradient.
        for i in range(len(blocks) - 1, 0, -1):
            d = d + blocks[i].backward(d)
        blocks[0].backward(d, input_grad=False)


class Dense(Plain):
    """Block i >= 2 reads concat(h_1, ..., h_{i-1}); the output reads concat(h_1, ..., h_L)."""

    name = "dense"

    def input_width(self, i, n_in):
        return n_in if i == 0 else sum(self.hidden[:i])

    def output_width(self):
        return sum(self.hidden)

    def forward(self, blocks, X, training, trace=None):
        # Block i writes h_i into its columns; block i+1 reads all columns before its own,
        # so concat(h_1, ..., h_i) is a view, never a copy.
        concat = np.empty((len(X), sum(self.hidden)))
        inp, col = X, 0
        for b in blocks:
            h = b.forward(inp, training, trace)
            concat[:, col:col + h.shape[1]] = h
            col += h.shape[1]
            inp = concat[:, :col]
            if trace is not None:
                trace.append((f"concat{b.index}", inp))
        return inp

    def backward(self, blocks, d):
        dconcat = d.copy()              # (N, sum(hidden)): one block per h_i; d itself stays
        col = dconcat.shape[1]
        for i in range(len(blocks) - 1, -1, -1):
            width = self.hidden[i]
            col -= width
            dh = dconcat[:, col:col + width]       # complete: all readers of h_i are done
            dinp = blocks[i].backward(dh, input_grad=i > 0)
            if i > 0:
                dconcat[:, :col] += dinp


CONNECTIONS = {c.name: c for c in (Plain, Residual, Dense)}
