"""Checkers for notebook 03 (Layers in a network)."""

from __future__ import annotations

import numpy as np

from .. import layers
from ..data import load_mnist5k
from ._core import (
    CheckResult,
    Hint,
    _finish,
    _to_numpy,
    call_learner,
    check_function,
)

__all__ = ["check_layer_params", "check_linear_batch", "check_count_parameters"]


def check_layer_params(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(d_in, d_out)`` → ``(W, b)`` with W of shape d_out×d_in and b of shape (d_out,)."""
    name = "layer_params"
    if not callable(fn):
        return _finish(CheckResult(False, f"{name}: expected a function, got "
                                   f"{type(fn).__name__}", "not_callable"), quiet)
    for d_in, d_out in ((784, 10), (3, 5), (64, 128)):
        out, failure = call_learner(fn, (d_in, d_out), name)
        if failure is not None:
            return _finish(failure, quiet)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            return _finish(CheckResult(False, f"{name}: return two arrays, W and b "
                                       "(return W, b)", "not_a_pair"), quiet)
        W, b = (_to_numpy(a) for a in out)
        where = f"for d_in={d_in}, d_out={d_out}"
        if W.shape != (d_out, d_in):
            if W.shape == (d_in, d_out):
                return _finish(CheckResult(
                    False, f"{name}: W has shape {W.shape} {where}, expected {(d_out, d_in)} - "
                    "it is transposed: W has one ROW per output neuron (d_out×d_in), so that "
                    "Wx works for x with d_in entries", "W_transposed"), quiet)
            return _finish(CheckResult(False, f"{name}: W has shape {W.shape} {where}, expected "
                                       f"{(d_out, d_in)} (d_out×d_in)", "W_shape"), quiet)
        if b.shape != (d_out,):
            if b.shape == (d_in,):
                msg = "b has one entry per INPUT; it needs one per output neuron (d_out)"
                code = "b_per_input"
            elif b.shape in ((d_out, 1), (1, d_out)):
                msg = "b should be a 1-D vector of shape (d_out,), not a 2-D column or row"
                code = "b_2d"
            else:
                msg = f"expected b of shape {(d_out,)}"
                code = "b_shape"
            return _finish(CheckResult(False, f"{name}: b has shape {b.shape} {where} - {msg}",
                                       code), quiet)
        if W.dtype.kind != "f" or b.dtype.kind != "f":
            return _finish(CheckResult(False, f"{name}: W and b should hold floats; got "
                                       f"{W.dtype} and {b.dtype}", "dtype"), quiet)
        if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
            return _finish(CheckResult(False, f"{name}: W or b holds NaN or inf (np.empty leaves "
                                       "garbage: use np.zeros or a random generator)",
                                       "not_finite"), quiet)
    return _finish(CheckResult(True, f"{name}: W is d_out×d_in and b has d_out entries on 3 "
                               "layer sizes (784→10, 3→5, 64→128)", "ok"), quiet)


def _batch_cases():
    rng = np.random.default_rng(3)
    digits = load_mnist5k(seed=0).X_train[:8].reshape(8, -1).astype(np.float64) / 255.0
    W10, b10 = layers.init_linear(784, 10, seed=1)
    return [
        (rng.normal(size=(6, 3)), rng.normal(size=(3, 3)), rng.normal(size=3)),
        (digits, W10, b10),
        (rng.normal(size=(1, 5)), rng.normal(size=(2, 5)), np.array([0.5, -1.0])),
    ]


def check_linear_batch(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(X, W, b)`` → ``X Wᵀ + b`` for a batch X (N×d_in): one output row per input row."""
    hints = [
        Hint("no_transpose", "you used X @ W; each row of X must meet each ROW of W: X @ W.T + b",
             lambda got, exp, args: np.allclose(got, args[0] @ args[1] + args[2])),
        Hint("no_bias", "the bias is missing: add b after the matrix product",
             lambda got, exp, args: np.allclose(got, args[0] @ args[1].T)),
        Hint("bias_subtracted", "the bias is subtracted; add it",
             lambda got, exp, args: np.allclose(got, args[0] @ args[1].T - args[2])),
    ]
    shape_hints = [
        Hint("transposed_output", "the output is transposed (d_out×N, as from W @ X.T): return "
             "one row per example, N×d_out",
             lambda got, exp, args: got.shape == exp.shape[::-1]),
        Hint("single_example", "only one output row: apply the layer to every row of X at once "
             "with X @ W.T + b",
             lambda got, exp, args: got.shape == exp.shape[1:]),
    ]
    return check_function(fn, layers.linear, _batch_cases(), name="linear_batch", threshold=1e-9,
                          check_dtype="kind", shape_hints=shape_hints, hints=hints, quiet=quiet)


def check_count_parameters(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(widths)`` → the number of weights and biases of linear layers with these widths."""
    def pairs(w):
        return list(zip(w[:-1], w[1:]))

    hints = [
        Hint("weights_only", "that is the number of weights only: each layer also has one bias "
             "per output neuron (+ d_out)",
             lambda got, exp, args: got == sum(a * b for a, b in pairs(args[0]))),
        Hint("neurons", "that counts neurons (the widths), not parameters: a layer d_in → d_out "
             "has d_out·d_in weights plus d_out biases",
             lambda got, exp, args: got == sum(args[0])),
        Hint("bias_per_input", "the biases belong to the outputs of each layer (d_out of them), "
             "not to its inputs",
             lambda got, exp, args: got == sum(a * b + a for a, b in pairs(args[0]))),
        Hint("input_bias", "the input layer has no weights or biases: count only the layers "
             "between neighbouring widths",
             lambda got, exp, args: got == exp + args[0][0]),
        Hint("last_layer_missing", "the last layer (to the output) is missing from the sum",
             lambda got, exp, args: got == sum(a * b + b for a, b in pairs(args[0])[:-1])),
    ]
    cases = [([784, 128, 64, 10],), ([2, 3, 1],), ([784, 10],), ([4, 4, 4],)]
    return check_function(fn, layers.count_parameters, cases, name="count_parameters",
                          threshold=0.0, check_dtype=None, hints=hints, quiet=quiet)
