"""Notebook 02: the neuron and the affine map against torch, explorers (its checkers:
tests/test_checkers.py with tests/mistakes/lesson02.py)."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from workshop_utils import neuron as nrn
from workshop_utils.checks.neuron import INK_TARGET
from workshop_utils.explorers import affine_explorer, neuron_explorer

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=64)


@st.composite
def neuron_inputs(draw):
    d = draw(st.integers(1, 12))
    n = draw(st.integers(1, 6))
    X = draw(arrays(np.float64, (n, d), elements=finite))
    w = draw(arrays(np.float64, (d,), elements=finite))
    b = draw(finite)
    return X, w, b


@given(neuron_inputs())
def test_neuron_matches_torch_linear(args):
    X, w, b = args
    lin = torch.nn.Linear(X.shape[1], 1, dtype=torch.float64)
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(w)[None])
        lin.bias.fill_(b)
        expected = lin(torch.from_numpy(X)).squeeze(1).numpy()
    scale = np.abs(X) @ np.abs(w) + abs(b) + 1e-300
    np.testing.assert_allclose(nrn.neuron(X, w, b), expected, atol=1e-12 * scale.max())
    np.testing.assert_allclose(nrn.neuron(X[0], w, b), expected[0], atol=1e-12 * scale.max())
    np.testing.assert_allclose(nrn.weighted_sum(X, w) + b, nrn.neuron(X, w, b))


@st.composite
def affine_inputs(draw):
    d_in, d_out, n = draw(st.integers(1, 6)), draw(st.integers(1, 6)), draw(st.integers(1, 6))
    P = draw(arrays(np.float64, (n, d_in), elements=finite))
    W = draw(arrays(np.float64, (d_out, d_in), elements=finite))
    b = draw(arrays(np.float64, (d_out,), elements=finite))
    return P, W, b


@given(affine_inputs())
def test_affine_matches_torch_linear(args):
    P, W, b = args
    expected = torch.nn.functional.linear(torch.from_numpy(P), torch.from_numpy(W),
                                          torch.from_numpy(b)).numpy()
    scale = (np.abs(P) @ np.abs(W).T + np.abs(b)).max() + 1e-300
    got = nrn.affine(P, W, b)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-12 * scale)
    np.testing.assert_allclose(nrn.affine(P[0], W, b), expected[0], atol=1e-12 * scale)


def test_neuron_extremes_and_zero_input_gives_bias():
    assert nrn.neuron(np.zeros(2), [3.0, -7.0], 0.25) == 0.25
    with np.errstate(over="ignore"):  # overflow is visible as inf, never NaN
        assert np.isinf(nrn.neuron([1e308, 1e308], [10.0, 10.0], 0.0))
    assert nrn.neuron(np.array([1, 2], dtype=np.uint8), [1.0, 1.0], 0) == 3.0


def test_validation_messages():
    with pytest.raises(ValueError, match="one weight per input"):
        nrn.neuron([1.0, 2.0, 3.0], [1.0, 2.0], 0.0)
    with pytest.raises(ValueError, match="one number"):
        nrn.neuron([1.0, 2.0], [1.0, 2.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="1-D vector of weights"):
        nrn.neuron([1.0, 2.0], [[1.0, 2.0]], 0.0)
    with pytest.raises(ValueError, match="needs 3 entries"):
        nrn.affine(np.ones((4, 2)), np.ones((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match="2 rows .* but b has 3"):
        nrn.affine(np.ones((4, 3)), np.ones((2, 3)), np.ones(3))
    with pytest.raises(ValueError, match="must hold numbers"):
        nrn.neuron(["a", "b"], [1.0, 2.0], 0.0)
    with pytest.raises(ValueError, match="uint8"):
        nrn.ink_features(np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match="both classes"):
        nrn.ink_problem(6, [6, 7])
    with pytest.raises(ValueError, match="digits 0..9"):
        nrn.ink_problem(6, 12)
    with pytest.raises(ValueError, match="must match"):
        nrn.accuracy([1, 0], [1, 0, 1])


def test_ink_features_and_problem():
    img = np.zeros((28, 28), np.uint8)
    img[:14] = 255
    np.testing.assert_allclose(nrn.ink_features(img), [[14 * 28 / 100, 0.0]])
    prob = nrn.ink_problem(6, 7)
    assert prob.X_train.shape == (800, 2) and prob.X_test.shape == (200, 2)
    assert set(np.unique(prob.y_train)) == {0, 1}
    np.testing.assert_allclose(prob.X_train, nrn.ink_features(prob.images_train))
    assert prob.class_names == ("6", "7") and "'6' (label 0)" in repr(prob)
    grouped = nrn.ink_problem([0, 1], [6, 7])
    assert grouped.X_train.shape == (1600, 2) and grouped.class_names == ("0 or 1", "6 or 7")
    # the line the notebook recommends reaches the accuracy it states
    w, b = np.array([1.0, -1.0]), 0.06
    assert nrn.accuracy(nrn.predict(prob.X_train, w, b), prob.y_train) == pytest.approx(0.93875)
    assert nrn.accuracy(nrn.predict(prob.X_test, w, b), prob.y_test) >= INK_TARGET


# --------------------------------------------------------------------------- explorers
@pytest.fixture(scope="module")
def neuron_demo():
    return neuron_explorer()


def test_neuron_explorer_sweeps_every_slider(neuron_demo):
    ex = neuron_demo
    assert set(ex.controls) == {"w1", "w2", "b"}
    for name in ex.controls:
        pngs = set()
        for v in ex.sweep_values(name, 5):
            s = ex.update(**{name: v})
            assert np.all(np.isfinite(s["z_grid"])) and 0.0 <= s["accuracy"] <= 1.0
            assert np.all(np.isfinite(s["terms"]))
            assert "training accuracy" in ex.html.value
            pngs.add(ex.picture)
        assert len(pngs) == 5, name  # every value drew a different picture
        ex.update(w1=0.0, w2=-1.0, b=0.5)


def test_neuron_explorer_state_is_meaningful(neuron_demo):
    ex = neuron_demo
    s = ex.update(w1=1.0, w2=-1.0, b=0.06)
    assert s["accuracy"] == pytest.approx(0.93875) and s["n_correct"] == 751
    x1, x2 = s["example_x"]
    assert s["example_z"] == pytest.approx(x1 - x2 + 0.06)
    assert s["z_grid"][0, 0] == pytest.approx(0.06)  # z at the origin is the bias
    (a, c), (d, e) = s["line"]
    assert a - d + 0.06 == pytest.approx(0) and c - e + 0.06 == pytest.approx(0)
    s = ex.update(w1=0.0, w2=0.0, b=1.0)  # no weights: no line, every digit on one side
    assert s["line"] is None and s["accuracy"] == 0.5
    s = ex.update(w1=0.0, w2=0.0, b=0.0)
    assert s["line"] is None and np.all(s["z_grid"] == 0)
    s = ex.update(w1=-1.0, w2=1.0, b=-0.06)  # flipped signs: same line, sides swapped
    assert s["accuracy"] == pytest.approx(1 - 0.93875, abs=0.005)  # ties at z = 0 aside


def test_neuron_explorer_slider_drives_redraw(neuron_demo):
    ex = neuron_demo
    n, before = ex.render_count, ex.picture
    ex.controls["b"].value = 0.2
    assert ex.render_count == n + 1 and ex.picture != before and ex.state["b"] == 0.2


def test_affine_explorer_sweeps_every_slider():
    ex = affine_explorer()
    assert set(ex.controls) == {"w11", "w12", "w21", "w22", "b1", "b2"}
    identity = ex.state["points"].copy()
    np.testing.assert_allclose(identity, ex.points)  # defaults: W = I, b = 0
    for name in ex.controls:
        pngs = set()
        for v in ex.sweep_values(name, 5):
            s = ex.update(**{name: v})
            assert np.all(np.isfinite(s["points"])) and np.all(np.isfinite(s["grid"]))
            np.testing.assert_allclose(s["points"], ex.points @ s["W"].T + s["b"])
            pngs.add(ex.picture)
        assert len(pngs) == 5, name
        ex.update(w11=1.0, w12=0.0, w21=0.0, w22=1.0, b1=0.0, b2=0.0)


def test_affine_explorer_singular_and_rotation():
    ex = affine_explorer()
    s = ex.update(w11=1.0, w12=2.0, w21=0.5, w22=1.0)  # columns parallel: det 0
    assert s["det"] == pytest.approx(0.0)
    assert "flattened" in ex.det_text.get_text()
    s = ex.update(w11=0.0, w12=-1.0, w21=1.0, w22=0.0, b1=1.0, b2=-0.5)
    np.testing.assert_allclose(s["e1"], [1.0, 0.5])  # (1, 0) → column 1 (0, 1) plus b
    assert s["det"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="grayscale digit"):
        affine_explorer(np.zeros((28, 28, 3), np.uint8))
    with pytest.raises(ValueError, match="from −2 to 2"):
        affine_explorer(W=[[3.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="2×2"):
        affine_explorer(W=[1.0, 0.0])
    W, b = np.array([[1.5, 0.5], [-0.3, 0.8]]), np.array([-1.0, 0.5])
    ex = affine_explorer(W=W, b=b)  # the notebook's picture as the starting point
    np.testing.assert_allclose(ex.state["W"], W)
    np.testing.assert_allclose(ex.state["points"], ex.points @ W.T + b)
    with pytest.raises(ValueError, match="TwoFeatureProblem"):
        neuron_explorer(problem="6 vs 7")
