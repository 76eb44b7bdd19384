"""Lesson 05 (CNNs vs ViTs): right answers and typical mistakes for every checker."""

import math

import numpy as np
import scipy.special
import torch
import torch.nn.functional as F

NOTEBOOK = "05_cnn_vs_vit.ipynb"


def softmax(z, axis=-1):
    """The notebook's softmax (exercise 5.5 may use it)."""
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def attention(Q, K, V):
    """The notebook's attention: it returns the pair (output, A)."""
    A = softmax(Q @ K.T / np.sqrt(Q.shape[-1]))
    return A @ V, A


# ----------------------------------------------------------------------------- 5.1 output size
def size_stub(H, k, s, p):
    # your code here
    return None


def size_forgot_return(H, k, s, p):
    n = (H + 2 * p - k) // s + 1  # noqa: F841 - the mistake: no return


# ----------------------------------------------------------------------------- 5.2 one value
def value_stub(X, K, c_o, h, w):
    # your code here
    return None


def value_forgot_return(X, K, c_o, h, w):
    k = K.shape[-1]
    y = np.sum(K[c_o] * X[:, h:h + k, w:w + k])  # noqa: F841 - the mistake: no return


def _win(X, h, w, k):
    return X[:, h:h + k, w:w + k]


def value_assign(X, K, c_o, h, w):
    C_in, k = K.shape[1], K.shape[-1]
    total = 0.0
    for c_i in range(C_in):
        for m in range(k):
            for n in range(k):
                total = K[c_o, c_i, m, n] * X[c_i, h + m, w + n]
    return total


def value_reset(X, K, c_o, h, w):
    C_in, k = K.shape[1], K.shape[-1]
    for c_i in range(C_in):
        total = 0.0
        for m in range(k):
            for n in range(k):
                total += K[c_o, c_i, m, n] * X[c_i, h + m, w + n]
    return total


def value_window_short(X, K, c_o, h, w):
    k = K.shape[-1]
    return np.sum(K[c_o] * X[:, h:h + k - 1, w:w + k - 1])


def value_torch(X, K, c_o, h, w):
    return F.conv2d(torch.tensor(X)[None], torch.tensor(K))[0, c_o, h, w]


# ----------------------------------------------------------------------------- 5.3 / 5.4 counting
def patches_stub(H, W, p):
    # your code here
    return None


def patches_forgot_return(H, W, p):
    n = (H // p) * (W // p)  # noqa: F841 - the mistake: no return


def shape_forgot_return(H, W, p):
    n = (H // p) * (W // p) + 1
    (n, n)  # noqa: B018 - the mistake: no return


# ----------------------------------------------------------------------------- 5.5 attention
def attention_stub(Q, K, V):
    # your code here
    return None


def attention_forgot_return(Q, K, V):
    A = softmax(Q @ K.T / np.sqrt(Q.shape[-1]))
    A @ V


def attention_float32(Q, K, V):
    Q, K, V = (t.astype(np.float32) for t in (Q, K, V))
    return softmax(Q @ K.T / np.float32(np.sqrt(Q.shape[-1]))) @ V


def attention_torch(Q, K, V):
    q, k, v = (torch.tensor(t, dtype=torch.float32) for t in (Q, K, V))
    return torch.softmax(q @ k.T / q.shape[-1] ** 0.5, dim=-1) @ v


def attention_sdpa(Q, K, V):
    q, k, v = (torch.from_numpy(t)[None] for t in (Q, K, V))
    return F.scaled_dot_product_attention(q, k, v)[0]


def attention_einsum(Q, K, V):
    scores = np.einsum("id,jd->ij", Q, K) / np.sqrt(Q.shape[1])
    return np.einsum("ij,jd->id", scipy.special.softmax(scores, axis=1), V)


def attention_naive_softmax(Q, K, V):
    e = np.exp(Q @ np.transpose(K) / math.sqrt(K.shape[1]))
    return (e / e.sum(axis=1, keepdims=True)).dot(V)


def attention_softmax_all(Q, K, V):
    e = np.exp(Q @ K.T / np.sqrt(Q.shape[-1]))
    return (e / e.sum()) @ V


def attention_keepdims(Q, K, V):
    s = Q @ K.T / np.sqrt(Q.shape[-1])
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1)) @ V


def _scores(Q, K):
    return Q @ K.T / np.sqrt(Q.shape[-1])


