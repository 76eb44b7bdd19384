"""Lesson 09 (minimal forward pass): right answers and typical mistakes for its two checkers."""

import math

import numpy as np
import torch
import torch.nn.functional as F

NOTEBOOK = "09_minimal_forward_pass.ipynb"


# ----------------------------------------------------------------------------- 9.1 stage shapes
def _sides(k, s, p=None, plus=1, both=2, div=lambda a, b: a // b):
    p = k // 2 if p is None else p
    s1 = div(28 + both * p - k, s) + plus
    s2 = div(s1 + both * p - k, s) + plus
    return s1, s2


def _shapes(k, s, **slip):
    s1, s2 = _sides(k, s, **slip)
    return {"H1": (16, s1, s1), "H2": (32, s2, s2), "h": (32 * s2 * s2,), "z": (10,)}


def shapes_torch(kernel_size, stride):
    """Run zeros through the layers and read the shapes (torch.Size)."""
    p = kernel_size // 2
    x = torch.zeros(1, 1, 28, 28)
    H1 = F.conv2d(x, torch.zeros(16, 1, kernel_size, kernel_size), stride=stride, padding=p)
    H2 = F.conv2d(H1, torch.zeros(32, 16, kernel_size, kernel_size), stride=stride, padding=p)
    h = H2.flatten(1)
    return {"H1": H1.shape[1:], "H2": H2.shape[1:], "h": h.shape[1:], "z": (10,)}


def shapes_conv_output_size(kernel_size, stride):
    from workshop_utils.conv import conv_output_size

    p = kernel_size // 2
    s1 = conv_output_size(28, kernel_size, stride, p)
    s2 = conv_output_size(s1, kernel_size, stride, p)
    return {"H1": [16, s1, s1], "H2": [32, s2, s2], "h": [32 * s2 * s2], "z": [10]}


def shapes_forgot_return(kernel_size, stride):
    shapes = _shapes(kernel_size, stride)  # noqa: F841 - the mistake under test


def shapes_second_conv_on_input(k, s):
    d = _shapes(k, s)
    return {**d, "H2": (32, *d["H1"][1:])}


def shapes_array(k, s):
    d = _shapes(k, s)
    return {**d, "H1": np.zeros(d["H1"])}


TABLE_SHAPES = {
    "right": {
        "torch layers on zeros": shapes_torch,
        "conv_output_size, lists": shapes_conv_output_size,
        "np.floor (whole floats)": lambda k, s: _shapes(k, s, div=lambda a, b: np.floor(a / b)),
        "h and z as plain ints": lambda k, s: {**_shapes(k, s), "h": _shapes(k, s)["h"][0], "z": 10},
    },
    "wrong": {
        "left as given": (lambda k, s: None, "not_implemented"),
        "forgot return": (shapes_forgot_return, "no_return"),
        "a list, not a dict": (lambda k, s: list(_shapes(k, s).values()), "not_dict"),
        "lower-case keys": (lambda k, s: {key.lower(): v for key, v in _shapes(k, s).items()}, "missing"),
        "text for a shape": (lambda k, s: {**_shapes(k, s), "H1": "16x14x14"}, "not_shape"),
        "the array instead of its shape": (shapes_array, "array_not_shape"),
        "true division /": (lambda k, s: _shapes(k, s, div=lambda a, b: a / b), "float_size"),
        "channels last (H×W×C)": (lambda k, s: {**_shapes(k, s), "H1": _shapes(k, s)["H1"][::-1]},
                                  "channels_last"),
        "a batch axis": (lambda k, s: {key: (1, *v) for key, v in _shapes(k, s).items()}, "batch_axis"),
        "channels swapped": (lambda k, s: {**_shapes(k, s), "H1": (32, *_shapes(k, s)["H1"][1:])},
                             "channels"),
        "no padding": (lambda k, s: _shapes(k, s, p=0), "no_padding"),
        "padding on one side": (lambda k, s: _shapes(k, s, both=1), "padding_one_side"),
        "no + 1": (lambda k, s: _shapes(k, s, plus=0), "no_plus_one"),
        "stride ignored": (lambda k, s: _shapes(k, s, div=lambda a, b: a), "no_stride"),
        "rounded up": (lambda k, s: _shapes(k, s, div=lambda a, b: math.ceil(a / b)), "not_floor"),
        "second conv on the input": (shapes_second_conv_on_input, "second_conv_on_input"),
        "H1 not square": (lambda k, s: {**_shapes(k, s), "H1": (16, 14, 13)}, "not_square"),
        "flatten: side not squared": (lambda k, s: {**_shapes(k, s), "h": (32 * _shapes(k, s)["H2"][1],)},
                                      "flatten_not_squared"),
        "flatten: forgot the channels": (lambda k, s: {**_shapes(k, s), "h": (_shapes(k, s)["H2"][1] ** 2,)},
                                         "flatten_forgot_channels"),
        "flattened H1": (lambda k, s: {**_shapes(k, s), "h": (16 * _shapes(k, s)["H1"][1] ** 2,)},
                         "flatten_H1"),
        "h not flat": (lambda k, s: {**_shapes(k, s), "h": _shapes(k, s)["H2"]}, "not_flat"),
        "z as W3's shape": (lambda k, s: {**_shapes(k, s), "z": (10, _shapes(k, s)["h"][0])}, "z_classes"),
        "the example's shapes for every case": (lambda k, s: _shapes(5, 2), "hard_coded"),
        "h unrelated": (lambda k, s: {**_shapes(k, s), "h": (7,)}, "shape"),
        "KeyError": (lambda k, s: {}["H1"], "raised"),
    },
}


# ----------------------------------------------------------------------------- 9.2 a batch
def _conv2d():
    from workshop_utils.conv import conv2d

    return conv2d


def _softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def fwd(X, w, *, scale=255.0, relu=True, channel=lambda x: x[:, None],
        flatten=lambda H2, X: H2.reshape(len(X), -1), dense=lambda h, w: h @ w["W3"].T + w["b3"],
        out=_softmax_rows, dtype=np.float64):
    """The solution's six steps, each replaceable by a slip."""
    conv2d = _conv2d()
    f = (lambda a: np.maximum(a, 0)) if relu else (lambda a: a)
    w = {k: np.asarray(v, dtype=dtype) for k, v in w.items()}
    Xt = X.astype(dtype) / dtype(scale)
    H1 = f(conv2d(channel(Xt), w["W1"], w["b1"], 2, 2))
    H2 = f(conv2d(H1, w["W2"], w["b2"], 2, 2))
    return out(dense(flatten(H2, X), w))


def fwd_torch(X, w):
    t = {k: torch.from_numpy(v) for k, v in w.items()}
    x = torch.from_numpy(X).double().div(255).unsqueeze(1)
    H1 = torch.relu(F.conv2d(x, t["W1"], t["b1"], stride=2, padding=2))
    H2 = torch.relu(F.conv2d(H1, t["W2"], t["b2"], stride=2, padding=2))
    return torch.softmax(H2.flatten(1) @ t["W3"].T + t["b3"], dim=1)


def fwd_forgot_return(X, w):
    y_hat = fwd(X, w)  # noqa: F841 - the mistake under test


def fwd_python_max(X, w):
    conv2d = _conv2d()
    H1 = max(conv2d(X[:, None] / 255, w["W1"], w["b1"], 2, 2), 0)
    return H1


def fwd_stride_1(X, w):
    conv2d = _conv2d()
    H1 = np.maximum(conv2d(X[:, None] / 255, w["W1"], w["b1"], 1, 2), 0)
    H2 = np.maximum(conv2d(H1, w["W2"], w["b2"], 1, 2), 0)
    return _softmax_rows(H2.reshape(len(X), -1) @ w["W3"].T + w["b3"])


def _whole(z):
    e = np.exp(z - z.max())
    return e / e.sum()


TABLE_BATCH = {
    "right": {
        "float32": lambda X, w: fwd(X, w, dtype=np.float32),
        "torch conv2d": fwd_torch,
        "einsum dense": lambda X, w: fwd(
            X, w, dense=lambda h, w: np.einsum("nd,cd->nc", h, w["W3"]) + w["b3"]),
        "reshape(N, -1) from H2.shape": lambda X, w: fwd(
            X, w, flatten=lambda H2, X: H2.reshape(H2.shape[0], -1)),
        "channel axis with np.newaxis": lambda X, w: fwd(X, w, channel=lambda x: x[:, np.newaxis, :, :]),
    },
    "wrong": {
        "left as given": (lambda X, w: None, "not_implemented"),
        "forgot return": (fwd_forgot_return, "no_return"),
        "H2.reshape(-1)": (lambda X, w: fwd(X, w, flatten=lambda H2, X: H2.reshape(-1)), "batch_merged"),
        "H2.reshape(1568, -1)": (lambda X, w: fwd(X, w, flatten=lambda H2, X: H2.reshape(1568, -1)),
                                 "batch_last"),
        "W3 @ h": (lambda X, w: fwd(X, w, dense=lambda h, w: w["W3"] @ h + w["b3"]), "dense_order"),
        "h @ W3": (lambda X, w: fwd(X, w, dense=lambda h, w: h @ w["W3"] + w["b3"]), "w3_not_transposed"),
        "no channel axis": (lambda X, w: fwd(X, w, channel=lambda x: x), "no_channel_axis"),
        "channel axis last": (lambda X, w: fwd(X, w, channel=lambda x: x[..., None]), "channels_last"),
        "stride 1": (fwd_stride_1, "conv_settings"),
        "Python max for the ReLU": (fwd_python_max, "python_max"),
        "no /255": (lambda X, w: fwd(X, w, scale=1.0), "no_normalise"),
        "no ReLU": (lambda X, w: fwd(X, w, relu=False), "no_relu"),
        "no biases": (lambda X, w: fwd(X, {**w, "b1": 0 * w["b1"], "b2": 0 * w["b2"], "b3": 0 * w["b3"]}),
                      "no_bias"),
        "returns the logits": (lambda X, w: fwd(X, w, out=lambda z: z), "logits"),
        "ReLU on the logits": (lambda X, w: fwd(X, w, out=lambda z: _softmax_rows(np.maximum(z, 0))),
                               "relu_logits"),
        "softmax over axis 0": (lambda X, w: fwd(X, w, out=lambda z: _softmax_rows(z.T).T), "softmax_axis"),
        "softmax over the whole batch": (lambda X, w: fwd(X, w, out=_whole), "softmax_whole_batch"),
        "transposed": (lambda X, w: fwd(X, w).T, "transposed"),
        "predicted classes": (lambda X, w: fwd(X, w).argmax(axis=1), "labels"),
        "first digit only": (lambda X, w: fwd(X, w)[0], "batch_lost"),
        "flattened": (lambda X, w: fwd(X, w).ravel(), "flattened"),
        "rounded": (lambda X, w: fwd(X, w).round().astype(int), "dtype"),
        "a bit off": (lambda X, w: fwd(X, w) * 0.99, "values"),
        "wrong key": (lambda X, w: w["W4"], "raised"),
    },
}

TABLES = {"check_stage_shapes": TABLE_SHAPES, "check_forward_batch": TABLE_BATCH}
