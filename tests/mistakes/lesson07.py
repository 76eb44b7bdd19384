"""Lesson 07 (cross-entropy vs focal): right answers and typical mistakes for its checkers."""

import numpy as np
import torch
import torch.nn.functional as F

NOTEBOOK = "07_cross_entropy_vs_focal.ipynb"


def _logp(z, axis=1):
    m = z.max(axis=axis, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=axis, keepdims=True))


def _focal(z, y, g, a, per_example=False):
    lp = _logp(z)[np.arange(len(y)), y]
    per = -a[y] * (1 - np.exp(lp)) ** g * lp
    return per if per_example else per.mean()


# ----------------------------------------------------------------------------- 7.1 focal loss
def fl_float32(z, y, gamma, alpha):
    z, alpha = z.astype(np.float32), alpha.astype(np.float32)
    m = z.max(axis=1, keepdims=True)
    logp = (z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True)))[np.arange(len(y)), y]
    return np.mean(-alpha[y] * (1 - np.exp(logp)) ** np.float32(gamma) * logp)


def fl_torch(z, y, gamma, alpha):
    logp = torch.log_softmax(torch.from_numpy(z), dim=1)
    logp_t = logp.gather(1, torch.from_numpy(y)[:, None]).squeeze(1)
    return (-torch.from_numpy(alpha)[y] * (1 - logp_t.exp()) ** gamma * logp_t).mean()


def fl_onehot(z, y, gamma, alpha):
    logp = _logp(z)
    Y = np.eye(z.shape[1])[y]
    return np.mean(-(alpha * (1 - np.exp(logp)) ** gamma * Y * logp).sum(axis=1))


def fl_expm1(z, y, gamma, alpha):
    logp_t = _logp(z)[np.arange(len(y)), y]
    return np.mean(-alpha[y] * (-np.expm1(logp_t)) ** gamma * logp_t)


def fl_forgot_return(z, y, gamma, alpha):
    logp_t = _logp(z)[np.arange(len(y)), y]
    loss = np.mean(-alpha[y] * (1 - np.exp(logp_t)) ** gamma * logp_t)  # noqa: F841 - under test


def fl_alpha_not_indexed(z, y, gamma, alpha):
    logp_t = _logp(z)[np.arange(len(y)), y]
    return np.mean(-alpha * (1 - np.exp(logp_t)) ** gamma * logp_t)


def fl_xor(z, y, gamma, alpha):
    logp_t = _logp(z)[np.arange(len(y)), y]
    return np.mean(-alpha[y] * (1 - np.exp(logp_t)) ^ gamma * logp_t)


def fl_log_of_softmax(z, y, gamma, alpha):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p_t = (e / e.sum(axis=1, keepdims=True))[np.arange(len(y)), y]
    return np.mean(-alpha[y] * (1 - p_t) ** gamma * np.log(p_t))


def fl_clipped(z, y, gamma, alpha):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p_t = (e / e.sum(axis=1, keepdims=True))[np.arange(len(y)), y]
    return np.mean(-alpha[y] * (1 - p_t) ** gamma * np.log(np.clip(p_t, 1e-7, 1 - 1e-7)))


def fl_naive(z, y, gamma, alpha):
    logp_t = (z - np.log(np.exp(z).sum(axis=1, keepdims=True)))[np.arange(len(y)), y]
    return np.mean(-alpha[y] * (1 - np.exp(logp_t)) ** gamma * logp_t)


def fl_p_power(z, y, gamma, alpha):
    logp_t = _logp(z)[np.arange(len(y)), y]
    return np.mean(-alpha[y] * np.exp(logp_t) ** gamma * logp_t)


def fl_one_minus_logp(z, y, gamma, alpha):
    logp_t = _logp(z)[np.arange(len(y)), y]
    return np.mean(-alpha[y] * (1 - logp_t) ** gamma * logp_t)


def fl_all_rows(z, y, gamma, alpha):
    logp_t = _logp(z)[:, y]
    return np.mean(-alpha[y] * (1 - np.exp(logp_t)) ** gamma * logp_t)


def fl_all_classes(z, y, gamma, alpha):
    logp = _logp(z)
    return np.mean(-(alpha * (1 - np.exp(logp)) ** gamma * logp).sum(axis=1))


