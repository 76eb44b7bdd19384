"""fit's speed and recipe options (issue 27): AdamW's betas, an averaged copy of the weights,
bfloat16 autocast with a float32 fallback. Their defaults keep what fit did before."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from workshop_utils import training
from workshop_utils.models import SmallCNN
from workshop_utils.training import evaluate, fit, training_precision
from workshop_utils.vit import TinyViT


def _data(n=48, d=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g)
    return X, (X[:, 0] > 0).long() + (X[:, 1] > 0).long()


def _weights(model):
    return [p.detach().clone() for p in model.parameters()]


def _train(epochs=3, **kw):
    X, y = _data()
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    hist = fit(model, X, y, epochs=epochs, lr=0.05, batch_size=len(X), onecycle=False,
               progress=False, X_val=X, y_val=y, **kw)
    return model, hist


def test_the_new_options_default_to_what_fit_did():
    m1, h1 = _train()
    m2, h2 = _train(betas=(0.9, 0.999), average=0.0, precision="float32")
    for a, b in zip(_weights(m1), _weights(m2)):
        assert torch.equal(a, b)
    assert h1.loss == h2.loss


def test_betas_reach_adamw():
    m1, _ = _train()
    m2, _ = _train(betas=(0.8, 0.95))
    assert not torch.equal(m1.weight, m2.weight)
    with pytest.raises(ValueError, match="betas"):
        _train(betas=(0.9, 1.5))


def test_average_returns_the_moving_average_of_the_weights():
    decay, steps = 0.7, 4  # one full batch per epoch: one step per epoch
    X, y = _data()
    torch.manual_seed(0)
    w = [_weights(nn.Linear(4, 3))]
    for k in range(1, steps + 1):  # a constant learning rate: k epochs are the first k steps
        w.append(_weights(_train(epochs=k)[0]))
    avg = [t.clone() for t in w[0]]
    for t in range(1, steps + 1):
        d = min(decay, (1 + t) / (10 + t))
        avg = [a + (1 - d) * (p - a) for a, p in zip(avg, w[t])]
    model, hist = _train(epochs=steps, average=decay)
    for a, b in zip(avg, _weights(model)):
        torch.testing.assert_close(a, b)
    assert hist.val_acc[-1] == evaluate(model, X, y)  # the held-out numbers are the average's
    assert not torch.equal(model.weight, _train(epochs=steps)[0].weight)


def test_precision_is_checked_and_falls_back_to_float32(monkeypatch):
    with pytest.raises(ValueError, match="precision"):
        training_precision("float16")
    monkeypatch.setattr(training, "bf16_supported", lambda: False)
    assert training_precision("bfloat16") == "float32"
    m1, _ = _train()
    m2, _ = _train(precision="bfloat16")  # no bfloat16 on "this CPU": exactly float32
    assert torch.equal(m1.weight, m2.weight)


@pytest.mark.skipif(not training.bf16_supported(), reason="this CPU has no bfloat16 instructions")
@pytest.mark.parametrize("make", [lambda: SmallCNN(channels=(2, 4)),
                                  lambda: TinyViT(dim=16, depth=1, heads=2)], ids=["cnn", "vit"])
def test_bfloat16_training_keeps_float32_weights_and_is_seeded(make):
    g = torch.Generator().manual_seed(0)
    X, y = torch.rand(64, 1, 28, 28, generator=g), torch.randint(0, 10, (64,), generator=g)
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = make()
        hist = fit(model, X, y, epochs=2, lr=1e-2, batch_size=32, precision="bfloat16",
                   average=0.9, max_shift=2, max_rotate=10.0, progress=False)
        assert all(p.dtype == torch.float32 for p in model.parameters())
        assert all(torch.isfinite(torch.tensor(hist.loss)))
        runs.append(_weights(model))
    for a, b in zip(*runs):
        assert torch.equal(a, b)
