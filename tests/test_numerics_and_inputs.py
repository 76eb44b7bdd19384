"""Numerics and input checks found by an independent check against torch (float64).

* log-softmax, cross-entropy and focal loss keep losses of about 1e-16 next to logits of 1e4
  (computed as (z − m) − log Σ e^{z − m}, the sum's leading 1 taken out with log1p);
* tanh′ = 1/cosh² stays exact where 1 − tanh² cancels to 0;
* FocalLoss refuses what the numpy focal_loss refuses, with the same words;
* attention, long_tailed, fit and entropy refuse bad input with a clear ValueError.

The exact references are computed with mpmath at 80 significant digits (torch needs it: its
float64 log-softmax rounds 1 + 1e-16 to 1 + 2.2e-16, so torch's own value of a tiny loss is
off by up to 1.1e-16 in absolute terms).
"""

import warnings

import mpmath
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch import nn

from workshop_utils import activations as act
from workshop_utils import attention, data, losses
from workshop_utils import softmax as sm
from workshop_utils.training import fit

EPS = np.finfo(np.float64).eps  # 2.2e-16: torch's absolute error on a tiny log-probability


# --------------------------------------------------------------------------- exact references
def exact_log_softmax(z: np.ndarray) -> np.ndarray:
    """log-softmax of each row of a float64 N×C array, to 80 digits, rounded to float64."""
    out = np.empty_like(z)
    with mpmath.workdps(80):
        for i, row in enumerate(z):
            vals = [mpmath.mpf(float(v)) for v in row]
            lse = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in vals))
            out[i] = [float(v - lse) for v in vals]
    return out


def exact_focal(z: np.ndarray, y: np.ndarray, gamma: float, alpha: np.ndarray) -> np.ndarray:
    """Per-example focal loss −α_t (1 − ŷ_t)^γ log ŷ_t, to 80 digits (γ = 0 is cross-entropy)."""
    out = np.empty(len(z))
    with mpmath.workdps(80):
        for i, (row, t) in enumerate(zip(z, y)):
            vals = [mpmath.mpf(float(v)) for v in row]
            logp = vals[t] - mpmath.log(mpmath.fsum(mpmath.exp(v) for v in vals))
            factor = (-mpmath.expm1(logp)) ** mpmath.mpf(gamma) if gamma else 1
            out[i] = float(-mpmath.mpf(float(alpha[t])) * factor * logp)
    return out


@st.composite
def peaked_batches(draw, max_n=6, max_c=8):
    """Logits N×C at any scale up to ±1e4, each row within 80 of its largest value, and labels
    that are often the largest logit: losses from about 1e-35 (e^−80) up to about 80."""
    n = draw(st.integers(1, max_n))
    c = draw(st.integers(2, max_c))
    base = draw(hnp.arrays(np.float64, (n, 1), elements=st.floats(-1e4, 1e4)))
    gaps = draw(hnp.arrays(np.float64, (n, c), elements=st.floats(0.0, 80.0)))
    z = base - gaps
    y = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    if draw(st.booleans()):
        y = z.argmax(axis=1)  # the easy examples, with the tiny losses
    alpha = draw(hnp.arrays(np.float64, (c,), elements=st.floats(0.0, 3.0)))
    return z, y, alpha


# --------------------------------------------------------------------------- 1. tiny losses
@given(peaked_batches())
def test_log_softmax_is_exact_for_tiny_and_huge_logits(b):
    z, _, _ = b
    ours = sm.log_softmax(z)
    np.testing.assert_allclose(ours, exact_log_softmax(z), rtol=1e-12, atol=0)
    theirs = torch.log_softmax(torch.from_numpy(z), dim=-1).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=8 * EPS)
    np.testing.assert_allclose(sm.log_softmax(z.T, axis=0), ours.T, rtol=1e-14, atol=0)


