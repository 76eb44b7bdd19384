"""Notebook 08 (Learning loop): backprop.py against torch, the explorers (its checkers:
tests/test_checkers.py with tests/mistakes/lesson08.py)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from workshop_utils import backprop, losses
from workshop_utils.checks._core import numeric_gradient, rel_error
from workshop_utils.explorers import gradient_descent_explorer, training_explorer
from workshop_utils.explorers.learning import LEARNING_RATES, MODELS

floats = st.floats(-10, 10, allow_nan=False)


# --------------------------------------------------------------------------- package vs torch
@given(arrays(np.float64, st.integers(1, 6), elements=floats),
       st.floats(0, 5, allow_nan=False))
def test_sgd_step_matches_torch(theta, lr):
    grad = np.cos(theta) * 3
    t = torch.tensor(theta)
    t -= lr * torch.tensor(grad)
    got = backprop.sgd_step(theta, grad, lr)
    np.testing.assert_allclose(got, t.numpy(), rtol=1e-12, atol=1e-12)
    assert got is not theta and np.array_equal(theta, theta)  # input untouched


pairs = st.integers(2, 40).flatmap(
    lambda n: st.tuples(arrays(np.float64, n, elements=st.floats(0, 1)),
                        arrays(np.float64, n, elements=st.floats(0, 1))))


@given(pairs, st.tuples(floats, floats))
def test_neighbour_loss_and_grad_match_torch_autograd(xy, theta):
    x, y = xy
    if np.ptp(x) < 1e-3:  # a degenerate (flat) x has no unique minimum
        x = x + np.linspace(0, 1, len(x))
    loss = backprop.NeighbourPixelLoss(x, y)
    t = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    ref = torch.mean((t[0] * torch.from_numpy(x) + t[1] - torch.from_numpy(y)) ** 2)
    ref.backward()
    np.testing.assert_allclose(loss.loss(np.array(theta)), ref.item(), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(loss.grad(np.array(theta)), t.grad.numpy(), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(loss.grad(loss.minimum), 0, atol=1e-6)


def test_gradient_descent_matches_torch_sgd_and_the_critical_rate():
    loss = backprop.NeighbourPixelLoss(*backprop.neighbour_pixels(
        np.arange(200, dtype=np.uint8).reshape(10, 20) + np.eye(10, 20, dtype=np.uint8) * 50))
    start = np.array([-0.6, 1.3])
    path = backprop.gradient_descent(loss.grad, start, 0.3, 20)
    t = torch.tensor(start, requires_grad=True)
    opt = torch.optim.SGD([t], lr=0.3)
    x, y = backprop.neighbour_pixels(
        np.arange(200, dtype=np.uint8).reshape(10, 20) + np.eye(10, 20, dtype=np.uint8) * 50)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    for k in range(20):
        opt.zero_grad()
        torch.mean((t[0] * xt + t[1] - yt) ** 2).backward()
        opt.step()
        np.testing.assert_allclose(path[k + 1], t.detach().numpy(), rtol=1e-9, atol=1e-12)
    below = backprop.gradient_descent(loss.grad, start, 0.95 * loss.lr_max, 400)
    above = backprop.gradient_descent(loss.grad, start, 1.05 * loss.lr_max, 400)
    assert np.linalg.norm(below[-1] - loss.minimum) < 1e-3
    assert loss.loss(above[-1]) > 1e3 * loss.loss(start)
    assert np.all(np.isfinite(above))
    huge = backprop.gradient_descent(loss.grad, start, 1e3, 1000)
    assert len(huge) < 1001 and np.all(np.isfinite(huge))  # stopped before overflowing


logit_batches = st.tuples(st.integers(1, 6), st.integers(2, 7)).flatmap(
    lambda nc: st.tuples(arrays(np.float64, nc, elements=st.floats(-1e4, 1e4)),
                         arrays(np.int64, nc[0], elements=st.integers(0, nc[1] - 1))))


@given(logit_batches)
def test_cross_entropy_and_its_gradient_match_torch(zy):
    z, y = zy
    zt = torch.tensor(z, requires_grad=True)
    ref = F.cross_entropy(zt, torch.from_numpy(y))
    ref.backward()
    np.testing.assert_allclose(losses.cross_entropy(z, y), ref.item(), rtol=1e-9, atol=1e-9)
    g = backprop.cross_entropy_grad(z, y)
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, zt.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(g.sum(axis=1), 0, atol=1e-12)  # ŷ and y both sum to 1


@given(st.integers(1, 8), st.integers(1, 9), st.integers(1, 6), st.integers(2, 5), st.integers(0, 99))
def test_mlp_backward_matches_torch_autograd(n, d, hid, c, seed):
    rng = np.random.default_rng(seed)
    params = backprop.init_mlp(d, hid, c, seed=seed)
    params["b1"] = rng.normal(size=hid)  # non-zero biases exercise db1
    X = rng.normal(size=(n, d))
    y = rng.integers(0, c, size=n)
    loss, grads = backprop.mlp_backward(params, X, y)
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    z = torch.relu(torch.from_numpy(X) @ tp["W1"].T + tp["b1"]) @ tp["W2"].T + tp["b2"]
    ref = F.cross_entropy(z, torch.from_numpy(y))
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-10, abs=1e-12)
    for k in backprop.MLP_PARAMS:
        assert grads[k].shape == params[k].shape
        np.testing.assert_allclose(grads[k], tp[k].grad.numpy(), rtol=1e-8, atol=1e-12)


def test_mlp_backward_passes_a_numeric_gradient_check():
    from workshop_utils.data import load_mnist5k

    d = load_mnist5k(seed=0)
    X = d.X_train[:16].reshape(16, -1)[:, ::8] / 255.0  # 98 real pixel features
    y = d.y_train[:16]
    params = backprop.init_mlp(X.shape[1], 7, 10, seed=1)
    _, grads = backprop.mlp_backward(params, X, y)
    for k in ("W2", "b1"):
        def f(v, k=k):
            p = dict(params, **{k: v})
            return losses.cross_entropy(backprop.mlp_forward(p, X)["z"], y)

        num = numeric_gradient(f, params[k])
        assert rel_error(num, grads[k]) < 1e-6


def test_errors_are_clear():
    with pytest.raises(ValueError, match="same shape"):
        backprop.sgd_step(np.zeros(3), np.zeros(2), 0.1)
    with pytest.raises(ValueError, match="at least 0"):
        backprop.sgd_step(np.zeros(3), np.zeros(3), -1)
    with pytest.raises(ValueError, match="must be finite"):
        backprop.gradient_descent(lambda t: t, [0.0, 0.0], float("nan"), 3)
    with pytest.raises(ValueError, match="uint8"):
        backprop.neighbour_pixels(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="2 columns"):
        backprop.neighbour_pixels(np.zeros((4, 1), np.uint8))
    with pytest.raises(ValueError, match="same length"):
        backprop.NeighbourPixelLoss([0.1, 0.2], [0.1])
    with pytest.raises(ValueError, match="constant"):
        backprop.NeighbourPixelLoss([0.5, 0.5, 0.5], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="2 numbers"):
        backprop.NeighbourPixelLoss([0.1, 0.2], [0.1, 0.3]).grad(np.zeros(3))
    with pytest.raises(ValueError, match="N×C"):
        backprop.cross_entropy_grad(np.zeros(3), np.array([0]))
    with pytest.raises(ValueError, match="rows but y has"):
        backprop.cross_entropy_grad(np.zeros((2, 3)), np.array([0]))
    with pytest.raises(ValueError, match=r"lie in 0\.\.2"):
        backprop.cross_entropy_grad(np.zeros((1, 3)), np.array([3]))
    with pytest.raises(ValueError, match="integer class indices"):
        backprop.cross_entropy_grad(np.zeros((1, 3)), np.array([0.5]))
    params = backprop.init_mlp(4, 3, 2)
    with pytest.raises(ValueError, match="features per row"):
        backprop.mlp_forward(params, np.zeros((2, 5)))
    with pytest.raises(ValueError, match="keys"):
        backprop.mlp_forward({"W1": params["W1"]}, np.zeros((2, 4)))
    with pytest.raises(ValueError, match="inconsistent"):
        backprop.mlp_forward(dict(params, b2=np.zeros(5)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="n_classes must be at least 2"):
        backprop.init_mlp(4, 3, 1)


# --------------------------------------------------------------------------- explorers
@pytest.fixture(scope="module")
def gd():
    return gradient_descent_explorer()


def test_gradient_descent_explorer_sweeps_whole_range(gd):
    assert gd.sweep_values("lr") == list(LEARNING_RATES)
    pngs = set()
    for lr in gd.sweep_values("lr"):
        for steps in gd.sweep_values("steps"):
            s = gd.update(lr=lr, steps=steps)
            assert np.all(np.isfinite(s["path"])) and np.all(np.isfinite(s["losses"]))
            assert 1 <= len(s["path"]) <= steps + 1
            assert f"η = {lr:g}" in gd.html.value
            if steps == 100:
                diverged = lr > gd.loss.lr_max
                assert (s["regime"] == "diverges") == diverged, (lr, s["regime"])
                if diverged:
                    assert s["losses"][-1] > 100 * s["losses"][0]
                else:
                    assert s["losses"][-1] < s["losses"][0]
            pngs.add(gd.picture)
    assert len(pngs) > 50


def test_gradient_descent_explorer_slider_drives_redraw(gd):
    gd.update(lr=0.1, steps=30)
    n, before = gd.render_count, gd.picture
    gd.controls["steps"].value = 31
    assert gd.render_count == n + 1 and gd.picture != before and len(gd.state["path"]) == 32
    with pytest.raises(ValueError, match="must be one of"):
        gd.update(lr=0.3)
    with pytest.raises(ValueError, match="NeighbourPixelLoss"):
        gradient_descent_explorer(loss="bowl")


@pytest.fixture(scope="module")
def trainer():
    return training_explorer(n_train=600)


def test_training_explorer_sliders_do_not_train(trainer):
    n_before = trainer.render_count
    for name in trainer.controls:
        for v in trainer.sweep_values(name):
            s = trainer.update(**{name: v})
            assert s["params"][name] == v and s["history"] is None
    assert trainer.render_count > n_before
    for name in ("lr", "batch_size", "epochs"):
        assert trainer.controls[name].continuous_update is False


def test_training_explorer_trains_on_click(trainer):
    trainer.update(model=MODELS[0], lr=3e-3, batch_size=32, epochs=3)
    before = trainer.picture
    trainer.button.click()  # as a learner would
    h = trainer.state["history"]
    assert len(h.loss) == 3 and len(h.val_acc) == 3 and all(np.isfinite(h.loss))
    assert h.val_acc[-1] > 0.6  # 600 digits, 3 epochs: well above chance (10%)
    assert trainer.progress.value == 3 and not trainer.button.disabled
    assert "done" in trainer.html.value and trainer.picture != before
    trainer.update(epochs=2)
    assert "press Train again" in trainer.html.value
    trainer.update(lr=1.0, batch_size=512, epochs=1)  # the largest rate: no crash, no NaN drawn
    h2 = trainer.train()
    assert trainer.state["previous"] is h and len(h2.loss) <= 1
    assert "done" in trainer.message or "diverged" in trainer.message


def test_training_explorer_says_how_long_before_it_starts(trainer):
    shown = []
    trainer.update(model=MODELS[0], lr=3e-3, batch_size=64, epochs=2)
    redraw = trainer.redraw
    trainer.redraw = lambda: (shown.append(trainer.message), redraw())[1]
    try:
        trainer.train()
    finally:
        del trainer.redraw
    # the first thing shown after the click is the estimate; then the epochs, then "done"
    assert shown[0].startswith("training: about ") and "s expected" in shown[0]
    assert f"about {max(1, round(trainer.estimate_s))} s" in shown[0]
    assert trainer.estimate_s > 0 and "done" in shown[-1]


def test_training_explorer_small_cnn(trainer):
    trainer.update(model=MODELS[1], lr=3e-3, batch_size=128, epochs=1)
    h = trainer.train()
    assert len(h.loss) == 1 and np.isfinite(h.loss[0])
    assert type(trainer.model).__name__ == "SmallCNN"
    with pytest.raises(ValueError, match="n_train"):
        training_explorer(n_train=0)
