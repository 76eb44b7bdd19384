"""Notebook 05 (CNNs vs ViTs): conv, patchify and attention against torch; models; checkers; explorers."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop_utils import attention, conv
from workshop_utils.data import load_digits8x8, load_mnist5k, load_photo
from workshop_utils.explorers import (
    attention_explorer,
    conv_geometry_explorer,
    feature_map_explorer,
    kernel_editor,
    patchify_explorer,
    training_monitor,
)
from workshop_utils.models import SmallCNN, count_parameters
from workshop_utils.trained import VIT_CONFIG
from workshop_utils.training import fit, random_affine
from workshop_utils.vit import TinyViT

NB = "05_cnn_vs_vit.ipynb"


# ----------------------------------------------------------------------------- convolution
@st.composite
def conv_problem(draw, max_size=9):
    c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    k = draw(st.integers(1, 5))
    s, p = draw(st.integers(1, 3)), draw(st.integers(0, 2))
    H = draw(st.integers(max(1, k - 2 * p), max_size))
    W = draw(st.integers(max(1, k - 2 * p), max_size))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    X = rng.normal(size=(c_in, H, W)) * scale
    K = rng.normal(size=(c_out, c_in, k, k))
    b = rng.normal(size=c_out) if draw(st.booleans()) else None
    return X, K, b, s, p


def _torch_conv(X, K, b, s, p):
    bt = None if b is None else torch.tensor(b)
    return F.conv2d(torch.tensor(X)[None], torch.tensor(K), bt, stride=s, padding=p)[0].numpy()


@settings(max_examples=40)
@given(conv_problem())
def test_conv_loops_and_vectorised_match_torch(problem):
    X, K, b, s, p = problem
    ref = _torch_conv(X, K, b, s, p)
    tol = 1e-9 * max(1.0, np.abs(ref).max())
    assert np.allclose(conv.conv2d_loops(X, K, b, s, p), ref, rtol=1e-9, atol=tol)
    assert np.allclose(conv.conv2d(X, K, b, s, p), ref, rtol=1e-9, atol=tol)
    assert ref.shape[1:] == (conv.conv_output_size(X.shape[1], K.shape[-1], s, p),
                             conv.conv_output_size(X.shape[2], K.shape[-1], s, p))


@settings(max_examples=40)
@given(conv_problem(max_size=14), st.integers(1, 4))
def test_vectorised_conv_and_im2col_on_batches(problem, n):
    X, K, b, s, p = problem
    Xb = np.stack([X * (i + 1) for i in range(n)])
    ref = F.conv2d(torch.tensor(Xb), torch.tensor(K), None if b is None else torch.tensor(b),
                   stride=s, padding=p).numpy()
    assert np.allclose(conv.conv2d(Xb, K, b, s, p), ref, atol=1e-9 * max(1, np.abs(ref).max()))
    k = K.shape[-1]
    cols = conv.im2col(Xb, k, s, p)
    assert np.allclose(cols, F.unfold(torch.tensor(Xb), k, padding=p, stride=s).numpy())


def test_conv_on_real_images_and_layouts():
    digit = load_mnist5k(seed=0).X_test[0]  # uint8 28×28
    sobel = np.array(conv.KERNEL_PRESETS["Sobel x"], dtype=float)
    Y = conv.conv2d(digit, sobel, padding=1)
    ref = F.conv2d(torch.tensor(digit, dtype=torch.float64)[None, None],
                   torch.tensor(sobel)[None, None], padding=1)[0, 0].numpy()
    assert Y.shape == (28, 28) and np.allclose(Y, ref)
    assert np.allclose(conv.conv2d_loops(digit, sobel, padding=1), ref)
    ident = conv.conv2d(digit, np.array(conv.KERNEL_PRESETS["identity"]), padding=1)
    assert np.array_equal(ident, digit)
    photo = load_photo()[:20, :30]
    chw = np.transpose(photo, (2, 0, 1))
    assert conv.conv2d(chw, np.ones((4, 3, 3, 3))).shape == (4, 18, 28)
    for K in conv.KERNEL_PRESETS.values():
        assert np.asarray(K).shape == (3, 3)


def test_conv_output_size_matches_torch_and_the_cnn():
    for H in (5, 8, 28):
        for k in range(1, 6):
            for s in (1, 2, 3):
                for p in (0, 1, 2):
                    if k > H + 2 * p:
                        continue
                    y = F.conv2d(torch.zeros(1, 1, H, H), torch.zeros(1, 1, k, k), stride=s, padding=p)
                    assert y.shape[-1] == conv.conv_output_size(H, k, s, p)
    assert conv.conv_output_size(conv.conv_output_size(28, 5, 2, 2), 5, 2, 2) == SmallCNN().side == 7
    assert conv.receptive_field([5, 5], [2, 2]) == 13
    assert conv.receptive_field([3], [1]) == 3


def test_receptive_field_is_what_the_gradient_sees():
    torch.manual_seed(0)
    model = SmallCNN()
    x = torch.rand(1, 1, 28, 28, requires_grad=True)
    model.conv2(torch.relu(model.conv1(x)))[0, 0, 3, 3].backward()
    rows = np.flatnonzero(x.grad[0, 0].abs().sum(1).numpy())
    assert rows.max() - rows.min() + 1 <= conv.receptive_field([5, 5], [2, 2])


def test_conv_bad_input_gets_clear_errors():
    with pytest.raises(ValueError, match="larger than the padded"):
        conv.conv2d(np.zeros((3, 3)), np.zeros((5, 5)))
    with pytest.raises(ValueError, match="larger than the padded"):
        conv.conv_output_size(3, 7, 1, 1)
    with pytest.raises(ValueError, match="input channel"):
        conv.conv2d(np.zeros((3, 8, 8)), np.zeros((2, 1, 3, 3)))
    with pytest.raises(ValueError, match="stride must be at least 1"):
        conv.conv2d_loops(np.zeros((8, 8)), np.zeros((3, 3)), stride=0)
    with pytest.raises(ValueError, match="padding must be at least 0"):
        conv.conv2d(np.zeros((8, 8)), np.zeros((3, 3)), padding=-1)
    with pytest.raises(ValueError, match="one bias per output channel"):
        conv.conv2d(np.zeros((1, 8, 8)), np.zeros((2, 1, 3, 3)), b=np.zeros(3))
    with pytest.raises(ValueError, match="C_out×C_in×k×k"):
        conv.conv2d(np.zeros((1, 8, 8)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="H×W, C×H×W"):
        conv.conv2d_loops(np.zeros((1, 1, 8, 8)), np.zeros((1, 1, 3, 3)))
    with pytest.raises(ValueError, match="integer"):
        conv.conv_output_size(28.0, 3)


# ----------------------------------------------------------------------------- attention
@settings(max_examples=40)
@given(st.sampled_from([1, 2, 4, 7, 14, 28]), st.integers(1, 3), st.integers(0, 2**16))
def test_patchify_matches_unfold_and_round_trips(p, c, seed):
    X = np.random.default_rng(seed).random((c, 28, 28))
    P = attention.patchify(X if c > 1 else X[0], p)
    ref = F.unfold(torch.tensor(X)[None], kernel_size=p, stride=p)[0].T.numpy()
    assert P.shape == (attention.num_patches(28, 28, p), c * p * p)
    assert np.allclose(P, ref)
    back = attention.unpatchify(P, p, 28, 28, channels=c)
    assert np.array_equal(back, X if c > 1 else X[0])
    if c == 1:
        vit = TinyViT(patch_size=p, dim=8, depth=1, heads=1)
        assert np.allclose(vit.patchify(torch.tensor(X, dtype=torch.float32)[None])[0].numpy(), P,
                           atol=1e-6)


def test_patchify_errors():
    with pytest.raises(ValueError, match="does not divide"):
        attention.patchify(np.zeros((28, 28)), 5)
    with pytest.raises(ValueError, match="does not divide"):
        TinyViT(patch_size=6)
    with pytest.raises(ValueError, match="H×W or C×H×W"):
        attention.patchify(np.zeros(28), 7)
    with pytest.raises(ValueError, match="should be 16×49"):
        attention.unpatchify(np.zeros((16, 48)), 7, 28, 28)


@settings(max_examples=60)
@given(st.integers(1, 3), st.integers(1, 9), st.integers(1, 9), st.integers(1, 8), st.integers(1, 8),
       st.sampled_from([1e-3, 1.0, 30.0]), st.integers(0, 2**16))
def test_attention_matches_torch(batch, n, m, d, dv, scale, seed):
    rng = np.random.default_rng(seed)
    Q, K = rng.normal(size=(batch, n, d)) * scale, rng.normal(size=(batch, m, d)) * scale
    V = rng.normal(size=(batch, m, dv))
    out, A = attention.scaled_dot_product_attention(Q, K, V, return_weights=True)
    ref = F.scaled_dot_product_attention(*(torch.tensor(t) for t in (Q, K, V))).numpy()
    assert np.all(np.isfinite(out)) and np.allclose(out, ref, atol=1e-9)
    assert np.allclose(A.sum(-1), 1.0) and A.shape == (batch, n, m)


@settings(max_examples=30)
@given(st.sampled_from([(4, 1), (4, 2), (8, 4), (12, 3), (16, 8)]), st.integers(1, 7),
       st.integers(1, 2), st.integers(0, 2**16))
def test_multi_head_matches_nn_multiheadattention(eh, n, batch, seed):
    E, h = eh
    torch.manual_seed(seed)
    mha = torch.nn.MultiheadAttention(E, h, batch_first=True).double()
    with torch.no_grad():
        mha.in_proj_bias.normal_()
        mha.out_proj.bias.normal_()
    X = np.random.default_rng(seed).normal(size=(batch, n, E))
    Xt = torch.tensor(X)
    ref, ref_w = mha(Xt, Xt, Xt, average_attn_weights=False)
    w = [t.detach().numpy() for t in (mha.in_proj_weight, mha.in_proj_bias, mha.out_proj.weight,
                                      mha.out_proj.bias)]
    out, A = attention.multi_head_attention(X, *w, n_heads=h, return_weights=True)
    assert np.allclose(out, ref.detach().numpy(), atol=1e-10)
    assert np.allclose(A, ref_w.detach().numpy(), atol=1e-12)
    assert np.allclose(attention.multi_head_attention(X[0], *w, n_heads=h), out[0])


def test_attention_errors_and_extremes():
    with pytest.raises(ValueError, match="same feature size"):
        attention.scaled_dot_product_attention(np.zeros((3, 4)), np.zeros((3, 5)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="one row per token"):
        attention.scaled_dot_product_attention(np.zeros((3, 4)), np.zeros((3, 4)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="divisible by n_heads"):
        attention.multi_head_attention(np.zeros((3, 6)), np.zeros((18, 6)), np.zeros(18),
                                       np.zeros((6, 6)), np.zeros(6), n_heads=4)
    with pytest.raises(ValueError, match="in_proj_weight should have shape"):
        attention.multi_head_attention(np.zeros((3, 4)), np.zeros((4, 4)), np.zeros(12),
                                       np.zeros((4, 4)), np.zeros(4), n_heads=2)
    # scores of ±1.4e8 (far past exp's overflow): attention's softmax subtracts the largest first
    q, k = np.full((1, 2), 1e4), np.array([[1e4, 1e4], [-1e4, -1e4]])
    out, A = attention.scaled_dot_product_attention(q, k, np.array([[1.0], [2.0]]), return_weights=True)
    np.testing.assert_array_equal(A, [[1.0, 0.0]])
    np.testing.assert_array_equal(out, [[1.0]])


# ----------------------------------------------------------------------------- models
def test_tiny_vit_shapes_attention_and_paths_agree():
    torch.manual_seed(0)
    vit = TinyViT(**VIT_CONFIG).eval()
    x = torch.rand(3, 1, 28, 28)
    st_ = vit.stages(x, return_attention=True)
    assert st_["patches"].shape == (3, 16, 49) and st_["tokens"].shape == (3, 17, 64)
    assert st_["attention"].shape == (3, 3, 4, 17, 17)
    assert torch.allclose(st_["attention"].sum(-1), torch.ones(3, 3, 4, 17))
    assert torch.allclose(st_["z"], vit(x), atol=1e-5)  # explicit softmax path == fused path
    cls = vit.cls_attention(x)
    assert cls.shape == (3, 3, 4, 4, 4) and torch.all(cls.sum((-1, -2)) < 1)
    assert "16 patches of 7×7" in repr(vit) and count_parameters(vit) > 50_000
    with pytest.raises(ValueError, match="N×1×28×28"):
        vit(torch.rand(3, 28, 28))
    with pytest.raises(ValueError, match="divisible"):
        TinyViT(dim=30, heads=4)


def test_vit_block_attention_is_multihead_attention():
    torch.manual_seed(1)
    vit = TinyViT(**VIT_CONFIG)
    attn = vit.blocks[0].attn
    tokens = torch.rand(2, 17, 64)
    ours, A = attn(tokens, return_weights=True)
    w = [t.detach().numpy() for t in (attn.in_proj.weight, attn.in_proj.bias, attn.out_proj.weight,
                                      attn.out_proj.bias)]
    ref, ref_A = attention.multi_head_attention(tokens.numpy(), *w, n_heads=4, return_weights=True)
    assert np.allclose(ours.detach().numpy(), ref, atol=1e-5)
    assert np.allclose(A.detach().numpy(), ref_A, atol=1e-6)


def test_small_cnn_stages_are_the_minimal_forward_pass():
    torch.manual_seed(0)
    model = SmallCNN()
    s = model.stages(torch.rand(2, 1, 28, 28))
    assert list(s) == ["X", "H1", "H2", "h", "z"]
    assert s["H1"].shape == (2, 16, 14, 14) and s["H2"].shape == (2, 32, 7, 7)
    assert s["h"].shape == (2, 1568) and s["z"].shape == (2, 10)
    assert not any(isinstance(m, (torch.nn.MaxPool2d, torch.nn.AvgPool2d)) for m in model.modules())


def test_random_affine_and_fit_with_augmentation():
    x = torch.rand(5, 1, 28, 28)
    assert torch.allclose(random_affine(x), x, atol=1e-5)  # no shift, rotation or zoom: unchanged
    g = torch.Generator().manual_seed(0)
    y = random_affine(x, 2, 15, 0.15, g)
    assert y.shape == x.shape and torch.all(torch.isfinite(y)) and not torch.allclose(y, x)
    split = load_mnist5k(seed=0)
    Xtr, ytr, _, _ = split.tensors()
    torch.manual_seed(0)
    model = SmallCNN(channels=(4, 8))
    monitor = training_monitor(2, "test", live=False)
    h = fit(model, Xtr[:256], ytr[:256], epochs=2, lr=3e-3, batch_size=64, max_shift=2,
            max_rotate=15.0, max_scale=0.15, progress=False, on_epoch=monitor.on_epoch)
    assert len(h.loss) == 2 and h.seconds > 0 and monitor.loss == h.loss
    assert len(monitor.seconds) == 2 and "2/2 epochs" in repr(monitor)
    with pytest.raises(ValueError, match="max_rotate"):
        fit(model, Xtr[:8], ytr[:8], epochs=1, max_rotate=-1.0, progress=False)


@settings(max_examples=30)
@given(n=st.integers(1, 9), h=st.integers(1, 12), w=st.integers(1, 12), seed=st.integers(0, 2**16))
def test_random_affine_grid_matches_torch_affine_grid(n, h, w, seed):
    """The sampling grid is F.affine_grid's (align_corners=False), computed another way."""
    from workshop_utils.training import _base_grid

    theta = torch.randn(n, 2, 3, generator=torch.Generator().manual_seed(seed))
    ref = F.affine_grid(theta, [n, 1, h, w], align_corners=False)
    ours = (_base_grid(h, w, torch.float32) @ theta.permute(2, 0, 1).reshape(3, 2 * n))
    ours = ours.reshape(h, w, n, 2).permute(2, 0, 1, 3)
    assert torch.allclose(ours, ref, atol=1e-5)