@given(peaked_batches())
def test_cross_entropy_is_exact_for_tiny_losses(b):
    z, y, _ = b
    exact = exact_focal(z, y, 0.0, np.ones(z.shape[1]))
    ours = losses.cross_entropy(z, y, reduction="none")
    np.testing.assert_allclose(ours, exact, rtol=1e-12, atol=0)
    assert np.all(ours > 0)  # e^−80 and the like are far above float64's smallest number
    theirs = F.cross_entropy(torch.from_numpy(z), torch.from_numpy(y), reduction="none").numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=8 * EPS)
    np.testing.assert_allclose(losses.cross_entropy(z, losses.one_hot(y, z.shape[1]), "none"),
                               exact, rtol=1e-12, atol=0)
    np.testing.assert_allclose(losses.cross_entropy(z, y), exact.mean(), rtol=1e-12, atol=0)


@given(peaked_batches(), st.floats(0.0, 5.0))
def test_focal_loss_is_exact_for_tiny_losses(b, gamma):
    z, y, alpha = b
    exact = exact_focal(z, y, gamma, alpha)
    np.testing.assert_allclose(losses.focal_loss(z, y, gamma, alpha, reduction="none"), exact,
                               rtol=1e-10, atol=0)
    # the torch module (float64) agrees to torch's own rounding of a tiny log-probability
    module = losses.FocalLoss(gamma, alpha, reduction="none")(torch.from_numpy(z), torch.from_numpy(y))
    np.testing.assert_allclose(module.numpy(), exact, rtol=1e-9, atol=32 * EPS * alpha.max())


@pytest.mark.parametrize("row", [[35.0, 0.0], [1e4, 1e4 - 35.0], [-1e4 + 35.0, -1e4]])
def test_loss_of_about_6e_16_is_not_rounded_to_0(row):
    z, y = np.array([row]), np.array([0])
    exact = float(np.log1p(np.exp(-35.0)))  # log(1 + e^−35) = 6.305e-16
    for got in (losses.cross_entropy(z, y), losses.focal_loss(z, y, 0.0), -sm.log_softmax(z)[0, 0]):
        assert got == pytest.approx(exact, rel=1e-14)
    # torch (float64) gives 6.66e-16: 1 + e^−35 rounds to the next float above 1 before the log
    torch_ce = F.cross_entropy(torch.tensor(z), torch.tensor(y)).item()
    assert torch_ce == pytest.approx(exact, abs=EPS / 2)
    # focal with γ = 2: (1 − ŷ)² · (−log ŷ) ≈ (6.3e-16)³, not 0
    assert losses.focal_loss(z, y, 2.0) == pytest.approx(exact ** 3, rel=1e-12)


def test_1e4_scale_logits_match_torch_cross_entropy():
    z = np.array([[1e4, 1e4 - 30.0, 1e4 - 40.0], [1e4, 0.0, -1e4], [9990.0, 1e4, -1e4], [-1e4, 0.0, 1e4]])
    y = np.array([0, 0, 0, 1])
    theirs = F.cross_entropy(torch.from_numpy(z), torch.from_numpy(y), reduction="none").numpy()
    ours = losses.cross_entropy(z, y, reduction="none")
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=2 * EPS)
    np.testing.assert_allclose(ours, exact_focal(z, y, 0.0, np.ones(3)), rtol=1e-12, atol=0)
    assert ours[0] == pytest.approx(np.exp(-30.0) + np.exp(-40.0), rel=1e-12)  # was exactly 0
    assert ours[1] == 0.0 and theirs[1] == 0.0  # e^−1e4 is below the smallest float64
    assert sm.logsumexp(np.array([1e4, 1e4 - 35.0])) == 1e4  # the log-sum-exp itself is 1e4 + 6e-16


def test_log_softmax_keeps_float32_and_empty_batches():
    z = np.array([[20.0, 0.0], [0.0, 0.0]], dtype=np.float32)
    out = sm.log_softmax(z)
    assert out.dtype == np.float32
    assert out[0, 0] == pytest.approx(-np.exp(-20.0), rel=1e-6)  # 2e-9, not rounded away
    assert sm.log_softmax(np.zeros((0, 3))).shape == (0, 3)


