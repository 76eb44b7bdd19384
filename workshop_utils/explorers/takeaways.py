"""Notebook 10 (Key takeaways): a weight-noise slider, and the self-check quiz."""

from __future__ import annotations

import numpy as np

from ..plotting import COLORS, mosaic
from ._base import Explorer

__all__ = ["weight_noise_explorer", "WeightNoiseExplorer", "quiz", "Quiz", "QUESTIONS",
           "noisy_copy"]

NOISE_LEVELS = tuple(np.round(np.arange(0.0, 3.01, 0.1), 2).tolist())


def noisy_copy(model, sigma: float, seed: int = 0):
    """A copy of ``model`` with every parameter p replaced by p + σ·std(p)·ε, ε ~ N(0, 1).

    The noise is relative to each tensor's own spread, so σ = 1 adds as much noise as the
    trained values have signal. The same ``seed`` gives the same ε for every σ.
    """
    import copy

    import torch

    from .._validate import require_int, require_range

    sigma = require_range(sigma, "sigma", low=0.0)
    gen = torch.Generator().manual_seed(require_int(seed, "seed", low=0))
    noisy = copy.deepcopy(model)
    with torch.no_grad():
        for p in noisy.parameters():
            eps = torch.randn(p.shape, generator=gen, dtype=p.dtype)
            scale = p.std() if p.numel() > 1 else p.abs().mean()
            p.add_(sigma * scale * eps)
    return noisy.eval()


class WeightNoiseExplorer(Explorer):
    """Noise slider σ: the trained weights W, b plus noise, and the accuracy that is left."""

    title = "All the intelligence is in W and b: blur them with noise"
    figsize = (8.6, 3.0)

    def __init__(self, model=None, split=None, n_test: int | None = None, seed: int = 0):
        import ipywidgets as widgets
        import torch

        from .._validate import require_int

        if model is None:
            from ..trained import pretrained_cnn

            model = pretrained_cnn(0, verbose=False)
        if not hasattr(model, "conv1"):
            raise ValueError(f"model should be a SmallCNN (it draws conv1's kernels); got "
                             f"{type(model).__name__}")
        if split is None:
            from ..data import load_mnist5k

            split = load_mnist5k(seed=0)
        # all the held-out digits by default (1,000): the σ = 0 accuracy is then the one
        # every other lesson reports for the same network
        n_test = len(split.X_test) if n_test is None else require_int(
            n_test, "n_test", low=10, high=len(split.X_test))
        self.model = model.eval()
        self.seed = require_int(seed, "seed", low=0)
        _, _, Xte, yte = split.tensors()
        self.X, self.y = Xte[:n_test], yte[:n_test]
        self.clean_kernels = model.conv1.weight.detach()[:, 0].numpy().copy()
        self._torch = torch
        self._cache = {}
        # the accuracy at every level, computed once (a few seconds for 1,000 digits on one
        # thread): the background curve, and every slider move is then only a redraw (a fresh
        # forward pass of the noisy network took ~90 ms per move in the browser test, next to
        # Chromium on 2 CPUs)
        self.curve_sigma = NOISE_LEVELS
        self.curve_acc = [self._accuracy(s)[0] for s in self.curve_sigma]
        controls = {"sigma": widgets.SelectionSlider(
            options=[(f"{s:.1f}", s) for s in NOISE_LEVELS], value=0.0, description="noise σ",
            continuous_update=False)}
        super().__init__(controls)

    def _accuracy(self, sigma):
        if sigma not in self._cache:
            torch = self._torch
            noisy = noisy_copy(self.model, sigma, self.seed)
            with torch.no_grad():
                pred = noisy(self.X).argmax(1)
            acc = float((pred == self.y).float().mean())
            kernels = noisy.conv1.weight.detach()[:, 0].numpy().copy()
            self._cache[sigma] = (acc, kernels, pred[:8].numpy())
        return self._cache[sigma]

    def setup(self):
        # a thin empty column keeps the two kernel grids apart
        ax, ax_k0, gap, ax_k = self.fig.subplots(
            1, 4, gridspec_kw={"width_ratios": [1.4, 1, 0.12, 1]})
        gap.set_axis_off()
        ax.plot(self.curve_sigma, self.curve_acc, "-", color="#bbbbbb", lw=2)
        ax.axhline(0.1, color="gray", ls=":", lw=1)
        ax.text(0.0, 0.04, "chance (10%)", ha="left", fontsize=8, color="gray")
        ax.set_xlim(-0.05, NOISE_LEVELS[-1] + 0.05)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("noise σ (× each tensor's spread)")
        ax.set_ylabel(f"accuracy on {len(self.y):,} held-out digits")
        (self.point,) = ax.plot([], [], "o", ms=9, color=COLORS["red"])
        self.acc_text = ax.text(0.97, 0.9, "", transform=ax.transAxes, ha="right", fontsize=10,
                                weight="bold")
        lim = float(np.abs(self.clean_kernels).max())
        self.ncols = int(np.ceil(np.sqrt(len(self.clean_kernels))))
        ax_k0.imshow(mosaic(self.clean_kernels, self.ncols), cmap="RdBu_r", vmin=-lim, vmax=lim,
                     interpolation="nearest")
        ax_k0.set_title("trained W₁ (16 kernels)", fontsize=9)
        self.k_im = ax_k.imshow(mosaic(self.clean_kernels, self.ncols), cmap="RdBu_r", vmin=-lim,
                                vmax=lim, interpolation="nearest")
        # the title's longest text at set-up, so the layout leaves room for it (not clipped)
        self.k_title = ax_k.set_title("W₁ + noise (σ = 0.0)", fontsize=9)
        for a in (ax_k0, ax_k):
            a.set_xticks([])
            a.set_yticks([])
        self.dynamic = [self.point, self.acc_text, self.k_im, self.k_title]

    def compute(self, sigma):
        acc, kernels, preds = self._accuracy(sigma)
        return {"sigma": sigma, "accuracy": acc, "kernels": kernels, "predictions": preds,
                "labels": self.y[:8].numpy()}

    def draw(self, s):
        self.point.set_data([s["sigma"]], [s["accuracy"]])
        self.acc_text.set_text(f"{s['accuracy']:.1%}")
        self.k_im.set_data(mosaic(s["kernels"], self.ncols))
        self.k_title.set_text(f"W₁ + noise (σ = {s['sigma']:.1f})")

    def caption(self, s):
        pairs = ", ".join(f"{t}→{p}" for t, p in zip(s["labels"], s["predictions"]))
        return (f"Same code, same architecture; only the numbers in W and b are blurred. "
                f"σ = {s['sigma']:.1f}: accuracy <b>{s['accuracy']:.1%}</b> on {len(self.y):,} held-out "
                f"digits (chance: 10%). "
                f"First 8 test digits, true→predicted: {pairs}")


