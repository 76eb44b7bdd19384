"""Lesson 01 (Input → Tensor): right answers and typical mistakes for its three checkers."""

import numpy as np
import torch

NOTEBOOK = "01_input_to_tensor.ipynb"

LUMA = np.array([0.299, 0.587, 0.114])


def _forgot_return(img):
    out = np.transpose(img, (2, 0, 1))  # noqa: F841 - the mistake under test


def _normalise_forgot_return(img):
    out = img / 255.0  # noqa: F841 - the mistake under test


def _normalise_in_place(img):
    img /= 255
    return img


def _grayscale_forgot_return(img):
    gray = img.astype(np.float64) @ LUMA  # noqa: F841 - the mistake under test


def _grayscale_uint8_accumulator(img):
    gray = np.zeros_like(img[..., 0])  # uint8, like the image
    for c in range(3):
        gray += LUMA[c] * img[..., c]
    return gray


def _grayscale_loop(img):
    gray = np.zeros(img.shape[:2])
    for c in range(3):
        gray += LUMA[c] * img[..., c]
    return gray


def _stub(img):
    # your code here
    return None


TABLES = {
    "check_hwc_to_chw": {
        "right": {
            "moveaxis": lambda img: np.moveaxis(img, -1, 0),
            "torch permute": lambda img: torch.from_numpy(img).permute(2, 0, 1),
            "stack of planes": lambda img: np.stack([img[..., 0], img[..., 1], img[..., 2]]),
            "rollaxis": lambda img: np.rollaxis(img, 2),
            "einsum": lambda img: np.einsum("hwc->chw", img),
            "a list of the right values (no dtype chosen)": lambda img: np.transpose(img, (2, 0, 1)).tolist(),
        },
        "wrong": {
            "the stub": (_stub, "not_implemented"),
            "forgot return": (_forgot_return, "no_return"),
            "reshape": (lambda img: img.reshape(3, img.shape[0], img.shape[1]), "reshape"),
            "img.T": (lambda img: img.T, "swapped_hw"),
            "unchanged": (lambda img: img, "unchanged"),
            "astype float": (lambda img: np.transpose(img, (2, 0, 1)).astype(float), "dtype"),
            "the way back (1, 2, 0)": (lambda img: np.transpose(img, (1, 2, 0)), "inverse_permutation"),
            "moveaxis the wrong way": (lambda img: np.transpose(img, (0, 2, 1)), "channels_middle"),
            "one plane": (lambda img: img[..., 0], "one_channel"),
            "BGR order": (lambda img: np.stack([img[..., 2], img[..., 1], img[..., 0]]),
                          "channels_reversed"),
            "also normalised": (lambda img: np.transpose(img, (2, 0, 1)) / 255.0, "scaled"),
            "axes counted from 1": (lambda img: np.transpose(img, (3, 1, 2)), "index"),
        },
    },
    "check_normalise": {
        "right": {
            "float64": lambda img: img / 255,
            "float32 astype": lambda img: img.astype(np.float32) / np.float32(255),
            "torch": lambda img: torch.from_numpy(img).float() / 255,
            "multiply by 1/255": lambda img: img * (1 / 255.0),
            "float16": lambda img: img.astype(np.float16) / np.float16(255),
        },
        "wrong": {
            "the stub": (_stub, "not_implemented"),
            "forgot return": (_normalise_forgot_return, "no_return"),
            "integer division": (lambda img: img // 255, "integer_division"),
            "divided by 256": (lambda img: img / 256, "divided_by_256"),
            "not scaled": (lambda img: img.astype(float), "not_scaled"),
            "min..max": (lambda img: (img - img.min()) / np.ptp(img), "min_max"),
            "its own max": (lambda img: img / img.max(), "divided_by_max"),
            "standardised": (lambda img: (img - img.mean()) / img.std(), "standardised"),
            "inverted": (lambda img: 1 - img / 255, "inverted"),
            "[-1, 1]": (lambda img: img / 127.5 - 1, "minus_one_to_one"),
            "in place": (_normalise_in_place, "uint8_in_place"),
            "a string": (lambda img: f"{img.mean() / 255:.3f}", "not_numbers"),
        },
    },
    "check_grayscale": {
        "right": {
            "float32": lambda img: img.astype(np.float32) @ LUMA.astype(np.float32),
            "torch": lambda img: torch.from_numpy(img).float() @ torch.tensor(LUMA).float(),
            "weighted planes": lambda img: (0.299 * img[..., 0] + 0.587 * img[..., 1]
                                            + 0.114 * img[..., 2]),
            "sum over last axis": lambda img: (img * LUMA).sum(axis=-1),
            "average with weights": lambda img: np.average(img, axis=-1, weights=LUMA),
            "einsum": lambda img: np.einsum("hwc,c->hw", img, LUMA),
            "loop into floats": _grayscale_loop,
        },
        "wrong": {
            "the stub": (_stub, "not_implemented"),
            "forgot return": (_grayscale_forgot_return, "no_return"),
            "plain mean": (lambda img: img.mean(axis=-1), "plain_mean"),
            "weights reversed": (lambda img: img.astype(float) @ LUMA[::-1], "weights_reversed"),
            "sum over axis 0": (lambda img: (img * LUMA).sum(0), "wrong_axis"),
            "no sum": (lambda img: img * LUMA, "no_sum"),
            "keepdims": (lambda img: (img * LUMA).sum(axis=-1, keepdims=True), "kept_channel_axis"),
            "uint8 sum wraps": (lambda img: (img[..., 0] + img[..., 1] + img[..., 2]) / 3,
                                "uint8_overflow"),
            "uint8 accumulator": (_grayscale_uint8_accumulator, "uint8_in_place"),
            "uint8 weights wrap": (lambda img: (img @ np.array([76, 150, 29], dtype=np.uint8)) / 255,
                                   "uint8_wraps"),
            "integer weights": (lambda img: (299 * img[..., 0] + 587 * img[..., 1]
                                             + 114 * img[..., 2]) / 1000, "int_weights"),
            "back to uint8": (lambda img: (img @ LUMA).astype(np.uint8), "whole_numbers"),
            "also normalised": (lambda img: img @ LUMA / 255, "divided_by_255"),
            "rounded weights": (lambda img: img @ np.array([0.3, 0.59, 0.11]), "rounded_weights"),
            "Rec. 709 weights": (lambda img: img @ np.array([0.2126, 0.7152, 0.0722]),
                                 "other_weights"),
        },
    },
}