# --------------------------------------------------------------------------- 2. tanh′
def exact_tanh_grad(x: torch.Tensor) -> torch.Tensor:
    """1/cosh²(x) in torch float64: sech first, so nothing overflows before |x| ≈ 710 (where
    the true value, below e^−1400, is 0 in float64 anyway)."""
    return (1.0 / torch.cosh(x)) ** 2


@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=8),
                  elements=st.floats(-1000.0, 1000.0)))
def test_tanh_grad_matches_sech_squared(x):
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is right
        ours = act.tanh_grad(x)
    ref = exact_tanh_grad(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-300)  # atol: subnormals only
    assert np.all((ours >= 0) & (ours <= 1))


@given(st.floats(-18.0, 18.0))
def test_tanh_grad_matches_torch_autograd_where_that_is_accurate(x):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    torch.tanh(t).backward()
    assert act.tanh_grad(np.array([x]))[0] == pytest.approx(t.grad.item(), abs=1e-15)


def test_tanh_grad_tails_are_not_0_and_do_not_warn():
    x = np.array([19.0, -20.0, 30.0, 300.0])
    ours = act.tanh_grad(x)
    np.testing.assert_allclose(ours, 4 * np.exp(-2 * np.abs(x)), rtol=1e-12)  # 1.3e-16 at x = 19
    assert np.all(ours > 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            far = act.tanh_grad(np.array([-1000.0, 1000.0, 1e308, -1e308]))
    assert np.all(far == 0.0)
    assert act.tanh_grad(np.array([0.0]))[0] == 1.0
    assert act.tanh_grad(np.float32(9.0)).dtype == np.float32
    assert act.tanh_grad(np.float32(9.0)) == pytest.approx(1 / np.cosh(9.0) ** 2, rel=1e-6)


# --------------------------------------------------------------------------- 3. FocalLoss checks
def _message(fn) -> str:
    with pytest.raises(ValueError) as info:
        fn()
    return str(info.value)


@pytest.mark.parametrize("z,target,match", [
    ([[np.nan, 0.0, 1.0]], [0], "finite"),
    ([[np.inf, 0.0, 1.0]], [0], "finite"),
    ([[0.0, -np.inf, 1.0], [0.0, 0.0, 0.0]], [[1, 0, 0], [0, 1, 0]], "finite"),
    ([[0.0, 1.0, 2.0], [0.0, 0.0, 0.0]], [[1.0, 1.0, 0.0], [1.0, 0.0, 0.0]], "sum to 1"),
    ([[0.0, 1.0, 2.0]], [[0.2, 0.2, 0.2]], "sum to 1"),
    ([[0.0, 1.0, 2.0]], [[-1.0, 2.0, 0.0]], "non-negative"),
    ([[0.0, 1.0, 2.0]], [[np.nan, 1.0, 0.0]], "non-negative"),
    (np.zeros((0, 3)), np.zeros(0, dtype=np.int64), "at least one example"),
    (np.zeros((0, 3)), np.zeros((0, 3)), "at least one example"),
    (np.zeros((2, 0)), np.zeros((2, 0)), "at least one example"),
])
def test_focal_module_refuses_what_numpy_refuses_with_the_same_words(z, target, match):
    z = np.asarray(z, dtype=np.float64)
    target = np.asarray(target)
    zt, tt = torch.from_numpy(z), torch.from_numpy(target)
    numpy_msg = _message(lambda: losses.focal_loss(z, target, 2.0))
    assert numpy_msg == _message(lambda: losses.FocalLoss(2.0)(zt, tt))
    assert numpy_msg == _message(lambda: losses.FocalLoss(0.0, np.ones(max(z.shape[1], 1)))(zt, tt))
    assert numpy_msg == _message(lambda: losses.focal_loss_torch(zt, tt, 1.0))
    with pytest.raises(ValueError, match=match):
        losses.FocalLoss()(zt.float(), tt)


def test_focal_module_still_takes_soft_float32_labels_and_gradients():
    z = torch.randn(4, 3, requires_grad=True)
    soft = torch.full((4, 3), 0.05)
    soft[torch.arange(4), torch.tensor([0, 1, 2, 0])] = 0.9  # label smoothing, float32 rows
    loss = losses.FocalLoss(2.0)(z, soft)
    loss.backward()
    assert torch.isfinite(loss) and torch.all(torch.isfinite(z.grad))
    assert loss.item() == pytest.approx(losses.focal_loss(z.detach().numpy(), soft.numpy(), 2.0), rel=1e-5)


# --------------------------------------------------------------------------- 4. attention
def _qkv(batch=(), n=3, m=5, d=4, dv=2, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(*batch, n, d)), rng.normal(size=(*batch, m, d)),
            rng.normal(size=(*batch, m, dv)))


