import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from workshop_utils import tensors

images = st.tuples(st.integers(1, 12), st.integers(1, 12)).flatmap(
    lambda hw: arrays(np.uint8, (hw[0], hw[1], 3))
)


@given(images)
def test_hwc_to_chw_matches_torch_permute(img):
    ref = torch.from_numpy(img).permute(2, 0, 1).numpy()
    assert np.array_equal(tensors.hwc_to_chw(img), ref)
    assert torch.equal(tensors.hwc_to_chw(torch.from_numpy(img)), torch.from_numpy(ref))
    assert np.array_equal(tensors.chw_to_hwc(tensors.hwc_to_chw(img)), img)


@given(images)
def test_to_unit_float_matches_torch(img):
    got = tensors.to_unit_float(img)
    ref = torch.from_numpy(img).float() / 255
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, ref.numpy(), rtol=0, atol=1e-7)
    assert 0.0 <= got.min() and got.max() <= 1.0


@given(images, arrays(np.float64, (3,), elements=st.floats(-2, 2)))
def test_grayscale_matches_torch(img, w):
    got = tensors.to_grayscale(img, w)
    ref = torch.einsum("hwc,c->hw", torch.from_numpy(img).double(), torch.from_numpy(w))
    np.testing.assert_allclose(got, ref.numpy(), rtol=1e-12, atol=1e-9)


def test_grayscale_close_to_pil():
    from PIL import Image

    from workshop_utils.data import load_photo

    photo = load_photo()
    pil = np.asarray(Image.fromarray(photo).convert("L")).astype(float)
    assert np.abs(tensors.to_grayscale(photo) - pil).max() <= 1.0


def test_errors_are_clear():
    with pytest.raises(ValueError, match="uint8"):
        tensors.to_unit_float(np.zeros((2, 2), np.float32))
    with pytest.raises(ValueError, match="C×H×W"):
        tensors.to_grayscale(np.zeros((3, 5, 6), np.uint8))
    with pytest.raises(ValueError, match="3 numbers"):
        tensors.to_grayscale(np.zeros((5, 6, 3), np.uint8), weights=(1, 1))
    with pytest.raises(ValueError, match="3-D"):
        tensors.hwc_to_chw(np.zeros((5, 6)))
    with pytest.raises(ValueError, match="row must be at most"):
        tensors.pixel(np.zeros((5, 6, 3)), 5, 0)
    with pytest.raises(ValueError, match="None"):
        tensors.hwc_to_chw(None)
