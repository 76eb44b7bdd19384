"""Checkers for notebook 03 (Layers in a network)."""

from __future__ import annotations

import numpy as np

from .. import layers
from ..data import load_mnist5k
from ..neuron import affine
from ._core import CheckResult, Hint, as_array, call_learner, check_function, report
from .neuron import batch_hints, explain_batch_errors

__all__ = ["check_layer_params", "check_linear_batch", "check_count_parameters"]

_SIZES = ((784, 10), (3, 5), (64, 128))  # 784→10 first: 7840 weights show their scale clearly

_FILL = "fill W with small random numbers, e.g. 0.01 * rng.normal(size=(d_out, d_in))"


def _small_limit(d_in: int) -> float:
    """The largest typical weight size (root mean square) that still counts as small.

    0.01·normal, PyTorch's uniform ±1/√d_in and He's normal·√(2/d_in) all stay below it;
    a standard normal (size 1) or 100·normal does not. An output adds d_in products, so
    what is "small" shrinks like 1/√d_in, never below 0.1.
    """
    return max(0.1, 3.0 / np.sqrt(d_in))


def _poison(*shapes) -> None:
    """Leave NaN in freed memory of these shapes, so that np.empty (which does not draw
    random numbers but keeps whatever was in memory) shows up as NaN, not as luck."""
    for shape in shapes:
        junk = np.full(shape, np.nan)
        del junk


def _judge_weights(W: np.ndarray, d_in: int, d_out: int, where: str, name: str):
    """What is wrong with W's values for a fresh layer (None when it is small and random)."""
    def fail(code, msg):
        return CheckResult(False, f"{name}: {msg}", code, {"d_in": d_in, "d_out": d_out})

    if np.all(W == 0):
        return fail("W_zeros", f"W is all zeros {where}: then every output neuron computes the same "
                    "number and, in training, gets the same update, so the neurons stay identical "
                    f"forever (only one neuron's worth of learning) - {_FILL} (np.zeros and np.empty "
                    "do not give random numbers)")
    if np.all(W == W.flat[0]):
        return fail("W_constant", f"every weight of W is the same number ({W.flat[0]:.3g}) {where}: "
                    "all output neurons compute the same output and get the same update in "
                    "training, so they stay copies of one another - draw a different random number "
                    "for every entry: 0.01 * rng.normal(size=(d_out, d_in))")
    if d_out > 1 and np.all(W == W[:1]):
        return fail("same_rows", f"all {d_out} rows of W are the same {where}: row j holds neuron "
                    "j's weights, so every neuron is a copy of the first (same output, same update "
                    "in training, forever) - draw the whole matrix at random, size=(d_out, d_in), "
                    "not one row repeated")
    if d_in > 1 and np.all(W == W[:, :1]):
        return fail("same_columns", f"each row of W repeats one number {where}: such a neuron weighs "
                    "every input the same, so it only sees the sum of its inputs (how much ink, not "
                    "where) - draw every entry at random, size=(d_out, d_in)")
    if W.size >= 100 and (np.all(W >= 0) or np.all(W <= 0)):  # 15 normal numbers: 1 in 16,000
        sign = "≥ 0" if np.all(W >= 0) else "≤ 0"
        return fail("one_sign", f"every weight of W is {sign} {where} (rng.random and np.random.rand "
                    "draw from [0, 1)): start the weights around 0, some positive and some negative, "
                    "so that each neuron can begin by favouring some inputs and disfavouring others "
                    "- use rng.normal, centred on 0: 0.01 * rng.normal(size=(d_out, d_in))")
    size = float(np.sqrt(np.mean(np.square(W, dtype=np.float64))))
    if size > _small_limit(d_in):
        return fail("W_too_large", f"W's weights are about {size:.2g} in size {where}: not small. "
                    f"Each output adds d_in = {d_in} products w·x, so it grows like size × √d_in "
                    f"(≈ {size * np.sqrt(d_in):.2g} for inputs of size 1): such large outputs push "
                    "tanh and sigmoid into their flat ends (saturated: gradients ≈ 0, learning "
                    "stalls) and make the first training steps jump around - scale them down, e.g. "
                    "0.01 * rng.normal(size=(d_out, d_in))")
    return None