def _blob(n, size=28, centre=(13.5, 13.5), sigma=3.0):
    yy, xx = torch.meshgrid(torch.arange(size, dtype=torch.float32),
                            torch.arange(size, dtype=torch.float32), indexing="ij")
    b = torch.exp(-((yy - centre[0]) ** 2 + (xx - centre[1]) ** 2) / (2 * sigma ** 2))
    return b.expand(n, 1, size, size).clone()


def _centre_of_mass(x):
    n, _, h, w = x.shape
    yy, xx = torch.meshgrid(torch.arange(h, dtype=x.dtype), torch.arange(w, dtype=x.dtype), indexing="ij")
    m = x.sum(dim=(1, 2, 3))
    return (x[:, 0] * yy).sum(dim=(1, 2)) / m, (x[:, 0] * xx).sum(dim=(1, 2)) / m


def test_random_affine_without_a_range_is_the_identity_and_a_seed_repeats_it():
    x = torch.rand(4, 2, 28, 28, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(random_affine(x, 0.0, 0.0, 0.0, torch.Generator().manual_seed(1)), x, atol=1e-5)
    a = random_affine(x, 2, 15.0, 0.15, torch.Generator().manual_seed(3))
    b = random_affine(x, 2, 15.0, 0.15, torch.Generator().manual_seed(3))
    c = random_affine(x, 2, 15.0, 0.15, torch.Generator().manual_seed(4))
    assert torch.equal(a, b) and not torch.allclose(a, c)
    # bilinear interpolation with zero fill: every value lies between 0 and the input's extremes
    assert a.min() >= min(0.0, float(x.min())) - 1e-6 and a.max() <= float(x.max()) + 1e-6


def test_random_affine_shifts_by_at_most_max_shift_pixels_each_way():
    x = _blob(256)
    y0, x0 = _centre_of_mass(x)
    y1, x1 = _centre_of_mass(random_affine(x, max_shift=2.0, generator=torch.Generator().manual_seed(0)))
    dy, dx = y1 - y0, x1 - x0
    assert dy.abs().max() <= 2.0 + 1e-3 and dx.abs().max() <= 2.0 + 1e-3
    assert dy.abs().max() > 1.5 and dx.abs().max() > 1.5  # the whole range is used
    assert dy.min() < -1.0 < 1.0 < dy.max() and dx.min() < -1.0 < 1.0 < dx.max()  # both ways


def test_random_affine_rotates_and_scales_about_the_image_centre():
    x = _blob(64)  # a round blob at the centre: rotation leaves it, scaling changes its size only
    rotated = random_affine(x, max_rotate=15.0, generator=torch.Generator().manual_seed(0))
    # (bilinear resampling of the blob differs from it by about 0.016; off-centre rotation by ~1)
    assert torch.allclose(rotated, x, atol=0.03)
    scaled = random_affine(x, max_scale=0.15, generator=torch.Generator().manual_seed(0))
    y0, x0 = _centre_of_mass(x)
    y1, x1 = _centre_of_mass(scaled)
    assert torch.allclose(y1, y0, atol=1e-3) and torch.allclose(x1, x0, atol=1e-3)
    ratio = scaled.sum(dim=(1, 2, 3)) / x.sum(dim=(1, 2, 3))  # the area grows as scale²
    assert ratio.min() >= 0.85 ** 2 - 0.01 and ratio.max() <= 1.15 ** 2 + 0.01
    assert ratio.min() < 0.85 and ratio.max() > 1.2


def test_fit_or_load_trains_once_then_loads_weights_and_history_and_replays_them(tmp_path, monkeypatch):
    """Lesson 05's one call: fit the first time, load (and replay the curve) after."""
    from workshop_utils import cache
    from workshop_utils.trained import fit_or_load, identity, key_of

    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path))
    monkeypatch.delenv("WORKSHOP_RETRAIN", raising=False)
    cache.forget_memory()
    Xtr, ytr, _, _ = load_mnist5k(seed=0).tensors()
    X, y = Xtr[:128], ytr[:128]
    recipe = dict(epochs=3, batch_size=64)
    live = []
    m1, h1 = fit_or_load(SmallCNN(channels=(2, 4)), X, y, progress=False, verbose=False,
                         on_epoch=lambda e, h: live.append(e), **recipe)
    assert live == [0, 1, 2] and len(h1.loss) == 3 and h1.times[-1] == h1.seconds
    torch.manual_seed(0)
    ref = SmallCNN(channels=(2, 4))
    ref_h = fit(ref, X, y, seed=0, progress=False, **recipe)  # exactly fit's result
    assert ref_h.loss == h1.loss
    for a, b in zip(m1.state_dict().values(), ref.state_dict().values()):
        assert torch.equal(a, b)
    key = key_of(identity(SmallCNN(channels=(2, 4)), X, y, seed=0, **recipe))
    assert (tmp_path / "weights" / f"{key}.pt").exists()
    assert (tmp_path / "weights" / f"{key}.pt.sha256").exists()  # one unit + its manifest
    seen = []
    m2, h2 = fit_or_load(SmallCNN(channels=(2, 4)), X, y, progress=False, verbose=False,
                         on_epoch=lambda e, h: seen.append((e, list(h.loss), h.seconds)), **recipe)
    assert h2.loss == h1.loss and h2.seconds == h1.seconds, "a second call loads"
    assert [e for e, _, _ in seen] == [0, 1, 2] and seen[-1][1] == h1.loss and seen[0][1] == h1.loss[:1]
    for a, b in zip(m1.state_dict().values(), m2.state_dict().values()):
        assert torch.equal(a, b)

    def broken_callback(epoch, history):
        raise KeyError("the learner's callback")

    with pytest.raises(KeyError, match="callback"):  # not mistaken for a broken cache
        fit_or_load(SmallCNN(channels=(2, 4)), X, y, verbose=False, on_epoch=broken_callback, **recipe)
    again = []
    fit_or_load(SmallCNN(channels=(2, 4)), X, y, progress=False, verbose=False, retrain=True,
                on_epoch=lambda e, h: again.append(e), **recipe)
    assert again == [0, 1, 2]
    with pytest.raises(ValueError, match="configuration"):
        fit_or_load(torch.nn.Linear(784, 10), X, y, **recipe)
    with pytest.raises(ValueError, match="retrain"):
        fit_or_load(SmallCNN(), X, y, retrain="yes", **recipe)