@pytest.mark.parametrize("which", [0, 1, 2])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_attention_refuses_nan_and_inf(which, bad):
    args = list(_qkv())
    args[which][1, 0] = bad
    name = "QKV"[which]
    with pytest.raises(ValueError, match=rf"^{name} holds NaN or infinite values \(1 of its \d+ numbers, "
                                         rf"shape \({args[which].shape[0]}, {args[which].shape[1]}\)\)"):
        attention.scaled_dot_product_attention(*args)


@pytest.mark.parametrize("which", [0, 1, 2])
def test_attention_refuses_complex_input(which):
    args = list(_qkv())
    args[which] = args[which] + 1j
    with pytest.raises(ValueError, match=rf"^{'QKV'[which]} must hold real numbers; got complex"):
        attention.scaled_dot_product_attention(*args)


def test_attention_names_mismatched_batches_and_missing_keys():
    Q, _, _ = _qkv(batch=(2,))
    _, K, V = _qkv(batch=(3,))
    with pytest.raises(ValueError, match=r"same batch dimensions .*got Q \(2,\), K \(3,\), V \(3,\)"):
        attention.scaled_dot_product_attention(Q, K, V)
    Q, K, V = _qkv(m=0)
    with pytest.raises(ValueError, match=r"K and V hold no tokens \(shapes K \(0, 4\), V \(0, 2\)\)"):
        attention.scaled_dot_product_attention(Q, K, V)
    with pytest.raises(ValueError, match="at least one feature"):
        attention.scaled_dot_product_attention(np.zeros((3, 0)), np.zeros((5, 0)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="overflow"):
        big = np.full((2, 2), 1e200)
        attention.scaled_dot_product_attention(big, big, np.ones((2, 1)))


@given(st.sampled_from([((2,), (1,)), ((2, 3), (3,)), ((4,), ()), ((), (2,))]), st.integers(0, 1000))
def test_attention_broadcasts_batch_dimensions_like_torch(batches, seed):
    bq, bk = batches
    Q = _qkv(batch=bq, seed=seed)[0]
    _, K, V = _qkv(batch=bk, seed=seed + 1)
    out, A = attention.scaled_dot_product_attention(Q, K, V, return_weights=True)
    full = np.broadcast_shapes(bq, bk)
    ref = F.scaled_dot_product_attention(*(torch.from_numpy(np.broadcast_to(t, (*full, *t.shape[-2:])).copy())
                                           for t in (Q, K, V))).numpy()
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(A.sum(-1), 1.0, rtol=1e-12)


def test_multi_head_attention_checks_its_tokens_and_weights():
    E, h = 4, 2
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, E))
    w = [rng.normal(size=(3 * E, E)), rng.normal(size=3 * E), rng.normal(size=(E, E)), rng.normal(size=E)]
    assert attention.multi_head_attention(X, *w, n_heads=h).shape == (3, E)
    bad = [a.copy() for a in w]
    bad[0][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"^in_proj_weight holds NaN or infinite values .*shape \(12, 4\)"):
        attention.multi_head_attention(X, *bad, n_heads=h)
    X_inf = X.copy()
    X_inf[2, 1] = np.inf
    with pytest.raises(ValueError, match=r"^X holds NaN or infinite values \(1 of its 12 numbers, "
                                         r"shape \(3, 4\)\)"):
        attention.multi_head_attention(X_inf, *w, n_heads=h)
    with pytest.raises(ValueError, match="^X must hold real numbers; got complex"):
        attention.multi_head_attention(X + 0j, *w, n_heads=h)
    with pytest.raises(ValueError, match=r"X holds no tokens \(shape \(0, 4\)\)"):
        attention.multi_head_attention(np.zeros((0, E)), *w, n_heads=h)


