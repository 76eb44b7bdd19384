"""Vision-transformer pieces from scratch: patchify and (multi-head) self-attention.

The outline's section 5.2:

1. Patchify: split an image into N patches of p×p pixels, flatten each to a vector x_i.
2. Embed: a linear projection plus a position embedding (in ``vit.py``).
3. Self-attention: Attn(Q, K, V) = softmax(Q Kᵀ / √d) V (softmax from ``softmax.py``, lesson 06).

Everything here is plain numpy and matches PyTorch: ``patchify`` matches
``TinyViT.patchify``, ``scaled_dot_product_attention`` matches
``torch.nn.functional.scaled_dot_product_attention`` and ``multi_head_attention``
matches ``torch.nn.MultiheadAttention`` given the same weights.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_numpy, as_real, describe, require_int
from .softmax import softmax

__all__ = [
    "patchify",
    "unpatchify",
    "num_patches",
    "scaled_dot_product_attention",
    "multi_head_attention",
]


def _image_chw(img):
    a = as_numpy(img, "image")
    if a.ndim == 2:
        return a[None], True
    if a.ndim == 3:
        return a, False
    raise ValueError(f"image should be H×W or C×H×W; got {describe(a)}")


def num_patches(height: int, width: int, patch_size: int) -> int:
    """How many p×p patches tile an H×W image: (H/p)·(W/p); p must divide H and W."""
    H = require_int(height, "height", low=1)
    W = require_int(width, "width", low=1)
    p = require_int(patch_size, "patch_size", low=1)
    if H % p or W % p:
        divisors = [d for d in range(1, min(H, W) + 1) if H % d == 0 and W % d == 0]
        raise ValueError(
            f"patch_size {p} does not divide the {H}×{W} image into whole patches; "
            f"choose one of {divisors}"
        )
    return (H // p) * (W // p)


def patchify(img, patch_size: int) -> np.ndarray:
    """Cut an H×W (or C×H×W) image into N = (H/p)(W/p) patches, each flattened: N × (C·p²).

    Patches are numbered row by row (left to right, then down); inside a patch the
    values are flattened channel by channel, then row by row, as ``torch.reshape`` does.
    """
    X, _ = _image_chw(img)
    C, H, W = X.shape
    p = require_int(patch_size, "patch_size", low=1)
    num_patches(H, W, p)  # validates that p divides H and W
    grid = X.reshape(C, H // p, p, W // p, p)  # C × rows × p × cols × p
    return grid.transpose(1, 3, 0, 2, 4).reshape((H // p) * (W // p), C * p * p)


def unpatchify(patches, patch_size: int, height: int, width: int, channels: int = 1) -> np.ndarray:
    """Inverse of :func:`patchify`: N × (C·p²) back to H×W (C = 1) or C×H×W."""
    P = as_numpy(patches, "patches")
    p = require_int(patch_size, "patch_size", low=1)
    C = require_int(channels, "channels", low=1)
    n = num_patches(height, width, p)
    if P.shape != (n, C * p * p):
        raise ValueError(f"patches should be {n}×{C * p * p} for a {C}×{height}×{width} image "
                         f"and patch size {p}; got shape {P.shape}")
    rows, cols = height // p, width // p
    X = P.reshape(rows, cols, C, p, p).transpose(2, 0, 3, 1, 4).reshape(C, height, width)
    return X[0] if C == 1 else X


def scaled_dot_product_attention(Q, K, V, return_weights: bool = False):
    """softmax(Q Kᵀ / √d) V for Q: …×n×d, K: …×m×d, V: …×m×d_v (float64).

    With ``return_weights`` also returns the attention matrix A (…×n×m), whose rows sum
    to 1: row i says how much token i takes from every token j.
    """
    Q, K, V = (as_real(a, name) for a, name in ((Q, "Q"), (K, "K"), (V, "V")))
    for name, a in (("Q", Q), ("K", K), ("V", V)):
        if a.ndim < 2:
            raise ValueError(f"{name} should be tokens × features (n×d), at least 2-D; got {describe(a)}")
    if Q.shape[-1] != K.shape[-1]:
        raise ValueError(f"Q and K need the same feature size d to take dot products; "
                         f"got Q {Q.shape} and K {K.shape}")
    if Q.shape[-1] == 0:
        raise ValueError(f"Q and K need at least one feature (d ≥ 1); got Q {Q.shape} and K {K.shape}")
    if K.shape[-2] != V.shape[-2]:
        raise ValueError(f"K and V need one row per token, the same number; got K {K.shape} and V {V.shape}")
    if K.shape[-2] == 0:
        raise ValueError(f"K and V hold no tokens (shapes K {K.shape}, V {V.shape}); every query needs "
                         "at least one key to attend to")
    batch = {name: a.shape[:-2] for name, a in (("Q", Q), ("K", K), ("V", V))}
    try:
        np.broadcast_shapes(*batch.values())
    except ValueError:
        got = ", ".join(f"{name} {shape}" for name, shape in batch.items())
        raise ValueError(
            "Q, K and V need the same batch dimensions (the axes before the last two; a size-1 axis "
            f"or a missing one is repeated to fit); got {got} from shapes Q {Q.shape}, K {K.shape}, "
            f"V {V.shape}") from None
    d = Q.shape[-1]
    with np.errstate(over="ignore", invalid="ignore"):
        scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(d)
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"the scores Q Kᵀ / √d overflow (Q and K hold values up to "
                         f"{max(np.abs(Q).max(), np.abs(K).max()):.3g}); scale Q and K down")
    A = softmax(scores, axis=-1)
    out = A @ V
    return (out, A) if return_weights else out


def multi_head_attention(X, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias,
                         n_heads: int, return_weights: bool = False):
    """Multi-head self-attention of tokens ``X`` (n×E or B×n×E), as ``nn.MultiheadAttention``.

    Q, K, V = X W_qᵀ + b_q, …, taken from ``in_proj_weight`` (3E×E) and ``in_proj_bias``
    (3E); each is split into ``n_heads`` heads of size d = E / n_heads; each head attends
    on its own; the heads are concatenated and projected by ``out_proj_weight`` (E×E).
    With ``return_weights`` also returns the per-head attention, (B×)heads×n×n.
    """
    X = as_real(X, "X")
    given = X.shape
    squeeze = X.ndim == 2
    if squeeze:
        X = X[None]
    if X.ndim != 3:
        raise ValueError(f"X should be tokens × features, n×E (or B×n×E); got {describe(X)}")
    B, n, E = X.shape
    h = require_int(n_heads, "n_heads", low=1)
    if n == 0:
        raise ValueError(f"X holds no tokens (shape {given}); self-attention needs at least one")
    if E == 0:
        raise ValueError(f"X has no features (shape {given}); the embedding size E must be at least 1")
    if E % h:
        raise ValueError(f"the embedding size {E} must be divisible by n_heads={h}")
    W_in = as_real(in_proj_weight, "in_proj_weight")
    b_in = as_real(in_proj_bias, "in_proj_bias")
    W_out = as_real(out_proj_weight, "out_proj_weight")
    b_out = as_real(out_proj_bias, "out_proj_bias")
    for name, a, shape in (("in_proj_weight", W_in, (3 * E, E)), ("in_proj_bias", b_in, (3 * E,)),
                           ("out_proj_weight", W_out, (E, E)), ("out_proj_bias", b_out, (E,))):
        if a.shape != shape:
            raise ValueError(f"{name} should have shape {shape} for E={E}; got {a.shape}")
    d = E // h
    qkv = X @ W_in.T + b_in  # B×n×3E
    Q, K, V = np.split(qkv, 3, axis=-1)

    def heads(t):  # B×n×E -> B×heads×n×d
        return t.reshape(B, n, h, d).transpose(0, 2, 1, 3)

    out, A = scaled_dot_product_attention(heads(Q), heads(K), heads(V), return_weights=True)
    out = out.transpose(0, 2, 1, 3).reshape(B, n, E) @ W_out.T + b_out
    if squeeze:
        out, A = out[0], A[0]
    return (out, A) if return_weights else out