def test_lesson_05s_models_are_the_ones_later_lessons_load(monkeypatch, tmp_path):
    """What lesson 05's call trains is what pretrained_cnn / pretrained_vit load: on a hub
    (no live training) the call loads exactly their weights and training history."""
    from workshop_utils import cache
    from workshop_utils.trained import CNN_RECIPE, VIT_RECIPE, fit_or_load, pretrained_cnn, pretrained_vit

    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path))
    monkeypatch.setenv("WORKSHOP_TRAIN_LIVE", "0")
    monkeypatch.delenv("WORKSHOP_RETRAIN", raising=False)
    cache.forget_memory()
    X_train, y_train, _, _ = load_mnist5k(seed=0).tensors()
    for make, recipe, pretrained in ((SmallCNN, CNN_RECIPE, pretrained_cnn),
                                     (lambda: TinyViT(**VIT_CONFIG), VIT_RECIPE, pretrained_vit)):
        model, hist = fit_or_load(make(), X_train, y_train, seed=0, verbose=False, **recipe)
        ref, ref_hist = pretrained(0, verbose=False, with_history=True)
        assert len(hist.loss) == recipe["epochs"] and hist.loss == ref_hist.loss
        for a, b in zip(model.state_dict().values(), ref.state_dict().values()):
            assert torch.equal(a, b)
    assert not (tmp_path / "weights").exists(), "nothing trained"