# --------------------------------------------------------------------------- 5. long_tailed
def _toy(n_classes=4, per_class=30):
    y = np.repeat(np.arange(n_classes), per_class)
    return np.arange(len(y), dtype=np.float64)[:, None], y


@pytest.mark.parametrize("rare,match", [
    ([1, 1], r"^rare lists class 1 twice"),
    ([2, 3, 2], r"^rare lists class 2 twice"),
    ([3, 3, 3], r"^rare lists class 3 3 times"),
    (np.array([0, 0]), r"^rare lists class 0 twice"),
])
def test_long_tailed_refuses_repeated_rare_classes(rare, match):
    X, y = _toy()
    with pytest.raises(ValueError, match=match):
        data.long_tailed(X, y, imbalance=5, rare=rare)


@given(st.lists(st.integers(0, 3), max_size=4, unique=True), st.floats(1.0, 30.0), st.integers(0, 99))
def test_long_tailed_counts_match_the_rows_returned(rare, imbalance, seed):
    X, y = _toy()
    Xs, ys, counts = data.long_tailed(X, y, imbalance=imbalance, rare=rare or None, seed=seed)
    assert counts == {c: int(np.sum(ys == c)) for c in range(4)}
    assert len(Xs) == len(ys) == sum(counts.values())
    assert len(np.unique(Xs)) == len(Xs)  # no image twice
    common = [c for c in range(4) if c not in rare]
    if rare and common:  # the listed classes are the rarest
        assert max(counts[c] for c in rare) <= min(counts[c] for c in common)


# --------------------------------------------------------------------------- 6. fit
def _tiny_data(n=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 4, generator=g) * 10, torch.randint(0, 3, (n,), generator=g)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_fit_blames_the_data_when_x_is_not_finite(bad):
    X, y = _tiny_data()
    Xb = X.clone()
    Xb[3, 1] = bad
    with pytest.raises(ValueError, match=r"^X holds NaN or infinite values \(1 of its 128 numbers, shape "
                                         r"\(32, 4\)\); fix or drop"):
        fit(nn.Linear(4, 3), Xb, y, epochs=1, progress=False)
    with pytest.raises(ValueError, match="^X_val holds NaN or infinite values"):
        fit(nn.Linear(4, 3), X, y, epochs=1, progress=False, X_val=Xb, y_val=y)


@pytest.mark.parametrize("loss_fn", [None, losses.FocalLoss(2.0)], ids=["cross-entropy", "focal"])
def test_fit_still_blames_the_learning_rate_when_finite_input_diverges(loss_fn):
    X, y = _tiny_data()
    with pytest.raises(FloatingPointError, match="lower the learning rate"):
        fit(nn.Linear(4, 3), X, y, epochs=3, lr=1e308, onecycle=False, progress=False, loss_fn=loss_fn)


def test_fit_trains_on_finite_data():
    X, y = _tiny_data()
    hist = fit(nn.Linear(4, 3), X, y, epochs=2, lr=1e-2, progress=False, X_val=X, y_val=y,
               loss_fn=losses.FocalLoss(1.0))
    assert len(hist.loss) == 2 and all(np.isfinite(hist.loss))


