"""Convolution from scratch: the outline's loops, a vectorised version, and the output size.

The outline's formula (section 5.1), with stride ``s`` and zero padding ``p``:

    Y[c_o, h, w] = Σ_{c_i} Σ_m Σ_n K[c_o, c_i, m, n] · X_pad[c_i, h·s + m, w·s + n]   (+ b[c_o])

This is *cross-correlation* (the kernel is not flipped), exactly what
``torch.nn.functional.conv2d`` computes. Shapes: ``X`` is C_in×H×W (or H×W for one
channel, or N×C_in×H×W for a batch), ``K`` is C_out×C_in×k×k (or k×k with an H×W image).
"""

from __future__ import annotations

import numpy as np

from ._validate import as_numpy, describe, require_int

__all__ = [
    "conv_output_size",
    "pad2d",
    "conv2d_loops",
    "sliding_windows",
    "im2col",
    "conv2d",
    "receptive_field",
    "KERNEL_PRESETS",
]

# Named 3×3 kernels for the kernel editor and the notebook.
KERNEL_PRESETS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "blur": [[1 / 9] * 3] * 3,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "Sobel x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "Sobel y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "edge": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
}


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0) -> int:
    """Output length along one axis: ⌊(H + 2p − k) / s⌋ + 1."""
    size = require_int(size, "size", low=1)
    k = require_int(kernel_size, "kernel_size", low=1)
    s = require_int(stride, "stride", low=1)
    p = require_int(padding, "padding", low=0)
    if k > size + 2 * p:
        raise ValueError(
            f"kernel_size {k} is larger than the padded input (size {size} + 2·padding {p} = "
            f"{size + 2 * p}); use a smaller kernel or more padding"
        )
    return (size + 2 * p - k) // s + 1