def test_training_monitor_draws_live():
    monitor = training_monitor(3, "CNN")
    before = monitor.picture

    class H:
        loss, train_acc, seconds = [1.2], [0.6], 0.5

    monitor.on_epoch(0, H)
    assert monitor.picture != before and monitor.image.value == monitor.picture
    with pytest.raises(ValueError, match="epochs"):
        training_monitor(0)


# ----------------------------------------------------------------------------- checkers
# The notebook's solutions, right answers and typical mistakes: tests/mistakes/lesson05.py,
# run by tests/test_checkers.py.


# ----------------------------------------------------------------------------- explorers
@pytest.fixture(scope="module")
def split():
    return load_mnist5k(seed=0)


def _sweep(ex, check):
    pngs = set()
    for name in ex.controls:
        for v in ex.sweep_values(name, n=6):
            s = ex.update(**{name: v})
            check(s)
            pngs.add(ex.picture)
    return pngs


def test_conv_geometry_explorer_sweeps_whole_range():
    ex = conv_geometry_explorer()
    assert set(ex.controls) == {"kernel_size", "stride", "padding", "position"}

    def check(s):
        assert s["H_out"] == conv.conv_output_size(8, s["k"], s["s"], s["p"])
        assert s["Y"].shape == (s["H_out"], s["W_out"]) and np.all(np.isfinite(s["Y"]))
        assert s["window"].shape == (s["k"], s["k"])
        assert np.isclose(s["value"], s["window"].mean())
        assert 0 <= s["position"] <= s["H_out"] * s["W_out"] - 1
        assert ex.controls["position"].max == s["H_out"] * s["W_out"] - 1

    pngs = _sweep(ex, check)
    for k in (1, 7):
        for s_ in (1, 3):
            for p in (0, 3):
                check(ex.update(kernel_size=k, stride=s_, padding=p, position=0))
    s = ex.update(kernel_size=3, stride=1, padding=1)
    assert (s["H_out"], s["W_out"]) == (8, 8) and "= 8" in ex.html.value
    ex.update(position=63)
    assert ex.state["h"] == 7 and ex.state["w"] == 7
    assert len(pngs) > 5
    n, before = ex.render_count, ex.picture
    ex.controls["stride"].value = 2  # as a learner dragging the slider
    assert ex.render_count == n + 1 and ex.picture != before
    with pytest.raises(ValueError, match="small image"):
        conv_geometry_explorer(np.zeros((28, 28)))