TABLE_FOCAL = {
    "right": {
        "float32": fl_float32,
        "torch tensor": fl_torch,
        "one-hot rows": fl_onehot,
        "1 - p as -expm1(log p)": fl_expm1,
        "torch FocalLoss-like in float64": lambda z, y, g, a: (
            -torch.from_numpy(a)[y] * (1 - F.softmax(torch.from_numpy(z), 1)[range(len(y)), y]) ** g
            * F.log_softmax(torch.from_numpy(z), 1)[range(len(y)), y]).mean(),
    },
    "wrong": {
        "left as given": (lambda z, y, g, a: None, "not_implemented"),
        "forgot return": (fl_forgot_return, "no_return"),
        "one loss per example": (lambda z, y, g, a: _focal(z, y, g, a, per_example=True), "per_example"),
        "sign flipped": (lambda z, y, g, a: -_focal(z, y, g, a), "sign"),
        "weighted mean, as PyTorch": (lambda z, y, g, a: _focal(z, y, g, a, True).sum() / a[y].sum(),
                                      "weighted_mean"),
        "sum instead of mean": (lambda z, y, g, a: _focal(z, y, g, a, True).sum(), "sum_not_mean"),
        "p ** gamma": (fl_p_power, "p_power"),
        "1 - log p": (fl_one_minus_logp, "one_minus_logp"),
        "forgot gamma": (lambda z, y, g, a: _focal(z, y, 0.0, a), "no_gamma"),
        "forgot alpha": (lambda z, y, g, a: _focal(z, y, g, np.ones_like(a)), "no_alpha"),
        "alpha not indexed by y": (fl_alpha_not_indexed, "alpha_not_indexed"),
        "every class's term": (fl_all_classes, "all_classes"),
        "logp[:, y]": (fl_all_rows, "all_rows"),
        "log-softmax over the batch": (lambda z, y, g, a: np.mean(
            -a[y] * (1 - np.exp(_logp(z, 0)[np.arange(len(y)), y])) ** g * _logp(z, 0)[np.arange(len(y)), y]),
            "softmax_axis"),
        "log of the softmax": (fl_log_of_softmax, "log_of_softmax"),
        "log of a clipped softmax": (fl_clipped, "epsilon"),
        "no max subtracted": (fl_naive, "overflow"),
        "^ for the power": (fl_xor, "xor"),
        "alpha[100]": (lambda z, y, g, a: a[100], "index"),
    },
}


# ----------------------------------------------------------------------------- 7.2 γ and α for CE
def ce_forgot_return(n_classes):
    gamma = 0.0  # noqa: F841 - the mistake under test
    alpha = np.ones(n_classes)  # noqa: F841


TABLE_FOCAL_EQUALS_CE = {
    "right": {
        "numbers": lambda c: (0, 1),
        "list of ones": lambda c: (0.0, [1.0] * c),
        "torch tensors": lambda c: (torch.tensor(0.0), torch.ones(c)),
        "float32": lambda c: (np.float32(0), np.ones(c, dtype=np.float32)),
        "a list, not a tuple": lambda c: [0, np.ones(c)],
    },
    "wrong": {
        "left as given": (lambda c: (None, None), "not_implemented"),
        "forgot return": (ce_forgot_return, "no_return"),
        "one value only": (lambda c: 0.0, "not_pair"),
        "alpha, gamma swapped": (lambda c: (np.ones(c), 0.0), "swapped"),
        "gamma per class": (lambda c: (np.zeros(c), np.ones(c)), "gamma_shape"),
        "gamma as text": (lambda c: ("0", np.ones(c)), "not_numbers"),
        "gamma = 1": (lambda c: (1.0, np.ones(c)), "gamma"),
        "gamma negative": (lambda c: (-1.0, np.ones(c)), "gamma_negative"),
        "alpha = 0": (lambda c: (0.0, np.zeros(c)), "alpha_zero"),
        "alpha sums to 1": (lambda c: (0.0, np.full(c, 1 / c)), "alpha_sums_to_one"),
        "alpha re-weights": (lambda c: (0.0, np.linspace(0.5, 2, c)), "alpha"),
        "alpha 2 everywhere": (lambda c: (0.0, np.full(c, 2.0)), "alpha_uniform"),
        "alpha of the wrong length": (lambda c: (0.0, np.ones(c + 1)), "alpha_shape"),
        "alpha negative": (lambda c: (0.0, -np.ones(c)), "alpha_negative"),
        "raises": (lambda c: 1 / 0, "raised"),
    },
}


# ----------------------------------------------------------------------------- 7.3 the factor
def mf_forgot_return(p, gamma):
    factor = (1 - p) ** gamma  # noqa: F841 - the mistake under test


TABLE_MODULATING = {
    "right": {
        "float32": lambda p, g: ((1 - p) ** g).astype(np.float32),
        "torch tensor": lambda p, g: torch.pow(1 - torch.from_numpy(p), g),
        "np.power": lambda p, g: np.power(1 - p, g),
        "list comprehension": lambda p, g: [(1 - q) ** g for q in p],
    },
    "wrong": {
        "left as given": (lambda p, g: None, "not_implemented"),
        "forgot return": (mf_forgot_return, "no_return"),
        "p ** gamma": (lambda p, g: p ** g, "p_power"),
        "1 - p ** gamma": (lambda p, g: 1 - p ** g, "one_minus_p_power"),
        "times gamma": (lambda p, g: (1 - p) * g, "times_gamma"),
        "ignores gamma": (lambda p, g: 1 - p, "ignored_gamma"),
        "always squared": (lambda p, g: (1 - p) ** 2, "fixed_gamma"),
        "(p - 1) ** gamma": (lambda p, g: (p - 1) ** g, "p_minus_one"),
        "gamma ** (1 - p)": (lambda p, g: g ** (1 - p), "swapped_power"),
        "with the log": (lambda p, g: -(1 - p) ** g * np.log(p), "with_log"),
        "only -log p": (lambda p, g: -np.log(p), "ce_term"),
        "^ for the power": (lambda p, g: (1 - p) ^ g, "xor"),
        "mean of the factors": (lambda p, g: np.mean((1 - p) ** g), "shape"),
    },
}

TABLES = {
    "check_focal_loss": TABLE_FOCAL,
    "check_focal_equals_ce": TABLE_FOCAL_EQUALS_CE,
    "check_modulating_factor": TABLE_MODULATING,
}