def weight_noise_explorer(model=None, split=None, n_test: int | None = None,
                          seed: int = 0) -> WeightNoiseExplorer:
    """Explorer: add noise to every trained weight and bias; watch accuracy fall to chance.

    The accuracy is measured on the first ``n_test`` held-out digits of ``split``; by default
    on all of them (1,000), as everywhere else in the course.
    """
    return WeightNoiseExplorer(model, split, n_test=n_test, seed=seed)


# --------------------------------------------------------------------------- quiz
QUESTIONS = (
    dict(section="01 · Input → Tensor",
         question="A 28×28 colour (RGB) image, as PyTorch expects it, has shape …",
         options=["(28, 28, 3)", "(3, 28, 28)", "(784,)", "(28, 28)"], answer=1,
         explanation="PyTorch puts channels first: C×H×W = 3×28×28. numpy, PIL and matplotlib "
                     "keep them last (28×28×3); moving between them is a transpose, never a reshape."),
    dict(section="02 · Weights & Biases",
         question="A neuron computes z = w₁x₁ + w₂x₂ + b. If both inputs are 0, z is …",
         options=["0", "b", "w₁ + w₂", "undefined"], answer=1,
         explanation="Both products vanish and the bias is left: b lets a neuron output something "
                     "even when every input is zero."),
    dict(section="03 · Layers in a network",
         question="A dense layer y = f(Wx + b) from 784 inputs to 64 outputs learns how many numbers?",
         options=["784", "784 × 64 = 50,176", "784 × 64 + 64 = 50,240", "784 + 64 = 848"], answer=2,
         explanation="W is d_out × d_in = 64 × 784 and b holds one number per output, 64: "
                     "50,176 + 64 = 50,240."),
    dict(section="04 · Activation Functions",
         question="Why put a non-linear activation such as ReLU between layers?",
         options=["It makes each step of training faster",
                  "Without it, stacked linear layers collapse into one linear map",
                  "It makes the outputs sum to 1",
                  "It removes parameters"], answer=1,
         explanation="W₂(W₁x + b₁) + b₂ is again one affine map; only a non-linearity such as "
                     "ReLU = max(0, x) lets depth add expressive power."),
    dict(section="05 · Architectures: CNNs vs. ViTs",
         question="In a CNN, one output of the first convolution depends on …",
         options=["every pixel of the image", "a k×k window of pixels", "exactly one pixel",
                  "the CLS token"], answer=1,
         explanation="A kernel is shared and local: each output sees a k×k neighbourhood. In a ViT, "
                     "self-attention lets every patch use every other patch in a single layer."),
    dict(section="06 · Softmax → Class Probabilities",
         question="softmax([2, 2, 2]) is …",
         options=["[1, 1, 1]", "[1/3, 1/3, 1/3]", "[0, 0, 0]", "[0.5, 0.25, 0.25]"], answer=1,
         explanation="Equal logits give equal probabilities, and they always sum to 1. Adding "
                     "the same number to every logit does not change softmax."),
    dict(section="07 · Loss: Cross-Entropy vs. Focal",
         question="Focal loss with γ = 0 and every αᵢ = 1 is …",
         options=["cross-entropy", "zero", "the squared error", "accuracy"], answer=0,
         explanation="The factor αᵢ(1 − ŷᵢ)^γ becomes 1, leaving −Σ yᵢ log ŷᵢ. γ > 0 fades the "
                     "easy examples; α re-weights rare classes."),
    dict(section="08 · Learning Loop",
         question="During training the loss grows larger at every step. What do you change first?",
         options=["raise the learning rate η", "lower the learning rate η", "train for more epochs",
                  "remove the biases"], answer=1,
         explanation="A loss that grows step after step is the sign of an η that overshoots "
                     "(above 2/λ_max on a bowl): smaller steps settle into the valley."),
    dict(section="09 · Minimal Forward Pass",
         question="A 28×28 input through a convolution with k = 5, stride 2 and padding 2 "
                  "gives maps of size …",
         options=["24 × 24", "14 × 14", "12 × 12", "28 × 28"], answer=1,
         explanation="⌊(H + 2p − k)/s⌋ + 1 = ⌊(28 + 4 − 5)/2⌋ + 1 = 13 + 1 = 14."),
    dict(section="10 · Key Takeaways",
         question="Where does a trained network keep everything it has learned?",
         options=["in the code of its forward pass", "in the values of its weights and biases",
                  "in a copy of the training images", "in the softmax"], answer=1,
         explanation="The code of an untrained and a trained SmallCNN is identical; only W and b "
                     "differ. Blur them and the accuracy falls to chance."),
)