def test_kernel_editor_sweeps_and_presets():
    ex = kernel_editor()
    assert len(ex.controls) == 9 and ex.state["preset"] == "Sobel x"

    def check(s):
        assert np.all(np.isfinite(s["Y_photo"])) and np.all(np.isfinite(s["Y_digit"]))
        assert s["Y_digit"].shape == (28, 28)

    pngs = _sweep(ex, check)
    assert len(pngs) > 10
    digit = ex.digit
    for name, K in conv.KERNEL_PRESETS.items():
        s = ex.apply_preset(name)
        assert s["preset"] == name and ex.preset.value == name
        assert np.allclose(s["Y_digit"], conv.conv2d(digit, np.round(np.asarray(K, float), 2), padding=1))
    assert np.allclose(ex.apply_preset("identity")["Y_digit"], digit)
    ex.preset.value = "blur"  # the dropdown, as a learner would
    assert ex.state["preset"] == "blur" and abs(ex.state["sum"] - 0.99) < 1e-9
    ex.update(k11=3.0)
    assert ex.preset.value == "custom" and "custom" in ex.html.value
    s = ex.update(**{f"k{m}{n}": 0.0 for m in range(3) for n in range(3)})
    assert np.all(s["Y_photo"] == 0)  # an all-zero kernel: still finite, still drawn
    with pytest.raises(ValueError, match="unknown preset"):
        ex.apply_preset("emboss")
    with pytest.raises(ValueError, match="grayscale"):
        kernel_editor(digit=np.zeros((2, 28, 28)))


