"""Notebook 04: activations and derivatives against torch/autograd, checkers, explorers."""

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from workshop_utils import activations as act
from workshop_utils import checks
from workshop_utils.explorers import (
    activation_explorer,
    nonlinearity_explorer,
    vanishing_gradient_explorer,
)

NB = "04_activation_functions.ipynb"
TORCH_F = {"linear": lambda t: t, "relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}
wide = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False, width=64)
xs = arrays(np.float64, st.integers(1, 40), elements=wide)


@pytest.mark.parametrize("name", act.NAMES)
@given(x=xs)
def test_activation_and_derivative_match_torch_and_autograd(name, x):
    f, df = act.get(name)
    x = np.concatenate([x, [-1000.0, -1.0, 0.0, 1.0, 1000.0]])
    t = torch.tensor(x, requires_grad=True)
    y = TORCH_F[name](t)
    y.sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow anywhere, even at ±1e4
        got, slope = f(x), df(x)
    np.testing.assert_allclose(got, y.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(slope, t.grad.numpy(), rtol=1e-9, atol=1e-15)
    assert np.all(np.isfinite(got)) and np.all(np.isfinite(slope))


@pytest.mark.parametrize("name", act.NAMES)
def test_torch_activation_module_matches(name):
    x = torch.linspace(-8, 8, 33, dtype=torch.float64)
    f, _ = act.get(name)
    np.testing.assert_allclose(act.torch_activation(name)(x).numpy(), f(x.numpy()), rtol=1e-12)


def test_stable_sigmoid_and_tanh_at_extremes_and_dtypes():
    x = np.array([-1000.0, 1000.0])
    np.testing.assert_array_equal(act.sigmoid(x), [0.0, 1.0])
    np.testing.assert_array_equal(act.tanh(x), [-1.0, 1.0])
    assert act.sigmoid(np.float32([3.0])).dtype == np.float32
    assert act.relu([-2, 3]).dtype == np.float64 and list(act.relu([-2, 3])) == [0.0, 3.0]
    assert act.sigmoid_grad(np.array([0.0]))[0] == 0.25 and act.tanh_grad(np.array([0.0]))[0] == 1
    assert act.relu_grad(np.array([0.0]))[0] == 0.0  # PyTorch's choice at the kink
    x0 = torch.tensor(0.0, requires_grad=True)
    torch.relu(x0).backward()
    assert x0.grad.item() == 0.0


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
@given(depth=st.integers(1, 25), w=st.floats(0.25, 2.0), x=st.floats(-3, 3))
def test_chain_gradient_matches_autograd(name, depth, w, x):
    c = act.chain_gradient(name, depth, x=x, w=w)
    x0 = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    h = x0
    for _ in range(depth):
        h = TORCH_F[name](w * h)
    h.backward()
    assert c["h"][-1] == pytest.approx(h.item(), rel=1e-12, abs=1e-300)
    assert c["product"][-1] == pytest.approx(x0.grad.item(), rel=1e-9, abs=1e-300)
    assert len(c["factors"]) == depth


def test_validation_messages():
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        act.get("softmax")
    assert act.get("ReLU") is act.get("relu")
    with pytest.raises(ValueError, match="must hold numbers"):
        act.relu(["a"])
    with pytest.raises(ValueError, match="is None"):
        act.sigmoid(None)
    with pytest.raises(ValueError, match="depth must be at least 1"):
        act.chain_gradient("relu", 0)
    with pytest.raises(ValueError, match="w must be finite"):
        act.chain_gradient("relu", 3, w=float("inf"))


# --------------------------------------------------------------------------- checkers
# The notebook's solutions, right answers and typical mistakes: tests/mistakes/lesson04.py,
# run by tests/test_checkers.py.
def test_stable_checkers_say_they_checked_the_extremes():
    def stable_sigmoid(x):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))

    for checker, fn in ((checks.check_sigmoid, stable_sigmoid), (checks.check_tanh, np.tanh)):
        result = checker(fn, quiet=True)
        assert result.ok and "±1000" in result.message, result.message