TABLES = {
    "check_conv_output_size": {
        "right": {
            "int of a division": lambda H, k, s, p: int((H + 2 * p - k) / s) + 1,
            "math.floor": lambda H, k, s, p: math.floor((H + 2 * p - k) / s) + 1,
            "+ s inside": lambda H, k, s, p: (H + 2 * p - k + s) // s,
            "torch tensor": lambda H, k, s, p: torch.tensor((H + 2 * p - k) // s + 1),
            "from torch's conv": lambda H, k, s, p: F.conv2d(
                torch.zeros(1, 1, H, H), torch.zeros(1, 1, k, k), stride=s, padding=p).shape[-1],
        },
        "wrong": {
            "the stub": (size_stub, "not_implemented"),
            "forgot return": (size_forgot_return, "no_return"),
            "/ instead of //": (lambda H, k, s, p: (H + 2 * p - k) / s + 1, "no_floor"),
            "ceil": (lambda H, k, s, p: -((H + 2 * p - k) // -s) + 1, "ceil"),
            "round": (lambda H, k, s, p: round((H + 2 * p - k) / s) + 1, "rounded"),
            "no + 1": (lambda H, k, s, p: (H + 2 * p - k) // s, "no_plus_one"),
            "+ 1 inside the division": (lambda H, k, s, p: (H + 2 * p - k + 1) // s, "plus_one_inside"),
            "padding once": (lambda H, k, s, p: (H + p - k) // s + 1, "padding_once"),
            "no padding": (lambda H, k, s, p: (H - k) // s + 1, "no_padding"),
            "no stride": (lambda H, k, s, p: H + 2 * p - k + 1, "no_stride"),
            "+ k": (lambda H, k, s, p: (H + 2 * p + k) // s + 1, "plus_kernel"),
            "missing parentheses": (lambda H, k, s, p: H + 2 * p - k // s + 1, "precedence"),
            "rows and columns": (lambda H, k, s, p: ((H + 2 * p - k) // s + 1,) * 2, "pair"),
            "a constant": (lambda H, k, s, p: 3, "values"),
            "padding argument dropped": (lambda H, k, s: (H - k) // s + 1, "arguments"),
            "undefined name": (lambda H, k, s, p: (H + 2 * p - kernel) // s + 1, "raised"),  # noqa: F821
            "formatted text": (lambda H, k, s, p: f"{(H + 2 * p - k) // s + 1} rows", "not_numbers"),
        },
    },
    "check_conv_value": {
        "right": {
            "one line": lambda X, K, c, h, w: np.sum(K[c] * _win(X, h, w, K.shape[-1])),
            "einsum": lambda X, K, c, h, w: np.einsum("imn,imn->", K[c], _win(X, h, w, K.shape[-1])),
            "dot of flattened": lambda X, K, c, h, w: K[c].ravel() @ _win(X, h, w, K.shape[-1]).ravel(),
            "float32": lambda X, K, c, h, w: np.float32(np.sum(
                K[c].astype(np.float32) * _win(X, h, w, K.shape[-1]).astype(np.float32))),
            "torch conv2d": value_torch,
        },
        "wrong": {
            "the stub": (value_stub, "not_implemented"),
            "forgot return": (value_forgot_return, "no_return"),
            "flipped kernel": (lambda X, K, c, h, w: np.sum(K[c][:, ::-1, ::-1] * _win(X, h, w, K.shape[-1])),
                               "flipped"),
            "m and n swapped": (lambda X, K, c, h, w: np.sum(np.swapaxes(K[c], 1, 2)
                                                             * _win(X, h, w, K.shape[-1])), "transposed"),
            "h and w swapped": (lambda X, K, c, h, w: np.sum(K[c] * _win(X, w, h, K.shape[-1])),
                                "swapped_hw"),
            "first channel only": (lambda X, K, c, h, w: np.sum(K[c, 0] * _win(X, h, w, K.shape[-1])[0]),
                                   "one_channel"),
            "total reset in the loop": (value_reset, "reset_in_loop"),
            "= instead of +=": (value_assign, "assign_not_add"),
            "every output channel's kernel": (lambda X, K, c, h, w: np.sum(K * _win(X, h, w, K.shape[-1])),
                                              "all_kernels"),
            "@ instead of *": (lambda X, K, c, h, w: np.sum(K[c] @ _win(X, h, w, K.shape[-1])),
                               "matrix_product"),
            "mean": (lambda X, K, c, h, w: np.mean(K[c] * _win(X, h, w, K.shape[-1])), "mean"),
            "window one pixel off": (lambda X, K, c, h, w: np.sum(K[c] * _win(X, h + 1, w + 1, K.shape[-1])),
                                     "off_by_one"),
            "no sum": (lambda X, K, c, h, w: K[c] * _win(X, h, w, K.shape[-1]), "no_sum"),
            "summed over one axis": (lambda X, K, c, h, w: np.sum(K[c] * _win(X, h, w, K.shape[-1]), axis=0),
                                     "partial_sum"),
            "window k − 1 wide": (value_window_short, "window_shape"),
        },
    },
    "check_num_patches": {
        "right": {
            "true division": lambda H, W, p: (H / p) * (W / p),
            "H·W / p²": lambda H, W, p: H * W // p ** 2,
            "numpy": lambda H, W, p: np.prod(np.array([H, W]) // p),
            "torch unfold": lambda H, W, p: F.unfold(torch.zeros(1, 1, H, W), p, stride=p).shape[-1],
        },
        "wrong": {
            "the stub": (patches_stub, "not_implemented"),
            "forgot return": (patches_forgot_return, "no_return"),
            "one side": (lambda H, W, p: H // p, "one_side"),
            "square image assumed": (lambda H, W, p: (H // p) ** 2, "square_only"),
            "added": (lambda H, W, p: H // p + W // p, "added"),
            "divided by p": (lambda H, W, p: H * W // p, "divided_by_p"),
            "H * W // p * p": (lambda H, W, p: H * W // p * p, "pixels"),
            "plus CLS": (lambda H, W, p: (H // p) * (W // p) + 1, "plus_cls"),
            "p²": (lambda H, W, p: p * p, "patch_pixels"),
            "sliding windows": (lambda H, W, p: (H - p + 1) * (W - p + 1), "sliding"),
            "the grid": (lambda H, W, p: (H // p, W // p), "grid_shape"),
        },
    },
    "check_attention_shape": {
        "right": {
            "list": lambda H, W, p: [(H // p) * (W // p) + 1] * 2,
            "floats": lambda H, W, p: ((H / p) * (W / p) + 1,) * 2,
            "numpy shape": lambda H, W, p: np.zeros(((H // p) * (W // p) + 1,) * 2).shape,
            "torch.Size": lambda H, W, p: torch.empty(((H // p) * (W // p) + 1,) * 2).shape,
        },
        "wrong": {
            "the stub": (patches_stub, "not_implemented"),
            "forgot return": (shape_forgot_return, "no_return"),
            "no CLS": (lambda H, W, p: ((H // p) * (W // p),) * 2, "no_cls"),
            "CLS on one side": (lambda H, W, p: ((H // p) * (W // p) + 1, (H // p) * (W // p)),
                                "cls_one_side"),
            "tokens × features": (lambda H, W, p: ((H // p) * (W // p) + 1, p * p), "features"),
            "one side of the grid": (lambda H, W, p: (H // p + 1,) * 2, "one_side"),
            "pixels": (lambda H, W, p: (H * W + 1,) * 2, "pixels"),
            "a number, not a pair": (lambda H, W, p: (H // p) * (W // p) + 1, "not_a_pair"),
            "entries": (lambda H, W, p: ((H // p) * (W // p) + 1) ** 2, "entries"),
            "the matrix": (lambda H, W, p: np.zeros(((H // p) * (W // p) + 1,) * 2), "matrix_not_shape"),
            "text": (lambda H, W, p: f"{(H // p) * (W // p) + 1}×{(H // p) * (W // p) + 1}", "not_numbers"),
        },
    },
    "check_attention": {
        "right": {
            "with the notebook's softmax": lambda Q, K, V: softmax(_scores(Q, K)) @ V,
            "float32": attention_float32,
            "torch": attention_torch,
            "torch sdpa": attention_sdpa,
            "einsum + scipy": attention_einsum,
            "no max subtracted": attention_naive_softmax,
            "notebook's attention, output only": lambda Q, K, V: attention(Q, K, V)[0],
        },
        "wrong": {
            "the stub": (attention_stub, "not_implemented"),
            "forgot return": (attention_forgot_return, "no_return"),
            "no √d": (lambda Q, K, V: softmax(Q @ K.T) @ V, "no_scale"),
            "divided by d": (lambda Q, K, V: softmax(Q @ K.T / Q.shape[-1]) @ V, "divided_by_d"),
            "√n": (lambda Q, K, V: softmax(Q @ K.T / np.sqrt(Q.shape[0])) @ V, "sqrt_n"),
            "the notebook's global d = 16": (lambda Q, K, V: softmax(Q @ K.T / np.sqrt(16)) @ V, "global_d"),
            "times √d": (lambda Q, K, V: softmax(Q @ K.T * np.sqrt(Q.shape[-1])) @ V, "times_sqrt_d"),
            "softmax over axis 0": (lambda Q, K, V: softmax(_scores(Q, K), axis=0) @ V, "softmax_axis"),
            "softmax over all": (attention_softmax_all, "softmax_all"),
            "forgot keepdims": (attention_keepdims, "keepdims"),
            "no softmax": (lambda Q, K, V: _scores(Q, K) @ V, "no_softmax"),
            "A only": (lambda Q, K, V: softmax(_scores(Q, K)), "weights_only"),
            "the notebook's pair": (attention, "returned_pair"),
            "Q @ K": (lambda Q, K, V: softmax(Q @ K / np.sqrt(Q.shape[-1])) @ V, "no_transpose"),
            "Q.T @ K": (lambda Q, K, V: softmax(Q.T @ K / np.sqrt(Q.shape[-1])) @ V, "q_transposed"),
            "V @ A": (lambda Q, K, V: V @ softmax(_scores(Q, K)), "v_first"),
            "A * V": (lambda Q, K, V: softmax(_scores(Q, K)) * V, "elementwise"),
            "cast to int": (lambda Q, K, V: (softmax(_scores(Q, K)) @ V).astype(int), "dtype"),
        },
    },
}