def test_feature_map_explorer(split):
    torch.manual_seed(0)
    model = SmallCNN()
    ex = feature_map_explorer(model, split.X_test[:6], split.y_test[:6])

    def check(s):
        C = 16 if s["layer"] == "H1" else 32
        assert s["maps"].shape == ((C, 14, 14) if C == 16 else (C, 7, 7))
        assert np.all(s["maps"] >= 0) and np.isfinite(s["vmax"])
        assert s["label"] == int(split.y_test[s["image"]])

    pngs = _sweep(ex, check)
    assert len(pngs) >= 6
    with torch.no_grad():
        ref = model.stages(torch.tensor(split.X_test[2:3] / 255.0, dtype=torch.float32)[:, None])
    s = ex.update(image=2, layer="H2")
    assert np.allclose(s["maps"], ref["H2"][0].numpy(), atol=1e-6)
    assert "32×7×7" in ex.html.value
    with pytest.raises(ValueError, match="N×28×28"):
        feature_map_explorer(model, np.zeros((2, 3, 28, 28)))


def test_patchify_explorer(split):
    ex = patchify_explorer(split.X_test[0])
    assert ex.sweep_values("patch_size") == [2, 4, 7, 14, 28]

    def check(s):
        assert s["patches"].shape == (s["N"], s["p"] ** 2) == ((28 // s["p"]) ** 2, s["p"] ** 2)
        assert 0 <= s["i"] < s["N"]
        assert np.allclose(s["patches"][s["i"]], s["patch_pixels"].ravel())

    pngs = _sweep(ex, check)
    for p in (2, 28):
        ex.update(patch_size=p)
        assert ex.controls["patch"].max == (28 // p) ** 2 - 1  # the slider follows N
        check(ex.update(patch=ex.controls["patch"].max))
    assert len(pngs) >= 5
    ex.update(patch_size=7)
    s = ex.update(patch=5)
    assert (s["row"], s["col"]) == (1, 1) and "= 16" in ex.html.value
    with pytest.raises(ValueError, match="patch_size must be one of"):
        patchify_explorer(split.X_test[0], patch_size=5)


def test_attention_explorer(split):
    torch.manual_seed(0)
    vit = TinyViT(**VIT_CONFIG)
    ex = attention_explorer(vit, split.X_test[:5], split.y_test[:5])
    assert ex.sweep_values("head") == [0, 1, 2, 3, 4]

    def check(s):
        assert s["A"].shape == (17, 17) and np.allclose(s["A"].sum(1), 1, atol=1e-5)
        assert s["cls"].shape == (4, 4) and np.all(np.isfinite(s["heat"]))
        assert s["heat"].shape == (28, 28) and s["heat"].max() <= 1 + 1e-9

    pngs = _sweep(ex, check)
    assert len(pngs) >= 5
    ref = vit.cls_attention(torch.tensor(split.X_test[1:2] / 255.0, dtype=torch.float32)[:, None])
    s = ex.update(image=1, layer=2, head=3)
    assert np.allclose(s["cls"], ref[0, 1, 2].numpy(), atol=1e-6)
    with pytest.raises(ValueError, match="non-empty batch"):
        attention_explorer(vit, np.zeros((0, 28, 28)))


def test_geometry_default_digit_is_real():
    img = load_digits8x8(seed=0).X_train[0]
    ex = conv_geometry_explorer(img)
    assert np.allclose(ex.img, img / 255.0)


def test_live_training_on_a_laptop_not_on_a_hub(monkeypatch):
    """Lesson 05 trains live in a single learner's kernel and loads the shipped weights in a
    JupyterHub single-user server (a class hub, Binder); WORKSHOP_TRAIN_LIVE decides either way."""
    from workshop_utils.trained import live_training_enabled

    monkeypatch.delenv("WORKSHOP_TRAIN_LIVE", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    assert live_training_enabled() is True
    monkeypatch.setenv("JUPYTERHUB_USER", "learner-1")
    assert live_training_enabled() is False
    monkeypatch.setenv("WORKSHOP_TRAIN_LIVE", "1")
    assert live_training_enabled() is True
    monkeypatch.delenv("JUPYTERHUB_USER")
    monkeypatch.setenv("WORKSHOP_TRAIN_LIVE", "0")
    assert live_training_enabled() is False
    monkeypatch.setenv("WORKSHOP_TRAIN_LIVE", "yes")
    with pytest.raises(ValueError, match="WORKSHOP_TRAIN_LIVE should be 1"):
        live_training_enabled()
