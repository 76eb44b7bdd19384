"""Notebook 07 (cross-entropy vs focal): losses against torch, FocalLoss, the explorer (its checkers:
tests/test_checkers.py with tests/mistakes/lesson07.py)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from workshop_utils import losses
from workshop_utils.checks._core import numeric_gradient
from workshop_utils.explorers import focal_explorer
from workshop_utils.explorers.losses import cnn_batch
from workshop_utils.figures import registry


@st.composite
def batches(draw, max_n=8, max_c=10, extreme=1e4):
    """Logits N×C (up to ±1e4), class-index labels, per-class alpha."""
    n = draw(st.integers(1, max_n))
    c = draw(st.integers(2, max_c))
    z = draw(hnp.arrays(np.float64, (n, c), elements=st.floats(-extreme, extreme)))
    y = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    alpha = draw(hnp.arrays(np.float64, (c,), elements=st.floats(0.0, 3.0)))
    return z, y, alpha


def torch_focal(z, y, gamma, alpha):
    """Focal loss written independently, straight from the formula, in torch (float64)."""
    logp = torch.log_softmax(z, dim=1)
    p = logp.exp()
    Y = F.one_hot(y, z.shape[1]).double()
    return (-(alpha[None, :] * (1 - p) ** gamma * Y * logp).sum(1)).mean()


# --------------------------------------------------------------------------- cross-entropy
@given(batches())
def test_cross_entropy_matches_torch(b):
    z, y, _ = b
    zt, yt = torch.from_numpy(z), torch.from_numpy(y)
    for red in ("mean", "sum", "none"):
        theirs = F.cross_entropy(zt, yt, reduction=red).numpy()
        np.testing.assert_allclose(losses.cross_entropy(z, y, red), theirs, rtol=1e-10, atol=1e-10)
    onehot = losses.one_hot(y, z.shape[1])
    np.testing.assert_allclose(losses.cross_entropy(z, onehot), losses.cross_entropy(z, y),
                               rtol=1e-12)
    assert np.isfinite(losses.cross_entropy(z, y))


@given(batches(), st.floats(0.0, 5.0))
def test_focal_numpy_equals_torch_module_and_formula(b, gamma):
    z, y, alpha = b
    zt, yt, at = torch.from_numpy(z), torch.from_numpy(y), torch.from_numpy(alpha)
    ours = losses.focal_loss(z, y, gamma, alpha)
    module = losses.FocalLoss(gamma, alpha)(zt, yt).item()
    module_onehot = losses.FocalLoss(gamma, alpha)(zt, F.one_hot(yt, z.shape[1])).item()
    assert np.isfinite(ours)
    np.testing.assert_allclose(module, ours, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(module_onehot, ours, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(losses.focal_loss(z, losses.one_hot(y, z.shape[1]), gamma, alpha),
                               ours, rtol=1e-12, atol=1e-12)
    if np.abs(z).max() <= 30:  # the naive formula's 0 * log 0 needs moderate logits
        np.testing.assert_allclose(torch_focal(zt, yt, gamma, at).item(), ours, rtol=1e-9,
                                   atol=1e-9)


@given(batches())
def test_focal_with_gamma_0_alpha_1_is_cross_entropy(b):
    z, y, alpha = b
    zt, yt = torch.from_numpy(z), torch.from_numpy(y)
    ce = F.cross_entropy(zt, yt).item()
    np.testing.assert_allclose(losses.focal_loss(z, y, 0.0, None), ce, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(losses.focal_loss(z, y, 0.0, 1.0), ce, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(losses.FocalLoss(0.0)(zt, yt).item(), ce, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(losses.FocalLoss(0.0, np.ones(z.shape[1]))(zt, yt).item(), ce,
                               rtol=1e-10, atol=1e-10)
    # γ = 0 with per-class α: class-weighted cross-entropy, averaged over the examples
    weighted = F.cross_entropy(zt, yt, weight=torch.from_numpy(alpha), reduction="none").mean()
    np.testing.assert_allclose(losses.FocalLoss(0.0, alpha)(zt, yt).item(), weighted.item(),
                               rtol=1e-10, atol=1e-10)


@given(batches(extreme=1e4), st.sampled_from([0.0, 0.25, 0.5, 1.0, 2.0, 5.0]))
def test_focal_is_finite_with_finite_gradients_for_huge_logits(b, gamma):
    z, y, alpha = b
    z = np.sign(z) * 1e4 + (z == 0) * 1e4  # every logit ±1e4
    zt = torch.tensor(z, requires_grad=True)
    for dtype in (torch.float64, torch.float32):
        zz = zt.to(dtype)
        loss = losses.FocalLoss(gamma, alpha)(zz, torch.from_numpy(y))
        assert torch.isfinite(loss)
        (grad,) = torch.autograd.grad(loss, zt)
        assert torch.all(torch.isfinite(grad))
    assert np.isfinite(losses.focal_loss(z, y, gamma, alpha))
    assert np.isfinite(losses.cross_entropy(z, y))


def test_focal_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    z = torch.tensor(rng.normal(0, 2, size=(5, 4)), requires_grad=True)
    y = torch.tensor([0, 1, 2, 3, 1])
    for gamma in (0.0, 0.5, 2.0):
        fn = losses.FocalLoss(gamma, [0.5, 1.0, 2.0, 1.5])
        assert torch.autograd.gradcheck(lambda t, fn=fn: fn(t, y), (z,))
        grad = torch.autograd.grad(fn(z, y), z)[0].numpy()
        num = numeric_gradient(
            lambda a, g=gamma: losses.focal_loss(a, y.numpy(), g, [0.5, 1.0, 2.0, 1.5]),
            z.detach().numpy())
        np.testing.assert_allclose(grad, num, rtol=1e-5, atol=1e-8)


def test_reductions_and_single_example():
    z = np.array([[2.0, 1.0, 0.1], [0.0, 3.0, -1.0]])
    y = np.array([0, 2])
    per = losses.focal_loss(z, y, 2.0, None, reduction="none")
    assert per.shape == (2,)
    np.testing.assert_allclose(losses.focal_loss(z, y, 2.0, reduction="sum"), per.sum())
    np.testing.assert_allclose(losses.focal_loss(z, y, 2.0), per.mean())
    t = losses.FocalLoss(2.0, reduction="none")(torch.tensor(z), torch.tensor(y))
    np.testing.assert_allclose(t.numpy(), per)
    one = losses.cross_entropy(z[0], 0)  # one example: logits (C,) and an int label
    np.testing.assert_allclose(one, -np.log(np.exp(2) / np.exp([2.0, 1.0, 0.1]).sum()))
    np.testing.assert_allclose(losses.cross_entropy(z[0], [1, 0, 0]), one)


def test_modulating_factor_and_curve():
    p = np.array([0.0, 0.1, 0.5, 0.9, 1.0])
    np.testing.assert_allclose(losses.modulating_factor(p, 2.0), (1 - p) ** 2)
    np.testing.assert_allclose(losses.modulating_factor(p, 0.0), 1.0)
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(losses.focal_curve(p[1:], 0.0), -np.log(p[1:]))
    assert losses.focal_curve(1.0, 2.0) == 0.0
    np.testing.assert_allclose(losses.focal_curve(0.9, 2.0, 0.25), -0.25 * 0.01 * np.log(0.9))


def test_class_weights():
    w = losses.class_weights({0: 100, 1: 10, 2: 1})
    np.testing.assert_allclose(w.mean(), 1.0)
    np.testing.assert_allclose(w[2] / w[0], 100.0)
    np.testing.assert_allclose(losses.class_weights([1, 1, 2], normalise="sum").sum(), 1.0)


def test_focal_loss_module_trains_with_fit():
    from workshop_utils.data import load_mnist5k
    from workshop_utils.models import SmallCNN
    from workshop_utils.training import fit

    X, y, _, _ = load_mnist5k(seed=0).tensors()
    torch.manual_seed(0)
    model = SmallCNN(channels=(4, 8))
    loss_fn = losses.FocalLoss(2.0, losses.class_weights(np.bincount(y[:256].numpy(),
                                                                     minlength=10)))
    hist = fit(model, X[:256], y[:256], epochs=2, lr=3e-3, loss_fn=loss_fn, progress=False)
    assert len(hist.loss) == 2 and all(np.isfinite(hist.loss))
    assert "gamma=2" in repr(loss_fn) and "alpha=[" in repr(loss_fn)
    assert "alpha=1" in repr(losses.FocalLoss()) and "alpha=0.25" in repr(losses.FocalLoss(2, 0.25))


@pytest.mark.parametrize("call,match", [
    (lambda: losses.cross_entropy(np.zeros((3, 4)), np.array([0, 1])), "3 examples .* 2 labels"),
    (lambda: losses.cross_entropy(np.zeros((3, 4)), np.array([0, 1, 4])), "0..3.*out of range"),
    (lambda: losses.cross_entropy(np.zeros((3, 4)), np.array([0, -1, 2])), "out of range"),
    (lambda: losses.cross_entropy(np.zeros((3, 4)), np.array([0.0, 1.0, 2.0])), "integers"),
    (lambda: losses.cross_entropy(np.zeros((3, 4)), np.zeros((3, 3))), "shape"),
    (lambda: losses.cross_entropy(np.zeros((3, 4)), np.ones((3, 4))), "sum to 1"),
    (lambda: losses.cross_entropy(np.zeros((3, 4)), np.zeros((3, 4, 1))), "class indices"),
    (lambda: losses.cross_entropy(np.zeros((2, 3, 4)), np.zeros(2, int)), "N×C"),
    (lambda: losses.cross_entropy(np.array([[np.nan, 1.0]]), np.array([0])), "finite"),
    (lambda: losses.cross_entropy(np.zeros(4), np.array([0, 1])), "one example"),
    (lambda: losses.cross_entropy(np.zeros((3, 4)), np.zeros(3, int), "avg"), "reduction"),
    (lambda: losses.focal_loss(np.zeros((3, 4)), np.zeros(3, int), gamma=-1), "gamma"),
    (lambda: losses.focal_loss(np.zeros((3, 4)), np.zeros(3, int), alpha=[1, 2]), "alpha"),
    (lambda: losses.focal_loss(np.zeros((3, 4)), np.zeros(3, int), alpha=[1, 2, 3, -1]),
     "non-negative"),
    (lambda: losses.one_hot([0, 3], 3), "out of range"),
    (lambda: losses.class_weights([3, 0]), "positive"),
    (lambda: losses.class_weights({1: 3, 2: 4}), "0..C-1"),
    (lambda: losses.modulating_factor([0.5, 1.5], 2.0), "probabilities"),
    (lambda: losses.FocalLoss(gamma=-0.5), "gamma"),
    (lambda: losses.FocalLoss(reduction="avg"), "reduction"),
    (lambda: losses.FocalLoss(alpha=np.ones((2, 2))), "one weight per class"),
    (lambda: losses.FocalLoss()(torch.zeros(3, 4), torch.tensor([0, 1])), "3 examples"),
    (lambda: losses.FocalLoss()(torch.zeros(3, 4), torch.tensor([0, 1, 4])), "0..3"),
    (lambda: losses.FocalLoss()(torch.zeros(3, 4), torch.tensor([0.0, 1.0, 2.0])), "integers"),
    (lambda: losses.FocalLoss()(torch.zeros(3, 4), torch.zeros(3, 3)), "shape"),
    (lambda: losses.FocalLoss()(torch.zeros(4), torch.tensor([0])), "N×C"),
    (lambda: losses.FocalLoss()(np.zeros((3, 4)), np.zeros(3, int)), "torch tensors"),
    (lambda: losses.FocalLoss(alpha=[1.0, 2.0])(torch.zeros(3, 4), torch.zeros(3, dtype=torch.long)),
     "2 class weights .* 4 classes"),
])
def test_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --------------------------------------------------------------------------- explorer
@pytest.fixture(scope="module")
def batch():
    return cnn_batch(64)


def test_cnn_batch_is_real_predictions(batch):
    probs, labels = batch
    assert probs.shape == (64, 10) and labels.shape == (64,)
    np.testing.assert_allclose(probs.sum(1), 1.0, rtol=1e-6)
    assert np.mean(probs.argmax(1) == labels) > 0.8  # a trained network, not noise


def test_focal_explorer_sweeps_every_slider(batch):
    ex = focal_explorer(*batch)
    assert set(ex.controls) == {"gamma", "alpha"}
    shares = []
    for name in ("gamma", "alpha"):
        pngs = set()
        for v in ex.sweep_values(name, 6):
            s = ex.update(**{name: v})
            for key in ("curve", "factor", "focal"):
                assert np.all(np.isfinite(s[key][1:])), (name, v, key)  # curve[0]: p=0.001
            assert np.all(s["focal"] >= 0) and s["focal_total"] >= 0
            assert 0 <= s["easy_share_focal"] <= 1 and 0 <= s["easy_share_ce"] <= 1
            assert np.all(s["factor"] <= 1 + 1e-12)
            assert f"γ = {s['gamma']:.1f}" in ex.html.value
            pngs.add(ex.picture)
            if name == "gamma":
                shares.append(s["easy_share_focal"])
        assert len(pngs) >= 5, name  # the picture follows the slider
        ex.update(gamma=2.0, alpha=1.0)
    # easy examples fade as γ grows
    assert all(a >= b - 1e-12 for a, b in zip(shares, shares[1:])) and shares[-1] < shares[0]
    for combo in ({"gamma": 0.0, "alpha": 0.1}, {"gamma": 5.0, "alpha": 2.0},
                  {"gamma": 5.0, "alpha": 0.1}, {"gamma": 0.0, "alpha": 2.0}):
        s = ex.update(**combo)
        assert np.all(np.isfinite(s["focal"]))


def test_focal_explorer_gamma_0_alpha_1_is_cross_entropy(batch):
    ex = focal_explorer(*batch)
    s = ex.update(gamma=0.0, alpha=1.0)
    np.testing.assert_allclose(s["focal"], s["ce"])
    probs, labels = batch
    np.testing.assert_allclose(s["ce_total"] / len(labels),
                               F.nll_loss(torch.log(torch.from_numpy(probs)),
                                          torch.from_numpy(labels)).item(), rtol=1e-9)
    s2 = ex.update(alpha=0.5)
    np.testing.assert_allclose(s2["focal"], 0.5 * s["ce"])


def test_focal_explorer_slider_drives_redraw(batch):
    ex = focal_explorer(*batch)
    n, before = ex.render_count, ex.picture
    ex.controls["gamma"].value = 4.0
    assert ex.render_count == n + 1 and ex.picture != before and ex.state["gamma"] == 4.0


def test_focal_explorer_default_uses_the_cnn(batch):
    ex = focal_explorer()
    assert len(ex.p_true) == 64


@pytest.mark.parametrize("args,match", [
    ((np.ones((4, 3)) / 3, np.array([0, 1, 2])), "4 integer class indices"),
    ((np.ones((4, 3)) / 3, np.array([0, 1, 2, 3])), "0..2"),
    ((np.ones((4, 3)), np.array([0, 1, 2, 0])), "rows of probabilities"),
    ((np.ones(3) / 3, np.array([0])), "batch N×C"),
])
def test_focal_explorer_validates(args, match):
    with pytest.raises(ValueError, match=match):
        focal_explorer(*args)
    with pytest.raises(ValueError, match="both"):
        focal_explorer(probs=np.ones((4, 3)) / 3)


def test_ce_vs_focal_asset_is_registered():
    assert "ce-vs-focal.png" in registry()