# --------------------------------------------------------------------------- 7. entropy
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=10),
                  elements=st.floats(-50.0, 50.0)))
def test_entropy_matches_torch_on_probabilities(z):
    p = torch.softmax(torch.from_numpy(z), dim=-1)
    ref = -torch.special.xlogy(p, p).sum(-1).numpy()
    np.testing.assert_allclose(sm.entropy(p.numpy()), ref, rtol=1e-12, atol=1e-15)


@given(hnp.arrays(np.float32, st.tuples(st.integers(1, 4), st.integers(1, 400)),
                  elements=st.floats(-30.0, 30.0, width=32)))
def test_entropy_takes_float32_probabilities(z):
    p = torch.softmax(torch.from_numpy(z), dim=-1).numpy()
    for q in (p, p.astype(np.float64)):  # float32 rows sum to 1 only to float32 rounding
        assert np.all(np.isfinite(sm.entropy(q)))


@pytest.mark.parametrize("p,match", [
    ([-0.5, 1.5], "non-negative"),
    ([[0.5, 0.5], [1.2, -0.2]], "non-negative"),
    ([2.0, 1.0, 0.5], r"sum to 1 .*sums \[3\.5\]"),
    ([[0.5, 0.5], [0.3, 0.3]], r"sum to 1 .*1 row\(s\) do not, with sums \[0\.6\]"),
    ([0.5, 0.499], "sum to 1"),
    ([0.0, 0.0], "sum to 1"),
    ([0.5, np.nan], "finite"),
])
def test_entropy_refuses_what_is_not_a_distribution(p, match):
    with pytest.raises(ValueError, match=match):
        sm.entropy(np.array(p))


def test_entropy_rows_along_another_axis():
    p = np.array([[0.25, 1.0], [0.75, 0.0]])
    np.testing.assert_allclose(sm.entropy(p, axis=0), [-(0.25 * np.log(0.25) + 0.75 * np.log(0.75)), 0.0])
    with pytest.raises(ValueError, match="along axis -1"):
        sm.entropy(p)


def test_sigmoid_grad_keeps_its_tiny_slopes():
    """σ(1 − σ) cancels to 0 once σ rounds to 1 (x ≳ 37); the slope is still ≈ e^(−x)."""
    from workshop_utils.activations import sigmoid_grad

    x = np.array([-1000.0, -40.0, -5.0, 0.0, 3.0, 40.0, 1000.0])
    t = torch.tensor(x, dtype=torch.float64)
    want = (torch.exp(-t.abs()) / (1 + torch.exp(-t.abs())) ** 2).numpy()
    np.testing.assert_allclose(sigmoid_grad(x), want, rtol=1e-13, atol=0)
    assert sigmoid_grad(np.array([40.0]))[0] > 0
    # against the exact value (80 digits): σ(x)(1 − σ(x)) = e^x / (1 + e^x)²
    xs = np.linspace(-60, 60, 121)
    with mpmath.workdps(80):
        exact = np.array([float(mpmath.exp(mpmath.mpf(v)) / (1 + mpmath.exp(mpmath.mpf(v))) ** 2)
                          for v in xs])
    np.testing.assert_allclose(sigmoid_grad(xs), exact, rtol=1e-13, atol=0)


# ------------------------------------------------------------- bad input named (issue 26)
def test_receptive_field_needs_one_stride_per_kernel():
    from workshop_utils.conv import receptive_field

    assert receptive_field([3, 3], [1, 1]) == 5
    with pytest.raises(ValueError, match="kernel_sizes has 2 entries but strides has 1"):
        receptive_field([3, 3], [1])
    with pytest.raises(ValueError, match="strides must be a list"):
        receptive_field([3, 3], 1)


def test_build_mlp_refuses_an_unknown_activation_even_without_hidden_layers():
    from workshop_utils.layers import build_mlp

    for widths in ([4, 3, 2], [4, 2]):
        with pytest.raises(ValueError, match="unknown activation 'swish'"):
            build_mlp(widths, activation="swish")


