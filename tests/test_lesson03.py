"""Notebook 03: parameter counts against torch, the layer builder, and what
the checker of Exercise 3.1 must reject beyond its table (tests/mistakes/lesson03.py)."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from workshop_utils import checks, layers
from workshop_utils.explorers import layer_builder
from workshop_utils.explorers.layers import WIDTH_CHOICES
from workshop_utils.figures.layers import network_geometry
from workshop_utils.models import count_parameters as torch_count
from workshop_utils.neuron import affine


@given(st.lists(st.integers(1, 300), min_size=2, max_size=6))
def test_total_parameters_matches_torchs_count_and_shapes(widths):
    model = layers.build_mlp(widths, "relu", seed=0)
    assert layers.total_parameters(widths) == torch_count(model)
    shapes = layers.layer_shapes(widths)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    assert [tuple(m.weight.shape) for m in linears] == [s.W for s in shapes]
    assert [tuple(m.bias.shape) for m in linears] == [s.b for s in shapes]


def test_build_mlp_layers_and_activation():
    model = layers.build_mlp([784, 128, 64, 10], "tanh", seed=0)
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    assert layers.total_parameters([784, 128, 64, 10]) == 109_386
    assert layers.total_parameters([784, 10]) == 7_850


def test_flatten_matches_torch_and_keeps_pixel_order():
    from workshop_utils.data import load_mnist5k

    imgs = load_mnist5k(seed=0).X_train[:3]
    flat = layers.flatten(imgs)
    assert flat.shape == (3, 784)
    np.testing.assert_array_equal(flat, torch.from_numpy(imgs).flatten(1).numpy())
    assert layers.flatten(imgs[0])[28 * 10 + 15] == imgs[0, 10, 15]


def test_init_linear_is_like_pytorch():
    W, b = layers.init_linear(784, 10, seed=0)
    assert W.shape == (10, 784) and b.shape == (10,)
    assert np.abs(W).max() <= 1 / 28 and np.abs(b).max() <= 1 / 28
    W2, _ = layers.init_linear(784, 10, seed=0)
    np.testing.assert_array_equal(W, W2)


def test_validation_messages():
    # a layer's Wx + b is neuron.affine (the reference of check_linear_batch): its messages
    # name a layer's mistakes too
    with pytest.raises(ValueError, match=r"is W transposed"):
        affine(np.ones((4, 10)), np.ones((10, 784)), np.ones(10))
    with pytest.raises(ValueError, match="needs 784 entries"):
        affine(np.ones((2, 28)), np.ones((10, 784)), np.ones(10))
    with pytest.raises(ValueError, match="flatten images first"):
        affine(np.ones((2, 28, 28)), np.ones((10, 784)), np.ones(10))
    with pytest.raises(ValueError, match="b has 3 entries"):
        affine(np.ones(4), np.ones((2, 4)), np.ones(3))
    with pytest.raises(ValueError, match="at least an input and an output"):
        layers.total_parameters([784])
    with pytest.raises(ValueError, match="at least 1"):
        layers.total_parameters([784, 0, 10])
    with pytest.raises(ValueError, match="list of layer sizes"):
        layers.layer_shapes("784,10")
    with pytest.raises(ValueError, match="unknown activation"):
        layers.build_mlp([2, 3, 1], "softplus")
    with pytest.raises(ValueError, match="one image H×W or a batch"):
        layers.flatten(np.ones(5))


def test_network_geometry():
    g = network_geometry([784, 5, 10], max_nodes=8)
    assert [c["width"] for c in g["columns"]] == [784, 5, 10]
    assert len(g["columns"][0]["ys"]) == 7 and g["columns"][0]["gap_y"] is not None
    assert len(g["columns"][1]["ys"]) == 5 and g["columns"][1]["gap_y"] is None
    assert len(g["edges"]) == 7 * 5 + 5 * 7 and len(g["gaps"]) == 6
    assert len(g["nodes"]["hidden"]) == 5


# --------------------------------------------------------------------------- checkers
# The solutions, right answers and typical mistakes: tests/test_checkers.py with
# tests/mistakes/lesson03.py. Here: the answers a table cannot pin to one code.
@pytest.mark.parametrize("scale", [1.0, 0.5, 100.0])
def test_layer_params_rejects_weights_that_are_not_small(scale):
    rng = np.random.default_rng(1)
    result = checks.check_layer_params(
        lambda d_in, d_out: (scale * rng.normal(size=(d_out, d_in)), np.zeros(d_out)), quiet=True)
    assert not result.ok and result.code == "W_too_large", result.message
    assert "saturat" in result.message


def test_layer_params_rejects_np_empty():
    # np.empty draws nothing: whatever it finds (zeros, NaN, old numbers) must not pass
    for _ in range(3):
        result = checks.check_layer_params(
            lambda d_in, d_out: (np.empty((d_out, d_in)), np.zeros(d_out)), quiet=True)
        assert not result.ok, result.message
        result = checks.check_layer_params(
            lambda d_in, d_out: (0.01 * np.empty((d_out, d_in)), np.empty(d_out)), quiet=True)
        assert not result.ok, result.message


def test_layer_params_explains_why_random_and_small():
    zeros = checks.check_layer_params(lambda d_in, d_out: (np.zeros((d_out, d_in)), np.zeros(d_out)),
                                      quiet=True)
    assert zeros.code == "W_zeros" and "same update" in zeros.message
    ok = checks.check_layer_params(
        lambda d_in, d_out: (0.01 * np.random.default_rng(0).normal(size=(d_out, d_in)), np.zeros(d_out)),
        quiet=True)
    assert ok.ok and "small random" in ok.message


# --------------------------------------------------------------------------- explorer
def test_layer_builder_sweeps_every_control():
    ex = layer_builder()
    assert set(ex.controls) == {"n_hidden", "width_1", "width_2", "width_3", "width_4"}
    for name in ex.controls:
        if name != "n_hidden":
            ex.update(n_hidden=4)  # so that every width slider is in use
        pngs = set()
        values = ex.sweep_values(name, 6)
        for v in values:
            s = ex.update(**{name: v})
            assert s["total"] == layers.total_parameters(s["widths"]) == sum(s["parameters"])
            assert s["widths"][0] == 784 and s["widths"][-1] == 10
            assert f"{s['total']:,} parameters" in ex.html.value
            assert ex.html.value.count("<tr>") == len(s["shapes"]) + 1
            pngs.add(ex.picture)
        assert len(pngs) == len(values), name


def test_layer_builder_state_and_disabled_sliders():
    ex = layer_builder()
    s = ex.update(n_hidden=2, width_1=128, width_2=64)
    assert s["widths"] == [784, 128, 64, 10] and s["total"] == 109_386
    assert ex.controls["width_3"].disabled and not ex.controls["width_2"].disabled
    s = ex.update(n_hidden=0)
    assert s["widths"] == [784, 10] and s["total"] == 7_850
    assert all(ex.controls[f"width_{k}"].disabled for k in range(1, 5))
    n, before = ex.render_count, ex.picture
    ex.controls["n_hidden"].value = 1  # as a learner dragging the slider
    assert ex.render_count == n + 1 and ex.picture != before and ex.state["widths"] == [784, 128, 10]
    with pytest.raises(ValueError, match="must be one of"):
        ex.update(width_1=100)
    with pytest.raises(ValueError, match="among"):
        layer_builder(hidden=(100,))
    assert 1024 in WIDTH_CHOICES