# --------------------------------------------------------------------------- explorers
def test_activation_explorer_sweeps_every_control():
    ex = activation_explorer()
    assert set(ex.controls) == {"activation", "w", "b"}
    assert ex.sweep_values("activation") == list(act.NAMES)
    for name in act.NAMES:
        ex.update(activation=name)
        for ctl in ("w", "b"):
            pngs = set()
            for v in ex.sweep_values(ctl, 5):
                s = ex.update(**{ctl: v})
                assert np.all(np.isfinite(s["y"])) and np.all(np.isfinite(s["slope"]))
                pngs.add(ex.picture)
            assert len(pngs) == 5, (name, ctl)
            ex.update(w=1.0, b=0.0)
    s = ex.update(activation="relu", w=2.0, b=-1.0)
    np.testing.assert_allclose(s["y"], np.maximum(0, 2 * ex.X - 1))
    assert "−b/w = +0.50" in ex.html.value
    s = ex.update(w=0.0)
    assert "no longer depends on x" in ex.html.value and np.ptp(s["y"]) == 0
    pngs = {ex.update(activation=n, w=1.0, b=0.0) and ex.picture for n in act.NAMES}
    assert len(pngs) == 4


def test_vanishing_explorer_sweeps_and_values():
    ex = vanishing_gradient_explorer()
    for name in ("depth", "w"):
        pngs = set()
        for v in ex.sweep_values(name, 5):
            s = ex.update(**{name: v})
            for g in s["grads"].values():
                assert len(g) == s["depth"] and np.all(np.isfinite(g))
            pngs.add(ex.picture)
        assert len(pngs) == 5, name
    s = ex.update(depth=30, w=1.0)
    assert s["final"]["relu"] == 1.0 and s["final"]["sigmoid"] < 0.25 ** 30
    assert s["final"]["sigmoid"] < s["final"]["tanh"] < 1
    s = ex.update(depth=10, w=2.0)
    assert s["final"]["relu"] == 2.0 ** 10  # exploding instead of vanishing
    assert "through 10" in ex.html.value


@pytest.fixture(scope="module")
def bend():
    return nonlinearity_explorer()


def test_nonlinearity_explorer_untrained_sweep(bend):
    ex = bend
    assert set(ex.controls) == {"activation", "width"}
    assert ex.controls["width"].continuous_update is False
    for name in ("activation", "width"):
        pngs = set()
        for v in ex.sweep_values(name, 4):
            s = ex.update(**{name: v})
            assert np.all(np.isfinite(s["prob"])) and 0 <= s["test_acc"] <= 1
            assert not s["trained"] and "not trained yet" in ex.html.value
            pngs.add(ex.picture)
        assert len(pngs) == len(ex.sweep_values(name, 4)), name
        ex.update(activation="linear", width=8)


def _is_straight(lines):
    pts = np.concatenate(lines)
    centred = pts - pts.mean(axis=0)
    return np.linalg.svd(centred, compute_uv=False)[1] < 1e-3 * np.ptp(pts)


def test_nonlinearity_explorer_button_trains_and_boundary_bends(bend):
    ex = bend
    ex.update(activation="linear", width=8)
    n = ex.render_count
    ex.button.click()  # as a learner pressing Train
    s = ex.state
    assert ex.render_count > n and s["trained"] and "held-out accuracy" in ex.html.value
    assert s["test_acc"] < 0.65 and _is_straight(s["boundary"])
    linear_png = ex.picture
    s = ex.update(activation="relu")
    assert not s["trained"]
    s = ex.train()
    assert ex.state["trained"] and ex.state["test_acc"] > 0.8
    assert not _is_straight(ex.state["boundary"]) and ex.picture != linear_png
    s = ex.update(activation="linear")  # switching back shows the trained linear net again
    assert s["trained"] and s["test_acc"] < 0.65
    assert not ex.button.disabled and ex.button.description == "Train"
    assert torch.get_num_threads() >= 1


def test_explorer_validation():
    with pytest.raises(ValueError, match="unknown activation"):
        activation_explorer("softmax")
    with pytest.raises(ValueError, match="TwoFeatureProblem"):
        nonlinearity_explorer(problem=np.zeros((3, 2)))
    ex = activation_explorer()
    with pytest.raises(ValueError, match="must be one of"):
        ex.update(activation="gelu")