def check_layer_params(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(d_in, d_out)`` → ``(W, b)`` as Exercise 3.1 asks: W of shape d_out×d_in with
    small random numbers (random: neurons must start different; small: outputs must not
    saturate), b of shape (d_out,) with zeros."""
    name = "layer_params"
    sizes = []
    for d_in, d_out in _SIZES:
        details = {"d_in": d_in, "d_out": d_out}
        where = f"for d_in={d_in}, d_out={d_out}"
        _poison((d_out, d_in), (d_out,))
        out, failure = call_learner(fn, (d_in, d_out), name, details)
        if failure is not None:
            return report(failure, quiet)
        if isinstance(out, dict) or not isinstance(out, (tuple, list)) or len(out) != 2:
            what = (f"a {type(out).__name__} of {len(out)}" if isinstance(out, (tuple, list))
                    else f"a {type(out).__name__}")
            return report(CheckResult(False, f"{name}: it returned {what}; return the two arrays W "
                                      "and b, in this order: `return W, b`", "not_a_pair", details),
                          quiet)
        W, failure = as_array(out[0], f"{name}: its W", details)
        if failure is None:
            b, failure = as_array(out[1], f"{name}: its b", details)
        if failure is not None:
            return report(failure, quiet)
        if W.shape == (d_out,) and b.shape == (d_out, d_in):
            return report(CheckResult(False, f"{name}: W and b came back in the wrong order {where} - "
                                      "return W first, then b: `return W, b`", "swapped_pair",
                                      details), quiet)
        if W.shape != (d_out, d_in):
            if W.shape == (d_in, d_out):
                return report(CheckResult(
                    False, f"{name}: W has shape {W.shape} {where}, expected {(d_out, d_in)} - "
                    "it is transposed: W has one ROW per output neuron (d_out×d_in), so that "
                    "W @ x works for an x with d_in entries", "W_transposed", details), quiet)
            return report(CheckResult(False, f"{name}: W has shape {W.shape} {where}, expected "
                                      f"{(d_out, d_in)}: d_out×d_in, one row of d_in weights per "
                                      "output neuron", "W_shape", details), quiet)
        if b.shape != (d_out,):
            if b.shape == (d_in,):
                msg, code = "b has one entry per INPUT; it needs one per output neuron (d_out)", \
                    "b_per_input"
            elif b.shape in ((d_out, 1), (1, d_out)):
                msg, code = "b should be a 1-D vector of shape (d_out,), not a 2-D column or row " \
                    "(added to X @ W.T, a column would not fit)", "b_2d"
            else:
                msg, code = f"expected b of shape {(d_out,)}: one bias per output neuron", "b_shape"
            return report(CheckResult(False, f"{name}: b has shape {b.shape} {where} - {msg}",
                                      code, details), quiet)
        if W.dtype.kind != "f" or b.dtype.kind != "f":
            return report(CheckResult(False, f"{name}: W and b should hold floats {where}; got "
                                      f"{W.dtype} and {b.dtype} (np.zeros gives floats; integer "
                                      "weights cannot be small random numbers)", "dtype", details),
                          quiet)
        with np.errstate(all="ignore"):
            finite = bool(np.all(np.isfinite(W)) and np.all(np.isfinite(b)))
        if not finite:
            return report(CheckResult(False, f"{name}: W or b holds NaN or inf {where} (np.empty "
                                      "does not draw random numbers: it leaves whatever was in "
                                      f"memory) - {_FILL}, and b = np.zeros(d_out)", "not_finite",
                                      details), quiet)
        with np.errstate(all="ignore"):
            wrong = _judge_weights(W, d_in, d_out, where, name)
        if wrong is not None:
            return report(wrong, quiet)
        if np.any(b != 0):
            return report(CheckResult(
                False, f"{name}: b is not zero {where}: the exercise starts the biases at 0, "
                "b = np.zeros(d_out) - the random W already makes the neurons differ, so the "
                "biases need no random start (nn.Linear draws its bias at random; here use zeros)",
                "b_not_zero", details), quiet)
        sizes.append(float(np.sqrt(np.mean(np.square(W, dtype=np.float64)))))
    return report(CheckResult(
        True, f"{name}: W is d_out×d_in with small random weights (typical size {sizes[0]:.2g} for "
        "784→10) and b is zeros, on 3 layer sizes (784→10, 3→5, 64→128)", "ok"), quiet)


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
    hints, shape_hints = batch_hints("X")
    cases = _batch_cases()
    # float32 answers: the core judges them at float32's precision; a float32 result handed
    # back as float64 (.tolist(), .double()) is within 1e-5 of the 784-term sums, and every
    # mistake is off by far more than the threshold
    result = check_function(fn, affine, cases, name="linear_batch", threshold=1e-4,
                            check_dtype="kind", shape_hints=shape_hints, hints=hints, quiet=True)
    return report(explain_batch_errors(result, cases, "X", "linear_batch"), quiet)


def _pairs(widths):
    return list(zip(widths[:-1], widths[1:]))


def check_count_parameters(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(widths)`` → the number of weights and biases of linear layers with these widths."""
    def total(args, per_layer, pairs=None):
        return sum(per_layer(a, b) for a, b in (_pairs(args[0]) if pairs is None else pairs))

    def is_(got, value):
        return got.shape == () and float(got) == float(value)

    hints = [
        Hint("weights_only", "that is the number of weights only: each layer also has one bias "
             "per output neuron, so add d_out for every layer (d_out·d_in + d_out)",
             lambda got, exp, args: is_(got, total(args, lambda a, b: a * b))),
        Hint("neurons", "that counts neurons (the widths), not parameters: a layer d_in → d_out "
             "has d_out·d_in weights (one per connection) plus d_out biases",
             lambda got, exp, args: is_(got, sum(args[0]))),
        Hint("bias_per_input", "the biases belong to the OUTPUTS of each layer (d_out of them, "
             "one per neuron), not to its inputs: d_out·d_in + d_out",
             lambda got, exp, args: is_(got, total(args, lambda a, b: a * b + a))),
        Hint("both_biases", "each layer was given biases for its inputs AND its outputs: a layer "
             "has one bias per output neuron only, d_out·d_in + d_out",
             lambda got, exp, args: is_(got, total(args, lambda a, b: a * b + a + b))),
        Hint("input_bias", "the input layer has no weights or biases (it is the data): count only "
             "the layers between neighbouring widths",
             lambda got, exp, args: is_(got, exp + args[0][0])),
        Hint("return_in_loop", "only the first layer was counted: the `return` is inside the loop, "
             "so the function stops after one layer - add up all layers, then return",
             lambda got, exp, args: len(args[0]) > 2
             and is_(got, total(args, lambda a, b: a * b + b, _pairs(args[0])[:1]))),
        Hint("last_layer_missing", "the last layer (into the output) is missing from the sum: "
             "range(len(widths) - 2) stops one layer early; zip(widths[:-1], widths[1:]) gives "
             "every (d_in, d_out) pair",
             lambda got, exp, args: is_(got, total(args, lambda a, b: a * b + b, _pairs(args[0])[:-1]))),
        Hint("first_layer_missing", "the first layer (784 → …, the one with most parameters) is "
             "missing from the sum: start at the first pair of widths",
             lambda got, exp, args: is_(got, total(args, lambda a, b: a * b + b, _pairs(args[0])[1:]))),
        Hint("product", "you multiplied all the widths together: the layers do not multiply, they "
             "add - each layer has its own d_out·d_in + d_out parameters, and the total is their sum",
             lambda got, exp, args: is_(got, np.prod(np.asarray(args[0], dtype=np.float64)))),
    ]
    shape_hints = [
        Hint("per_layer", "one count per layer: the exercise asks for the total, their sum "
             "(sum(...) of the per-layer counts)",
             lambda got, exp, args: np.array_equal(got, [a * b + b for a, b in _pairs(args[0])])),
    ]
    cases = [([784, 128, 64, 10],), ([2, 3, 1],), ([784, 10],), ([4, 4, 4],)]
    return check_function(fn, layers.total_parameters, cases, name="count_parameters",
                          threshold=0.0, check_dtype=None, shape_hints=shape_hints, hints=hints,
                          quiet=quiet)
