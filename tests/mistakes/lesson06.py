"""Lesson 06 (softmax): right answers and typical mistakes for its three checkers."""

import numpy as np
import scipy.special
import torch

NOTEBOOK = "06_softmax.ipynb"


def _stable(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _lse(z):
    m = z.max(axis=-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))


def _normalise(e):
    return e / e.sum(axis=-1, keepdims=True)


# ----------------------------------------------------------------------------- 6.1 softmax
def sm_float32(z):
    z = z.astype(np.float32)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sm_torch(z):
    return torch.softmax(torch.from_numpy(z), dim=-1)


def sm_torch_float32(z):
    return torch.softmax(torch.tensor(z, dtype=torch.float32), dim=-1)


def sm_logsumexp(z):
    return np.exp(z - scipy.special.logsumexp(z, axis=-1, keepdims=True))


def sm_inplace(z):
    z -= np.max(z, axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= np.sum(z, axis=-1, keepdims=True)
    return z


def sm_forgot_return(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    p = e / e.sum(axis=-1, keepdims=True)  # noqa: F841 - the mistake under test


def sm_no_keepdims(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1)


def sm_row_min(z):
    e = np.exp(z - z.min(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sm_row_mean(z):
    e = np.exp(z - z.mean(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sm_global_max(z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)


def sm_naive(z):
    return np.exp(z) / np.sum(np.exp(z), axis=-1, keepdims=True)


def sm_axis0(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def sm_max_axis0(z):
    e = np.exp(z - z.max(axis=0))
    return e / e.sum(axis=-1, keepdims=True)


def sm_whole_batch(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum()


TABLE_SOFTMAX = {
    "right": {
        "float32": sm_float32,
        "torch tensor": sm_torch,
        "torch float32": sm_torch_float32,
        "exp of z minus logsumexp": sm_logsumexp,
        "in-place on the input": sm_inplace,
        "scipy": lambda z: scipy.special.softmax(z, axis=-1),
    },
    "wrong": {
        "left as given": (lambda z: None, "not_implemented"),
        "forgot return": (sm_forgot_return, "no_return"),
        "raises": (lambda z: 1 / 0, "raised"),
        "sum without keepdims": (sm_no_keepdims, "broadcast"),
        "subtracts the row minimum": (sm_row_min, "row_min"),
        "subtracts the row mean": (sm_row_mean, "row_mean"),
        "subtracts the batch maximum": (sm_global_max, "global_max"),
        "no max subtracted": (sm_naive, "overflow"),
        "normalised over axis 0": (sm_axis0, "wrong_axis"),
        "max over axis 0 without keepdims": (sm_max_axis0, "max_axis0"),
        "divides by the sum of the whole batch": (sm_whole_batch, "whole_batch"),
        "exp only, not divided": (lambda z: np.exp(z - z.max(axis=-1, keepdims=True)), "not_normalised"),
        "no exp": (lambda z: z / z.sum(axis=-1, keepdims=True), "no_exp"),
        "log-softmax instead": (_lse, "log_probs"),
        "argmax instead of probabilities": (lambda z: np.argmax(z, axis=-1), "reduced"),
        "flattened": (lambda z: _stable(z).ravel(), "shape"),
        "rounded to integers": (lambda z: (_stable(z) > 0.5).astype(int), "dtype"),
        "returns text": (lambda z: str(_stable(z)), "not_numbers"),
    },
}


# ----------------------------------------------------------------------------- 6.2 temperature
def t_solution_float32(z, T):
    s = (z / T).astype(np.float32)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def t_power(z, T):
    """e^{(z - m)/T}: raise the stable exponentials to the power 1/T, then normalise."""
    e = np.exp(z - z.max(axis=-1, keepdims=True)) ** (1 / T)
    return e / e.sum(axis=-1, keepdims=True)


def t_forgot_return(z, T):
    s = z / T
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    p = e / e.sum(axis=-1, keepdims=True)  # noqa: F841 - the mistake under test


TABLE_TEMPERATURE = {
    "right": {
        "float32": t_solution_float32,
        "torch tensor": lambda z, T: torch.softmax(torch.from_numpy(z) / T, dim=-1),
        "stable exp to the power 1/T": t_power,
        "shift then divide": lambda z, T: _stable((z - z.max(axis=-1, keepdims=True)) / T),
    },
    "wrong": {
        "left as given": (lambda z, T: None, "not_implemented"),
        "forgot return": (t_forgot_return, "no_return"),
        "multiplies by T": (lambda z, T: _stable(z * T), "multiplied"),
        "ignores T": (lambda z, T: _stable(z), "ignored_T"),
        "divides the probabilities by T": (lambda z, T: _stable(z) / T, "divided_probs"),
        "softmax to the power T": (lambda z, T: _stable(z) ** T, "power"),
        "T divided by z": (lambda z, T: _stable(T / z), "inverted"),
        "no max subtracted": (lambda z, T: np.exp(z / T) / np.exp(z / T).sum(-1, keepdims=True),
                              "overflow"),
        "subtracts the row minimum": (lambda z, T: _normalise(np.exp(z / T - (z / T).min(-1, keepdims=True))),
                                      "row_min"),
        "subtracts the batch maximum": (lambda z, T: _normalise(np.exp((z - z.max()) / T)), "global_max"),
        "subtracts max(z), not max(z / T)": (
            lambda z, T: _normalise(np.exp(z / T - z.max(axis=-1, keepdims=True))), "shift_before_T"),
        "normalised over axis 0": (lambda z, T: sm_axis0(z / T), "wrong_axis"),
        "sum without keepdims": (lambda z, T: sm_no_keepdims(z / T), "broadcast"),
        "not normalised": (lambda z, T: np.exp(z / T - (z / T).max(-1, keepdims=True)), "not_normalised"),
    },
}


# ----------------------------------------------------------------------------- 6.3 log-softmax
def ls_float32(z):
    z = z.astype(np.float32)
    m = z.max(axis=-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))


def ls_forgot_m(z):
    m = z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))


def ls_no_keepdims(z):
    m = z.max(axis=-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=-1))


def ls_forgot_return(z):
    m = z.max(axis=-1, keepdims=True)
    out = z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))  # noqa: F841 - under test


def ls_sum_of_logs(z):
    m = z.max(axis=-1, keepdims=True)
    return z - m - np.sum(np.log(np.exp(z - m)), axis=-1, keepdims=True)


def ls_m_plus_log_sum(z):
    m = z.max(-1, keepdims=True)
    return z - (m + np.log(np.exp(z - m).sum(-1, keepdims=True)))


def ls_global_max(z):
    return z - z.max() - np.log(np.exp(z - z.max()).sum(-1, keepdims=True))


def ls_axis0(z):
    m = z.max(axis=0, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=0, keepdims=True))


TABLE_LOG_SOFTMAX = {
    "right": {
        "float32": ls_float32,
        "torch tensor": lambda z: torch.log_softmax(torch.from_numpy(z), dim=-1),
        "scipy logsumexp": lambda z: z - scipy.special.logsumexp(z, axis=-1, keepdims=True),
        "m plus log-sum": ls_m_plus_log_sum,
    },
    "wrong": {
        "left as given": (lambda z: None, "not_implemented"),
        "forgot return": (ls_forgot_return, "no_return"),
        "log of the softmax": (lambda z: np.log(_stable(z)), "log_of_softmax"),
        "no max subtracted": (lambda z: z - np.log(np.exp(z).sum(axis=-1, keepdims=True)), "overflow"),
        "sign flipped": (lambda z: -_lse(z), "sign"),
        "returns probabilities": (_stable, "not_log"),
        "only subtracts the max": (lambda z: z - z.max(axis=-1, keepdims=True), "missing_lse"),
        "forgot - m outside the log": (ls_forgot_m, "missing_m"),
        "sum of logs": (ls_sum_of_logs, "sum_of_logs"),
        "log10": (lambda z: z - z.max(-1, keepdims=True)
                  - np.log10(np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True)), "log10"),
        "over axis 0": (ls_axis0, "wrong_axis"),
        "log(softmax + 1e-9)": (lambda z: np.log(_stable(z) + 1e-9), "epsilon"),
        "log-sum-exp without keepdims": (ls_no_keepdims, "broadcast"),
        "subtracts the batch maximum": (ls_global_max, "global_max"),
    },
}

TABLES = {
    "check_softmax": TABLE_SOFTMAX,
    "check_softmax_temperature": TABLE_TEMPERATURE,
    "check_log_softmax": TABLE_LOG_SOFTMAX,
}