def test_long_tailed_refuses_fractional_labels_and_rare_classes():
    y = np.repeat(np.arange(10), 20)
    X = np.zeros((200, 4))
    with pytest.raises(ValueError, match="whole-number class labels"):
        data.long_tailed(X, y + 0.5)
    with pytest.raises(ValueError, match=r"rare must list whole-number class labels .*3\.7"):
        data.long_tailed(X, y, rare=[3.7])
    # whole-valued floats are the same labels
    assert data.long_tailed(X, y.astype(float), rare=[3.0])[2] == data.long_tailed(X, y, rare=[3])[2]


def test_fit_names_a_label_the_model_has_no_output_for():
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 10))
    X, y = torch.zeros(8, 1, 2, 2), torch.arange(8) + 3  # labels 3 … 10, ten outputs
    with pytest.raises(ValueError, match=r"labels outside 0…9 .*\[10\]"):
        fit(model, X, y, epochs=1, progress=False)


def test_elementwise_formulas_pass_nan_through_as_torch_does():
    """The decision: relu, sigmoid, tanh and conv2d are formulas, element by element, and
    give NaN where their input has NaN, exactly as torch does (so a learner sees where it came
    from); softmax, the losses and fit, which would spread one NaN over a whole result or a
    whole training run, refuse it with a ValueError naming the input."""
    from workshop_utils.conv import conv2d

    x = np.array([np.nan, -1.0, 2.0])
    for ours, theirs in ((act.relu, torch.relu), (act.sigmoid, torch.sigmoid), (act.tanh, torch.tanh)):
        np.testing.assert_allclose(ours(x), theirs(torch.from_numpy(x)).numpy(), rtol=1e-15, equal_nan=True)
    img = np.ones((1, 1, 5, 5))
    img[0, 0, 0, 0] = np.nan
    k = np.ones((1, 1, 3, 3))
    np.testing.assert_array_equal(np.isnan(conv2d(img, k)),
                                  torch.isnan(F.conv2d(torch.from_numpy(img), torch.from_numpy(k))).numpy())
    with pytest.raises(ValueError, match="NaN"):
        sm.softmax(x)


@pytest.mark.parametrize("make,control,value,words", [
    ("conv_geometry_explorer", "kernel_size", 2.5, "kernel_size takes whole numbers"),
    ("logit_explorer", "z0", True, "z0 must be a number"),
    ("activation_explorer", "w", "2", "w must be a number"),
    ("activation_explorer", "w", None, "w must be a number"),
    ("activation_explorer", "w", float("nan"), "w must be between"),
])
def test_an_explorer_update_names_the_control_it_refuses(make, control, value, words):
    from workshop_utils import explorers

    ex = getattr(explorers, make)()
    before = dict(ex.state) if isinstance(ex.state, dict) else ex.state
    with pytest.raises(ValueError, match=words):
        ex.update(**{control: value})
    assert ex.controls[control].value == (before or {}).get(control, ex.controls[control].value)


@pytest.mark.parametrize("make,kwargs,words", [
    ("focal_explorer", {"gamma": -1}, "gamma must be between 0.0 and 5.0; got -1"),
    ("focal_explorer", {"alpha": 9}, "alpha must be between"),
    ("activation_explorer", {"w": 99}, "w must be between"),
    ("activation_explorer", {"b": True}, "b must be a number"),
    ("vanishing_gradient_explorer", {"depth": 1000}, "depth must be between 1 and 30"),
    ("neuron_explorer", {"w1": 50}, "w1 must be between"),
    ("gradient_descent_explorer", {"lr": 50}, "lr must be one of"),
    ("gradient_descent_explorer", {"steps": 2.5}, "steps takes whole numbers"),
])
def test_an_explorer_refuses_a_start_value_its_slider_would_clamp(make, kwargs, words):
    from workshop_utils import explorers

    with pytest.raises(ValueError, match=words):
        getattr(explorers, make)(**kwargs)