def _layers(values, name: str):
    """One entry per convolution: a list, tuple or 1-D array (not a single number)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise ValueError(f"{name} must be a list with one entry per convolution; got {values!r}")
    return values


def receptive_field(kernel_sizes, strides) -> int:
    """How many input pixels (along one axis) one output of a stack of convolutions sees."""
    kernel_sizes, strides = list(_layers(kernel_sizes, "kernel_sizes")), list(_layers(strides, "strides"))
    if len(kernel_sizes) != len(strides):
        raise ValueError(f"kernel_sizes has {len(kernel_sizes)} entries but strides has {len(strides)}: "
                         f"give one stride per convolution (e.g. strides={[1] * len(kernel_sizes)})")
    rf, jump = 1, 1
    for k, s in zip(kernel_sizes, strides):
        rf += (require_int(k, "kernel_size", low=1) - 1) * jump
        jump *= require_int(s, "stride", low=1)
    return rf


def pad2d(X, padding: int):
    """Zero-pad the last two axes (H and W) of ``X`` by ``padding`` on every side."""
    X = as_numpy(X, "X")
    p = require_int(padding, "padding", low=0)
    if X.ndim < 2:
        raise ValueError(f"X should have at least 2 axes (H×W); got {describe(X)}")
    if p == 0:
        return X
    width = [(0, 0)] * (X.ndim - 2) + [(p, p), (p, p)]
    return np.pad(X, width)


def _prepare(X, K, b, stride, padding, batch_ok: bool):
    """Validate and bring X to N×C×H×W, K to C_out×C_in×kh×kw; return how to shape Y."""
    X = as_numpy(X, "X")
    K = as_numpy(K, "K")
    stride = require_int(stride, "stride", low=1)
    padding = require_int(padding, "padding", low=0)
    if X.dtype.kind not in "biuf" or K.dtype.kind not in "biuf":
        raise ValueError(f"X and K must hold real numbers; got {describe(X)} and {describe(K)}")
    ndims = (2, 3, 4) if batch_ok else (2, 3)
    if X.ndim not in ndims:
        layouts = "H×W, C×H×W" + (" or N×C×H×W" if batch_ok else "")
        raise ValueError(f"X should be {layouts}; got shape {X.shape} ({X.ndim}-D)")
    out_ndim = X.ndim
    if X.ndim == 2:
        if K.ndim == 2:
            K = K[None, None]
            out_ndim = 2  # H×W in, H'×W' out
        else:
            out_ndim = 3
        X = X[None]
    if K.ndim != 4:
        raise ValueError(
            "K should be C_out×C_in×k×k (or k×k together with an H×W image); "
            f"got shape {K.shape} ({K.ndim}-D)"
        )
    Xb = X if X.ndim == 4 else X[None]
    c_in = Xb.shape[1]
    if K.shape[1] != c_in:
        raise ValueError(
            f"K expects {K.shape[1]} input channel(s) (K.shape[1]) but X has {c_in} "
            f"(X is {describe(X)}); they must match"
        )
    kh, kw = K.shape[2:]
    H, W = Xb.shape[2:]
    if kh > H + 2 * padding or kw > W + 2 * padding:
        raise ValueError(
            f"the {kh}×{kw} kernel is larger than the padded image "
            f"{H + 2 * padding}×{W + 2 * padding} (H×W = {H}×{W}, padding {padding})"
        )
    if b is not None:
        b = as_numpy(b, "b")
        if b.shape != (K.shape[0],):
            raise ValueError(f"b should hold one bias per output channel, shape ({K.shape[0]},); "
                             f"got shape {b.shape}")
    return Xb, K, b, stride, padding, out_ndim


def _shape_output(Y, out_ndim):
    """Y is N×C_out×H'×W'; give back the layout that matches the input."""
    if out_ndim == 4:
        return Y
    if out_ndim == 3:
        return Y[0]
    return Y[0, 0]


def conv2d_loops(X, K, b=None, stride: int = 1, padding: int = 0) -> np.ndarray:
    """The outline's formula as plain Python loops, with exactly its indices (slow: teaching only).

    ``X``: C_in×H×W (or H×W); ``K``: C_out×C_in×k×k (or k×k); ``b``: C_out biases or None.
    Returns C_out×H'×W' (or H'×W') float64.
    """
    Xb, K, b, s, p, out_ndim = _prepare(X, K, b, stride, padding, batch_ok=False)
    X_pad = pad2d(Xb[0].astype(np.float64), p)
    K = K.astype(np.float64)
    C_out, C_in, kh, kw = K.shape
    H_out = conv_output_size(Xb.shape[2], kh, s, p)
    W_out = conv_output_size(Xb.shape[3], kw, s, p)
    Y = np.zeros((C_out, H_out, W_out))
    for c_o in range(C_out):
        for h in range(H_out):
            for w in range(W_out):
                total = 0.0
                for c_i in range(C_in):
                    for m in range(kh):
                        for n in range(kw):
                            total += K[c_o, c_i, m, n] * X_pad[c_i, h * s + m, w * s + n]
                Y[c_o, h, w] = total + (b[c_o] if b is not None else 0.0)
    return _shape_output(Y[None], out_ndim)


def sliding_windows(X, kernel_size, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Every k×k window of a (padded) N×C×H×W batch, as a view: N×C×H'×W'×kh×kw."""
    X = as_numpy(X, "X")
    if X.ndim != 4:
        raise ValueError(f"X should be N×C×H×W; got shape {X.shape}")
    kh, kw = (kernel_size, kernel_size) if np.isscalar(kernel_size) else kernel_size
    kh, kw = require_int(kh, "kernel_size", low=1), require_int(kw, "kernel_size", low=1)
    s = require_int(stride, "stride", low=1)
    p = require_int(padding, "padding", low=0)
    H, W = X.shape[2:]
    conv_output_size(H, kh, s, p), conv_output_size(W, kw, s, p)  # validates the sizes
    Xp = pad2d(X, p)
    win = np.lib.stride_tricks.sliding_window_view(Xp, (kh, kw), axis=(2, 3))
    return win[:, :, ::s, ::s]


def im2col(X, kernel_size, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Unfold N×C×H×W into columns N×(C·kh·kw)×L, one column per output position.

    The same layout as ``torch.nn.functional.unfold``: a convolution then becomes one
    matrix product ``K.reshape(C_out, -1) @ columns``.
    """
    win = sliding_windows(X, kernel_size, stride, padding)  # N×C×H'×W'×kh×kw
    N, C, Ho, Wo, kh, kw = win.shape
    return win.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * kh * kw, Ho * Wo)


def conv2d(X, K, b=None, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Vectorised convolution (im2col + one matrix product); same result as ``conv2d_loops``.

    Accepts H×W (with a k×k or C_out×1×k×k kernel), C×H×W and N×C×H×W inputs.
    """
    Xb, K, b, s, p, out_ndim = _prepare(X, K, b, stride, padding, batch_ok=True)
    dtype = np.result_type(Xb.dtype, K.dtype, np.float32)
    C_out, C_in, kh, kw = K.shape
    cols = im2col(Xb.astype(dtype, copy=False), (kh, kw), s, p)  # N×(C_in·kh·kw)×L
    Y = K.reshape(C_out, -1).astype(dtype, copy=False) @ cols  # N×C_out×L
    if b is not None:
        Y = Y + b.astype(dtype, copy=False)[None, :, None]
    H_out = conv_output_size(Xb.shape[2], kh, s, p)
    W_out = conv_output_size(Xb.shape[3], kw, s, p)
    return _shape_output(Y.reshape(len(Xb), C_out, H_out, W_out), out_ndim)