class Quiz:
    """One multiple-choice question per section; a button per option, then an explanation.

    ``answer(i, choice)`` does what clicking does (tests use it); ``state`` holds the
    latest choice per question and the score.
    """

    def __init__(self, questions=QUESTIONS):
        import ipywidgets as widgets

        questions = list(questions)
        if not questions:
            raise ValueError("a quiz needs at least one question")
        for k, q in enumerate(questions):
            missing = {"section", "question", "options", "answer", "explanation"} - set(q)
            if missing:
                raise ValueError(f"question {k} lacks {sorted(missing)}")
            if not 0 <= q["answer"] < len(q["options"]):
                raise ValueError(f"question {k}: answer {q['answer']} is not one of its "
                                 f"{len(q['options'])} options")
        self.questions = questions
        self.choices = {}
        self.buttons, self.feedback, boxes = [], [], []
        for k, q in enumerate(questions):
            row = []
            for j, opt in enumerate(q["options"]):
                b = widgets.Button(description=opt, layout=widgets.Layout(width="auto"),
                                   tooltip=opt)
                b.on_click(lambda _b, k=k, j=j: self.answer(k, j))
                row.append(b)
            fb = widgets.HTML(value="")
            self.buttons.append(row)
            self.feedback.append(fb)
            boxes.append(widgets.VBox([
                widgets.HTML(f"<b>{k + 1}. {q['section']}</b> &nbsp; {q['question']}"),
                widgets.HBox(row, layout=widgets.Layout(flex_flow="row wrap")), fb]))
        self.score_html = widgets.HTML(self._score_text())
        self.widget = widgets.VBox(boxes + [self.score_html])

    def answer(self, question: int, choice: int) -> bool:
        """Choose option ``choice`` for question ``question``; returns whether it is right."""
        from .._validate import require_int

        k = require_int(question, "question", low=0, high=len(self.questions) - 1)
        q = self.questions[k]
        j = require_int(choice, "choice", low=0, high=len(q["options"]) - 1)
        right = j == q["answer"]
        self.choices[k] = j
        for i, b in enumerate(self.buttons[k]):
            b.button_style = ("success" if i == q["answer"] and right else
                              "danger" if i == j and not right else "")
        mark = ("<span style='color:#009E73'>✓ Right.</span>" if right else
                f"<span style='color:#D55E00'>✗ Not quite</span> (you chose “{q['options'][j]}”).")
        self.feedback[k].value = f"{mark} {q['explanation']}"
        self.score_html.value = self._score_text()
        return right

    @property
    def score(self) -> int:
        return sum(self.questions[k]["answer"] == j for k, j in self.choices.items())

    @property
    def state(self) -> dict:
        return {"choices": dict(self.choices), "score": self.score, "answered": len(self.choices),
                "total": len(self.questions)}

    def _score_text(self) -> str:
        return (f"<b>Score: {self.score} / {len(self.questions)}</b> "
                f"({len(self.choices)} answered)")

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def __repr__(self) -> str:
        return f"Quiz({len(self.questions)} questions, score {self.score}/{len(self.questions)})"


def quiz(questions=QUESTIONS) -> Quiz:
    """The course's self-check: one question per section, with buttons and explanations."""
    return Quiz(questions)
