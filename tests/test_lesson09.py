"""Notebook 09 (Minimal forward pass): forward.py against torch, the explorer (its checkers:
tests/test_checkers.py with tests/mistakes/lesson09.py)."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from workshop_utils import forward
from workshop_utils.data import load_mnist5k
from workshop_utils.explorers import forward_pass_explorer
from workshop_utils.models import SmallCNN
from workshop_utils.trained import pretrained_cnn


@pytest.fixture(scope="module")
def digits():
    return load_mnist5k(seed=0)


@pytest.fixture(scope="module")
def model():
    return pretrained_cnn(0, verbose=False)


def _torch_stages(m, X_uint8):
    x = torch.from_numpy(X_uint8).double().div(255).unsqueeze(1)
    with torch.no_grad():
        s = m.double().stages(x)
    return {k: v.numpy() for k, v in s.items()} | {"y_hat": torch.softmax(s["z"], 1).numpy()}


# --------------------------------------------------------------------------- package vs torch
def test_minimal_forward_matches_the_trained_model_on_real_digits(model, digits):
    w = forward.smallcnn_weights(model)
    X = digits.X_test[:300]
    got = forward.minimal_forward(X, w)
    ref = _torch_stages(pretrained_cnn(0, verbose=False), X)
    for k in ("H1", "H2", "h", "z", "y_hat"):
        assert got[k].shape == ref[k].shape, k
        np.testing.assert_allclose(got[k], ref[k], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(got["X_tilde"], X / 255.0)
    np.testing.assert_allclose(got["y_hat"].sum(1), 1.0)
    assert np.mean(got["y_hat"].argmax(1) == digits.y_test[:300]) > 0.9
    one = forward.minimal_forward(X[3], w)  # a single H×W image: no batch axis
    assert one["H1"].shape == (16, 14, 14) and one["y_hat"].shape == (10,)
    np.testing.assert_allclose(one["y_hat"], got["y_hat"][3])


@given(st.integers(1, 7), st.integers(1, 3), st.integers(1, 4), st.integers(1, 5), st.integers(0, 50))
def test_minimal_forward_and_stage_shapes_match_torch_for_any_kernel_and_stride(k, s, c1, c2, i):
    from workshop_utils.data import load_mnist5k as load

    torch.manual_seed(i)
    m = SmallCNN(channels=(c1, c2), kernel_size=k, stride=s)
    X = load(seed=0).X_test[i:i + 2]
    got = forward.minimal_forward(X, forward.smallcnn_weights(m))
    ref = _torch_stages(m, X)
    shapes = forward.stage_shapes(k, s, channels=(c1, c2))
    for key in ("H1", "H2", "h", "z", "y_hat"):
        assert got[key].shape[1:] == shapes[key] == ref[key].shape[1:], key
        np.testing.assert_allclose(got[key], ref[key], rtol=1e-8, atol=1e-10)


def test_stage_shapes_defaults_are_the_course_network():
    assert forward.stage_shapes() == {"X": (28, 28), "X_tilde": (28, 28), "H1": (16, 14, 14),
                                      "H2": (32, 7, 7), "h": (1568,), "z": (10,), "y_hat": (10,)}
    assert forward.stage_shapes(3, 1, padding=0)["H2"] == (32, 24, 24)


def test_errors_are_clear(model, digits):
    w = forward.smallcnn_weights(model)
    with pytest.raises(ValueError, match="uint8"):
        forward.minimal_forward(digits.X_test[0] / 255.0, w)
    with pytest.raises(ValueError, match="N×H×W"):
        forward.minimal_forward(digits.X_test[:2, None], w)
    with pytest.raises(ValueError, match="weights should be a dict"):
        forward.minimal_forward(digits.X_test[0], {"W1": w["W1"]})
    with pytest.raises(ValueError, match="W₃ expects 1568"):
        forward.minimal_forward(np.zeros((32, 32), np.uint8), w)
    with pytest.raises(ValueError, match="SmallCNN"):
        forward.smallcnn_weights(torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match="larger than the padded input"):
        forward.stage_shapes(kernel_size=40, stride=1, padding=0)
    with pytest.raises(ValueError, match="stride must be at least 1"):
        forward.stage_shapes(5, 0)
    with pytest.raises(ValueError, match="two numbers"):
        forward.stage_shapes(channels=(1, 2, 3))


# --------------------------------------------------------------------------- explorer
@pytest.fixture(scope="module")
def explorer(model, digits):
    return forward_pass_explorer(model, digits)


def test_forward_pass_explorer_sweeps_every_digit(explorer, digits):
    pngs = set()
    for d in explorer.sweep_values("digit"):
        for e in explorer.sweep_values("example"):
            s = explorer.update(digit=d, example=e)
            assert s["label"] == d == digits.y_test[s["index"]]
            assert s["H1"].shape == (16, 14, 14) and s["H2"].shape == (32, 7, 7)
            assert s["h"].shape == (1568,) and s["z"].shape == (10,)
            for k in ("X_tilde", "H1", "H2", "h", "z", "y_hat"):
                assert np.all(np.isfinite(s[k])), k
            assert s["y_hat"].sum() == pytest.approx(1.0)
            assert s["pred"] == int(np.argmax(s["z"]))
            assert f"label {d}" in explorer.html.value
            pngs.add(explorer.picture)
    assert len(pngs) == 10 * len(explorer.sweep_values("example"))
    for d, e in explorer.mistakes:
        assert explorer.update(digit=d, example=e)["pred"] != d


def test_forward_pass_explorer_slider_drives_redraw(explorer):
    explorer.update(digit=3, example=0)
    n, before = explorer.render_count, explorer.picture
    explorer.controls["example"].value = 1
    assert explorer.render_count == n + 1 and explorer.picture != before
    with pytest.raises(ValueError, match="between"):
        explorer.update(example=99)
    with pytest.raises(ValueError, match="digit must be at most 9"):
        forward_pass_explorer(digit=10)


def test_mosaic():
    from workshop_utils.plotting import mosaic

    m = mosaic(np.arange(2 * 3 * 3).reshape(2, 3, 3), ncols=2)
    assert m.shape == (3, 7) and np.isnan(m[0, 3]) and m[2, 6] == 17
    with pytest.raises(ValueError, match="C×h×w"):
        mosaic(np.zeros((3, 3)), 2)
