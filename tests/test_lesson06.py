"""Notebook 06 (softmax): the package against torch, the logit explorer (its checkers:
tests/test_checkers.py with tests/mistakes/lesson06.py)."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from workshop_utils import softmax as sm
from workshop_utils.explorers import logit_explorer

# logits up to ±1e4: far past where a naive exp overflows (about 709 in float64)
logit_values = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)
logit_arrays = hnp.arrays(np.float64, st.one_of(
    hnp.array_shapes(min_dims=1, max_dims=1, min_side=1, max_side=12),
    hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=8)), elements=logit_values)


# --------------------------------------------------------------------------- package vs torch
@given(logit_arrays)
def test_softmax_matches_torch(z):
    ours = sm.softmax(z)
    theirs = torch.softmax(torch.from_numpy(z), dim=-1).numpy()
    assert np.all(np.isfinite(ours))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-300)
    assert np.all((ours >= 0) & (ours <= 1))
    np.testing.assert_allclose(ours.sum(axis=-1), 1.0, rtol=1e-12)


@given(logit_arrays)
def test_log_softmax_matches_torch(z):
    ours = sm.log_softmax(z)
    theirs = torch.log_softmax(torch.from_numpy(z), dim=-1).numpy()
    assert np.all(np.isfinite(ours)) and np.all(ours <= 0)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-9)


@given(logit_arrays, st.floats(-1e3, 1e3))
def test_adding_a_constant_changes_nothing(z, c):
    np.testing.assert_allclose(sm.softmax(z + c), sm.softmax(z), rtol=1e-9, atol=1e-12)


@given(logit_arrays, st.floats(0.05, 20.0))
def test_temperature_matches_torch(z, t):
    theirs = torch.softmax(torch.from_numpy(z) / t, dim=-1).numpy()
    np.testing.assert_allclose(sm.softmax(z, temperature=t), theirs, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(sm.log_softmax(z, temperature=t),
                               torch.log_softmax(torch.from_numpy(z) / t, dim=-1).numpy(),
                               rtol=1e-12, atol=1e-9)


@given(hnp.arrays(np.float32, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=6),
                  elements=st.floats(-1e4, 1e4, width=32)))
def test_float32_stays_float32_and_finite(z):
    p = sm.softmax(z)
    assert p.dtype == np.float32 and np.all(np.isfinite(p))
    np.testing.assert_allclose(p, torch.softmax(torch.from_numpy(z), dim=-1).numpy(), atol=1e-6)


def test_naive_softmax_overflows_where_stable_does_not():
    small = np.array([2.0, 1.0, 0.1, -1.0])
    np.testing.assert_allclose(sm.softmax_naive(small), sm.softmax(small))
    big = np.array([1000.0, 999.0, 998.0])
    assert np.all(np.isnan(sm.softmax_naive(big)))
    assert np.all(np.isfinite(sm.softmax(big)))


def test_softmax_other_axis_and_helpers():
    Z = np.arange(12.0).reshape(3, 4)
    np.testing.assert_allclose(sm.softmax(Z, axis=0),
                               torch.softmax(torch.from_numpy(Z), dim=0).numpy())
    np.testing.assert_allclose(sm.logsumexp(np.array([1000.0, 1000.0])), 1000 + np.log(2))
    assert sm.entropy(np.array([1.0, 0.0, 0.0])) == 0.0
    np.testing.assert_allclose(sm.entropy(np.full(4, 0.25)), np.log(4))
    assert sm.softmax([1, 2, 3]).dtype == np.float64  # integer logits work


@pytest.mark.parametrize("bad,kw,match", [
    (np.array([1.0, np.nan]), {}, "finite"),
    (np.array([1.0, np.inf]), {}, "finite"),
    (np.float64(3.0), {}, "single number"),
    (np.zeros((2, 0)), {}, "no classes"),
    (np.zeros(3), {"axis": 1}, "axis"),
    (np.zeros(3), {"temperature": 0.0}, "temperature"),
    (np.zeros(3), {"temperature": -1.0}, "temperature"),
    (np.array(["a", "b"]), {}, "real numbers"),
    (np.array([1.0, 2.0j]), {}, "real numbers"),
    (None, {}, "None"),
])
def test_clear_errors(bad, kw, match):
    with pytest.raises(ValueError, match=match):
        sm.softmax(bad, **kw)


def test_entropy_rejects_negative():
    with pytest.raises(ValueError, match="non-negative"):
        sm.entropy(np.array([-0.5, 1.5]))


# --------------------------------------------------------------------------- explorer
def test_logit_explorer_sweeps_every_slider():
    ex = logit_explorer()
    z0 = np.array([2.0, 1.0, 0.1, -1.0])
    np.testing.assert_allclose(ex.state["probs"], sm.softmax(z0))
    assert set(ex.controls) == {"z0", "z1", "z2", "z3", "shift", "temperature"}
    start = dict(ex.values)
    for name in ex.controls:
        pngs = set()
        for v in ex.sweep_values(name):
            s = ex.update(**{name: v})
            assert np.all(np.isfinite(s["probs"])) and abs(s["sum"] - 1) < 1e-12
            assert np.all((s["probs"] >= 0) & (s["probs"] <= 1))
            assert 0 <= s["entropy"] <= s["max_entropy"] + 1e-12
            assert "sum = 1.000" in ex.html.value
            pngs.add(ex.picture)
        if name != "shift":
            assert len(pngs) >= 4, name  # the picture follows the slider
        ex.update(**{name: start[name]})
    # every slider at its extremes at once
    lo = {n: c.min for n, c in ex.controls.items()}
    hi = {n: c.max for n, c in ex.controls.items()}
    for combo in (lo, hi, {**lo, "z0": 10.0, "temperature": 0.1}):
        s = ex.update(**combo)
        assert np.all(np.isfinite(s["probs"]))
    assert ex.update(**{**lo, "z0": 10.0, "temperature": 0.1})["max_prob"] > 0.999


def test_logit_explorer_shift_moves_logits_not_probabilities():
    ex = logit_explorer()
    before = ex.state["probs"].copy()
    s = ex.update(shift=7.5)
    np.testing.assert_allclose(s["probs"], before, rtol=1e-12)
    np.testing.assert_allclose(s["logits"], np.array([2.0, 1.0, 0.1, -1.0]) + 7.5)


def test_logit_explorer_temperature_sharpens_and_flattens():
    ex = logit_explorer()
    sharp = ex.update(temperature=0.1)["max_prob"]
    flat = ex.update(temperature=5.0)["max_prob"]
    assert sharp > 0.99 and flat < 0.35


def test_logit_explorer_slider_drives_redraw():
    ex = logit_explorer(logits=[0.0, 0.0, 0.0], classes=["cat", "dog", "bird"])
    np.testing.assert_allclose(ex.state["probs"], 1 / 3)
    n, before = ex.render_count, ex.picture
    ex.controls["z1"].value = 3.0
    assert ex.render_count == n + 1 and ex.picture != before and ex.state["argmax"] == 1
    assert "class dog" in ex.html.value


@pytest.mark.parametrize("kw,match", [
    ({"logits": [1.0]}, "2 to 8"),
    ({"logits": np.zeros(9)}, "2 to 8"),
    ({"logits": [[1.0, 2.0]]}, "2 to 8"),
    ({"logits": [1.0, 20.0]}, "between"),
    ({"logits": [1.0, 2.0], "classes": ["a"]}, "class names"),
    ({"temperature": 0.0}, "temperature"),
])
def test_logit_explorer_validates(kw, match):
    with pytest.raises(ValueError, match=match):
        logit_explorer(**kw)
    ex = logit_explorer()
    with pytest.raises(ValueError, match="between"):
        ex.update(temperature=0.0)
