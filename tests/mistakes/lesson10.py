"""Lesson 10 (key takeaways): right answers and typical mistakes for its two checkers."""

import numpy as np
import torch

NOTEBOOK = "10_key_takeaways.ipynb"


# ----------------------------------------------------------------------------- 10.1 count W and b
def _count(k, c1, c2, bias=True, conv2_in=True, flat=None, area=None, c_in=1):
    area = k * k if area is None else area
    flat = c2 * 49 if flat is None else flat
    n = c1 * c_in * area + c2 * (c1 if conv2_in else 1) * area + 10 * flat
    return n + (c1 + c2 + 10 if bias else 0)


def count_torch(kernel_size, c1, c2):
    from workshop_utils.models import SmallCNN

    model = SmallCNN(channels=(c1, c2), kernel_size=kernel_size)
    return sum(p.numel() for p in model.parameters())


def count_shapes(kernel_size, c1, c2):
    k = kernel_size
    shapes = [(c1, 1, k, k), (c1,), (c2, c1, k, k), (c2,), (10, c2 * 7 * 7), (10,)]
    return int(sum(np.prod(s) for s in shapes))


def count_formula(kernel_size, c1, c2):
    k, p = kernel_size, kernel_size // 2
    side = ((28 + 2 * p - k) // 2 + 1 + 2 * p - k) // 2 + 1
    return (c1 * k * k + c1) + (c2 * c1 * k * k + c2) + (10 * c2 * side * side + 10)


def count_forgot_return(kernel_size, c1, c2):
    total = _count(kernel_size, c1, c2)  # noqa: F841 - the mistake under test


TABLE_COUNT = {
    "right": {
        "count a SmallCNN's parameters": count_torch,
        "from the weight shapes (numpy int)": lambda k, c1, c2: np.int64(count_shapes(k, c1, c2)),
        "a torch integer": lambda k, c1, c2: torch.tensor(_count(k, c1, c2)),
        "sides from the size formula": count_formula,
        "a whole-valued float (as lesson 03 accepts)": lambda k, c1, c2: _count(k, c1, c2) / 1,
    },
    "wrong": {
        "left as given": (lambda k, c1, c2: None, "not_implemented"),
        "forgot return": (count_forgot_return, "no_return"),
        "formatted with commas": (lambda k, c1, c2: f"{_count(k, c1, c2):,}", "not_numbers"),
        "no biases": (lambda k, c1, c2: _count(k, c1, c2, bias=False), "no_biases"),
        "W2 ignores c1": (lambda k, c1, c2: _count(k, c1, c2, conv2_in=False), "conv2_inputs"),
        "k weights per kernel": (lambda k, c1, c2: _count(k, c1, c2, area=k), "kernel_area"),
        "3 input channels": (lambda k, c1, c2: _count(k, c1, c2, c_in=3), "in_channels"),
        "flatten of 14×14": (lambda k, c1, c2: _count(k, c1, c2, flat=c2 * 14 * 14), "flatten_size"),
        "one dense bias per input": (lambda k, c1, c2: _count(k, c1, c2) - 10 + c2 * 49, "dense_bias"),
        "no dense layer": (lambda k, c1, c2: _count(k, c1, c2) - 10 * c2 * 49 - 10, "no_dense"),
        "one count per tensor": (lambda k, c1, c2: [c1 * k * k, c1, c2 * c1 * k * k, c2, 10 * c2 * 49, 10],
                                 "per_layer"),
        "the example's count": (lambda k, c1, c2: 28938, "hard_coded"),
        "forgot b1": (lambda k, c1, c2: _count(k, c1, c2) - c1, "missing_tensor"),
        "off by one": (lambda k, c1, c2: _count(k, c1, c2) + 1, "values"),
        "raises": (lambda k, c1, c2: k.bit_count(0), "raised"),
    },
}


# ----------------------------------------------------------------------------- 10.2 recall
def recall_forgot_return(cm):
    r = np.diag(cm) / cm.sum(axis=1)  # noqa: F841 - the mistake under test


TABLE_RECALL = {
    "right": {
        "float32": lambda cm: (np.diag(cm) / cm.sum(axis=1)).astype(np.float32),
        "torch tensor": lambda cm: torch.diag(torch.from_numpy(cm)) / torch.from_numpy(cm).sum(1),
        "diagonal of the row-normalised matrix": lambda cm: np.diag(cm / cm.sum(axis=1, keepdims=True)),
        "cm.diagonal()": lambda cm: cm.diagonal() / cm.sum(axis=1),
        "a loop": lambda cm: [cm[c, c] / cm[c].sum() for c in range(len(cm))],
    },
    "wrong": {
        "left as given": (lambda cm: None, "not_implemented"),
        "forgot return": (recall_forgot_return, "no_return"),
        "column sums (precision)": (lambda cm: np.diag(cm) / cm.sum(axis=0), "precision"),
        "raw counts": (lambda cm: np.diag(cm), "counts"),
        "integer division //": (lambda cm: np.diag(cm) // cm.sum(axis=1), "integer_division"),
        "percent": (lambda cm: 100 * np.diag(cm) / cm.sum(axis=1), "percent"),
        "divided by the total": (lambda cm: np.diag(cm) / cm.sum(), "share_of_all"),
        "1 - recall": (lambda cm: 1 - np.diag(cm) / cm.sum(axis=1), "miss_rate"),
        "accuracy": (lambda cm: np.trace(cm) / cm.sum(), "accuracy"),
        "mean recall": (lambda cm: np.mean(np.diag(cm) / cm.sum(axis=1)), "balanced_accuracy"),
        "row-normalised matrix": (lambda cm: cm / cm.sum(axis=1, keepdims=True), "row_normalised"),
        "keepdims on the row sums": (lambda cm: np.diag(cm) / cm.sum(axis=1, keepdims=True), "outer"),
        "recall as text": (lambda cm: ", ".join(f"{r:.3f}" for r in np.diag(cm) / cm.sum(1)), "not_numbers"),
        "boolean": (lambda cm: np.diag(cm) > cm.sum(axis=1) / 2, "dtype"),
        "a bit off": (lambda cm: np.diag(cm) / (cm.sum(axis=1) + 1), "values"),
    },
}

TABLES = {"check_parameter_count": TABLE_COUNT, "check_recall": TABLE_RECALL}
