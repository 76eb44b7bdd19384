# ---
# jupyter:
#   workshop:
#     file: 07_cross_entropy_vs_focal.ipynb
#     schedule:
#       exercises:
#       - core: true
#         id: '7.1'
#         minutes: 10
#       - core: false
#         id: '7.2'
#         minutes: 5
#       - core: false
#         id: '7.3'
#         minutes: 5
#       teach: 20
#       three_hour:
#         minutes: 0
#         plan: skip; lesson 10's section 6 sums it up in two minutes
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 07 · Loss: Cross-Entropy vs. Focal
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dl-math-workshop/deep-learning-workshop/blob/v0.1.0/notebooks/07_cross_entropy_vs_focal.ipynb)
#
# > **Teaching the network from its mistakes**
#
# Softmax (lesson 06) turns a network's logits into probabilities $\hat y$. A **loss**
# compares them with the true label $y$ and gives one number that is small when the
# network is right and sure, and large when it is wrong. Training (lesson 08) lowers that
# number. Here you write the two losses of the outline, cross-entropy and focal loss, from
# scratch, check them against PyTorch, and then measure what they do on a dataset where a
# few digits are rare.
#
# **You will learn to**
# - compute cross-entropy $-\sum_i y_i \log \hat y_i$ from logits, with one-hot labels and with class indices, stably;
# - compute focal loss $-\sum_i \alpha_i (1 - \hat y_i)^\gamma y_i \log \hat y_i$ with per-class weights $\alpha$ and a focusing parameter $\gamma$;
# - explain which examples focal loss down-weights, and why $\gamma = 0$, $\alpha = 1$ gives back cross-entropy;
# - train the same CNN with cross-entropy, class-weighted cross-entropy and focal loss on long-tailed data, and read per-class recall, balanced accuracy and confusion matrices.
#
# **Time:** about 40 minutes: 20 teaching and demos, 10 core exercises, 10 optional.
# **Prerequisites:** lesson 06 (softmax, log-softmax) and lesson 05 (the small CNN).

# %% tags=["setup"] jupyter={"source_hidden": true}
# @title Course set-up: run this cell first { display-mode: "form" }
# --- course set-up (from workshop_utils/course.py via tools/sync_notebooks.py) ---
import sys

if "google.colab" in sys.modules:  # on Colab only: install the course helpers
    import tempfile
    from importlib.metadata import version

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as _keep:
        _keep.write("\n".join(f"{p}=={version(p)}" for p in ("torch", "numpy", "matplotlib", "ipywidgets")))
    # %pip install -q -c {_keep.name} "workshop_utils @ git+https://github.com/dl-math-workshop/deep-learning-workshop@v0.1.0"
from workshop_utils import setup_notebook

setup_notebook(seed=0);
# --- end of course set-up ---

# %% tags=["setup"]
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from IPython.display import display

from workshop_utils.data import load_mnist5k
from workshop_utils.plotting import COLORS, image_grid
from workshop_utils.trained import pretrained_cnn


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1 · Cross-entropy
#
# For one example with one-hot label $y$ (a 1 at the true class, 0 elsewhere) and
# predicted probabilities $\hat y = \operatorname{softmax}(z)$:
#
# $$\mathcal L_{\text{CE}}(y, \hat y) = -\sum_{i=1}^{C} y_i \log \hat y_i$$
#
# Only the true class $t$ survives the sum, so $\mathcal L_{\text{CE}} = -\log \hat y_t$:
# 0 when the network gives the true class probability 1, growing without bound as that
# probability goes to 0. A batch's loss is the mean over its examples.
#
# We take $\log \hat y$ from **log-softmax** (lesson 06), never as the log of a softmax.
# First with one-hot labels, then with class indices (what datasets store, and what
# PyTorch's `F.cross_entropy` takes): picking $\log \hat y_t$ out of each row is the same
# sum without the zeros.

# %% tags=["demo"]
def log_softmax(z):
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def cross_entropy_onehot(z, Y):                  # z: N×C logits, Y: N×C one-hot
    return np.mean(-(Y * log_softmax(z)).sum(axis=1))


def cross_entropy_indices(z, y):                 # y: N class indices
    return np.mean(-log_softmax(z)[np.arange(len(y)), y])


rng = np.random.default_rng(0)
z = rng.normal(0, 2, size=(6, 10))               # 6 examples, 10 classes
y = np.array([3, 0, 9, 3, 5, 1])
Y = np.eye(10)[y]                                # one-hot rows
print("one-hot labels, first row:", Y[0])
ce_torch = F.cross_entropy(torch.tensor(z), torch.tensor(y)).item()
print(f"one-hot {cross_entropy_onehot(z, Y):.6f} | indices {cross_entropy_indices(z, y):.6f} "
      f"| F.cross_entropy {ce_torch:.6f}")
assert np.isclose(cross_entropy_onehot(z, Y), ce_torch)
assert np.isclose(cross_entropy_indices(z, y), ce_torch)
print("both equal F.cross_entropy ✓")

# %% [markdown]
# Why from logits? With logits of ±10,000 (a badly scaled or over-confident network),
# the softmax of a wrong class underflows to exactly 0 and its log is $-\infty$. Log-softmax
# gives the exact large, finite loss, and so does PyTorch:

# %% tags=["demo"]
z_big = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]])
y_big = np.array([0, 0])                         # the second example is confidently wrong
with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
    e = np.exp(z_big - z_big.max(axis=1, keepdims=True))
    naive = np.mean(-np.log((e / e.sum(axis=1, keepdims=True))[np.arange(2), y_big]))
ours = cross_entropy_indices(z_big, y_big)
theirs = F.cross_entropy(torch.tensor(z_big), torch.tensor(y_big)).item()
print(f"log of softmax: {naive} | log-softmax: {ours} | F.cross_entropy: {theirs}")
assert np.isfinite(ours) and np.isclose(ours, theirs)

# %% [markdown]
# On real digits: the course's trained CNN (lesson 05) on 8 test images. The loss of each
# image is $-\log \hat y_t$: tiny where the network is right and sure, large where it is
# unsure or wrong.

# %% tags=["demo"]
digits = load_mnist5k(seed=0)
_, _, X_test, y_test = digits.tensors()
cnn = pretrained_cnn(0)
with torch.no_grad():
    logits_test = cnn(X_test).double()
probs_test = torch.softmax(logits_test, dim=1).numpy()
p_true = probs_test[np.arange(len(y_test)), y_test.numpy()]
hard = np.argsort(p_true)[:4]                     # the 4 the network finds hardest
show = np.concatenate([np.arange(4), hard])
losses_ce = -np.log(p_true[show])
titles = [f"label {y_test[i].item()}, ŷ_t={p_true[i]:.2f}\nloss {l:.2f}" for i, l in zip(show, losses_ce)]
display(image_grid(digits.X_test[show], titles=titles, ncols=8, size=1.3))
print("mean cross-entropy on all 1,000 test digits:",
      round(F.cross_entropy(logits_test, y_test).item(), 4))


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2 · Focal loss
#
# Cross-entropy never stops pushing: an example the network already gets right with
# $\hat y_t = 0.9$ still has loss $-\log 0.9 \approx 0.105$, and thousands of such *easy*
# examples can outweigh a few hard ones. **Focal loss** (Lin et al., 2017) multiplies
# each term by a **modulating factor** $(1 - \hat y_i)^\gamma$ and a class weight
# $\alpha_i$:
#
# $$\mathcal L_{\text{focal}}(y, \hat y) = -\sum_{i=1}^{C} \alpha_i\,(1 - \hat y_i)^\gamma\,y_i\,\log \hat y_i$$
#
# - $\gamma \ge 0$ is the **focusing parameter**: with $\hat y_t = 0.9$ and $\gamma = 2$ the
#   factor is $0.1^2 = 0.01$, so that easy example counts 100× less; a hard example with
#   $\hat y_t = 0.1$ keeps $0.9^2 = 81\%$ of its loss.
# - $\alpha_i$ is a **class weight**, e.g. larger for rare classes.
# - $\gamma = 0$ and $\alpha = 1$ give back cross-entropy exactly.
#
# In numpy, with per-class $\alpha$ (one weight per class) and class-index labels. $1 - \hat y_t$
# is computed as `-np.expm1(log ŷ_t)`, which stays accurate when $\hat y_t$ is very close to 1:

# %% tags=["demo"]
def focal_loss_numpy(z, y, gamma, alpha):
    logp = log_softmax(z)[np.arange(len(y)), y]      # log ŷ_t, one per example
    one_minus_p = -np.expm1(logp)                     # 1 − ŷ_t
    return np.mean(-alpha[y] * one_minus_p ** gamma * logp)


alpha = np.array([0.5, 1, 1, 2, 1, 2, 1, 1, 2, 1.0])   # e.g. weigh classes 3, 5, 8 double
for g in (0.0, 0.5, 2.0, 5.0):
    print(f"γ = {g}: focal loss {focal_loss_numpy(z, y, g, alpha):.4f}  (α = 1: "
          f"{focal_loss_numpy(z, y, g, np.ones(10)):.4f})")

# %% [markdown]
# The course package has the same loss as a PyTorch module, `FocalLoss(gamma, alpha)`,
# usable anywhere a loss is (we train with it below). We check our numpy version against
# it, and against focal loss written directly in torch; then the two special cases:
# $\gamma = 0, \alpha = 1$ is `F.cross_entropy`, and $\gamma = 0$ with per-class $\alpha$ is
# class-weighted cross-entropy averaged over the examples. Finally, logits of ±10,000 give
# a finite loss.

# %% tags=["demo"]
from workshop_utils.losses import FocalLoss

zt, yt, at = torch.tensor(z), torch.tensor(y), torch.tensor(alpha)
for g in (0.0, 0.5, 2.0, 5.0):
    logp_t = torch.log_softmax(zt, dim=1).gather(1, yt[:, None])[:, 0]
    direct = (-at[yt] * (1 - logp_t.exp()) ** g * logp_t).mean().item()
    module = FocalLoss(gamma=g, alpha=alpha)(zt, yt).item()
    assert np.isclose(focal_loss_numpy(z, y, g, alpha), module)
    assert np.isclose(module, direct)
print(FocalLoss(gamma=2.0, alpha=alpha))
print("numpy == FocalLoss == torch by hand, for γ = 0, 0.5, 2, 5 ✓")

assert np.isclose(focal_loss_numpy(z, y, 0.0, np.ones(10)), F.cross_entropy(zt, yt).item())
assert np.isclose(FocalLoss(gamma=0.0)(zt, yt).item(), F.cross_entropy(zt, yt).item())
weighted = F.cross_entropy(zt, yt, weight=at, reduction="none").mean().item()
assert np.isclose(FocalLoss(gamma=0.0, alpha=alpha)(zt, yt).item(), weighted)
print("γ = 0, α = 1 → cross-entropy ✓ | γ = 0, per-class α → class-weighted cross-entropy ✓")

for g in (0.0, 2.0):
    big_np = focal_loss_numpy(z_big, y_big, g, np.ones(3))
    big_t = FocalLoss(gamma=g)(torch.tensor(z_big), torch.tensor(y_big)).item()
    assert np.isfinite(big_np) and np.isclose(big_np, big_t)
    print(f"logits ±1e4, γ = {g}: focal loss {big_np} (finite) ✓")

# %% [markdown]
# The outline's figure, drawn by the course's own code (`assets/ce-vs-focal.png`): the
# loss of one example against the probability of its true class. The larger $\gamma$, the
# faster the loss of well-classified examples ($\hat y_t > 0.6$) drops to nothing, while
# badly classified ones keep most of theirs.

# %% tags=["demo"]
from workshop_utils.figures.losses import ce_vs_focal

display(ce_vs_focal())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive Demo 7.1 · Focal explorer
#
# Drag **γ** and **α**. Left: the loss of one example against $p = \hat y_t$, focal (red)
# against cross-entropy (dashed). Middle: the modulating factor $(1 - p)^\gamma$. Right:
# a real batch, 64 test digits through the trained CNN, sorted from hardest to easiest;
# each hollow circle is the example's cross-entropy, each red dot its focal loss (log
# scale).
#
# - At γ = 0 and α = 1 the red dots sit on the circles: focal loss *is* cross-entropy.
# - Raise γ: which examples lose their loss first? How much of the batch's total loss does
#   the easier half still give (the line above the picture says)?
# - α scales every example here (one class weight for all); in the experiment below it differs per class.

# %% tags=["demo"]
from workshop_utils.explorers import focal_explorer

explorer = focal_explorer()
explorer

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3 · The experiment: rare classes
#
# Focal loss was made for data where most examples are easy and a few matter. Here is a
# small version of that problem: a **long-tailed** MNIST-5k. From the 4,000 training
# digits we keep at most 400 per class, fewer and fewer down the list, and make three
# classes, 3, 5 and 8, the rarest (`data.long_tailed`, imbalance 20: the rarest class
# keeps 1/20 of the most common). The test set stays the 1,000 balanced test digits.

# %% tags=["demo"]
from workshop_utils.data import long_tailed

RARE = [3, 5, 8]
X_lt, y_lt, counts = long_tailed(digits.X_train, digits.y_train, imbalance=20, rare=RARE, seed=0)
X_train_lt = torch.from_numpy(X_lt).float().div(255).unsqueeze(1)   # N×1×28×28 in [0, 1]
y_train_lt = torch.from_numpy(y_lt)
print(f"long-tailed training set: {len(y_lt)} images (of {len(digits.y_train)})")
print("images per class:", dict(sorted(counts.items())))

fig, ax = plt.subplots(figsize=(6, 2.4))
ax.bar(range(10), [counts[c] for c in range(10)],
       color=[COLORS["red"] if c in RARE else COLORS["blue"] for c in range(10)])
ax.set_xticks(range(10))
ax.set_xlabel("digit")
ax.set_ylabel("training images")
ax.set_title("long-tailed MNIST-5k (the rare classes 3, 5, 8 highlighted)")
plt.show()

# %% [markdown]
# We train the same `SmallCNN` three times, from the same initial weights and the same
# seed, changing only the loss:
#
# 1. **cross-entropy**;
# 2. **class-weighted cross-entropy**: each class weighted by $\alpha_c \propto 1 / n_c$
#    (`class_weights`, scaled to mean 1), i.e. `FocalLoss(gamma=0, alpha=w)`;
# 3. **focal loss** with $\gamma = 2$ and the same $\alpha = w$, i.e. `FocalLoss(gamma=2, alpha=w)`.
#
# So 1 → 2 adds the class weights, and 2 → 3 adds only the focusing factor. Each run is 8
# epochs of AdamW (learning rate 3·10⁻³, batches of 64, no augmentation, no label smoothing).
#
# `lesson07_models` runs this experiment, written once in the package (its source is printed
# below); lesson 10 runs it again. For these settings the three trained models ship with the
# course, so it loads them (trained here, they take a few seconds each);
# `lesson07_models(retrain=True)` trains them again, here. The numbers in the table are
# computed below, in every run, from the three models.

# %% tags=["demo"]
import inspect

from workshop_utils.losses import class_weights
from workshop_utils.trained import LESSON07, lesson07_losses, lesson07_models

SEED = 0                               # another seed trains three new models
print("recipe:", LESSON07["recipe"])
print("class weights α:", np.round(class_weights(counts), 2))
for name, loss_fn in lesson07_losses(counts).items():
    print(f"{name:>14}: {loss_fn}")
print(inspect.getsource(lesson07_models))
models = lesson07_models(seed=SEED)

# %% [markdown]
# Now the measurements, on the 1,000 balanced test digits. **Recall** of a class is the
# fraction of its test images the model labels correctly; **balanced accuracy** is the
# mean recall over the 10 classes (every class counts the same, however rare in training).

# %% tags=["demo"]
from sklearn.metrics import balanced_accuracy_score, confusion_matrix, recall_score

from workshop_utils.training import predict_proba

y_true = y_test.numpy()
print("test images per class:", np.bincount(y_true, minlength=10))
preds = {name: predict_proba(m, X_test).argmax(dim=1).numpy() for name, m in models.items()}
recall = {name: recall_score(y_true, p, average=None) for name, p in preds.items()}
names = list(preds)

line = "-" * (21 + 16 * len(names))
print("recall per class, on the test digits")
print(f"{'class (train n)':>18} | " + " | ".join(f"{n:>13}" for n in names))
print(line)
for c in range(10):
    mark = "  rare" if c in RARE else ""
    print(f"{f'{c} ({counts[c]})':>18} | " + " | ".join(f"{recall[n][c]:>13.3f}" for n in names)
          + mark)
print(line)
rows = {
    "balanced accuracy": {n: balanced_accuracy_score(y_true, preds[n]) for n in names},
    "recall, rare 3/5/8": {n: recall[n][RARE].mean() for n in names},
    "recall, the others": {n: np.delete(recall[n], RARE).mean() for n in names},
}
for label, vals in rows.items():
    print(f"{label:>18} | " + " | ".join(f"{vals[n]:>13.3f}" for n in names))

# %% [markdown]
# Confusion matrices (rows: true digit, columns: predicted digit; counts of test images).
# Off-diagonal numbers in a rare class's row show where its images went.

# %% tags=["demo"]
from sklearn.metrics import ConfusionMatrixDisplay

fig, axes = plt.subplots(1, 3, figsize=(13, 4.4), layout="constrained")
for ax, name in zip(axes, names):
    cm = confusion_matrix(y_true, preds[name], labels=range(10))
    ConfusionMatrixDisplay(cm, display_labels=range(10)).plot(
        ax=ax, colorbar=False, cmap="Blues", values_format="d", text_kw={"fontsize": 7})
    ax.set_title(f"{name}\nbalanced accuracy {rows['balanced accuracy'][name]:.3f}", fontsize=10)
plt.show()


# %% [markdown]
# **Reading the results.** The table above is measured in this run; read it rather than
# expecting a particular winner. Things to look at:
#
# - Which classes lose most recall under plain cross-entropy? Are they the rare ones?
# - What do the class weights (1 → 2) change for the rare classes, and what do they cost the common ones?
# - What does the focusing factor add on top of the weights (2 → 3)? Is the difference larger than what one training run to the next would give?
#
# This is one seed on a small dataset: differences of a point or two between two
# columns can come from the random seed alone. Change `SEED` (three new models are then
# trained) and compare before drawing a conclusion. Focal loss was designed for detection,
# where easy background examples outnumber objects by thousands to one; with 10 classes
# and a 20:1 imbalance, much of the help can come from the weights alone.

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 7.1 · Focal loss
#
# Write `my_focal_loss(z, y, gamma, alpha)`: the mean over the batch of
# $-\alpha_t\,(1 - \hat y_t)^\gamma \log \hat y_t$, where $t$ is the example's true class
# (the one term of the sum above with $y_t = 1$), from logits `z` (N×C), class indices
# `y` (N,), a number `gamma` and one weight per class `alpha` (C,). Take $\log \hat y$ from
# a log-softmax: the checker also tries logits of ±10,000.

# %% tags=["exercise"]
def my_focal_loss(z, y, gamma, alpha):
    # your code here
    return None


from workshop_utils.checks import check_focal_loss

check_focal_loss(my_focal_loss)


# %% [markdown] tags=["check"]
# ✅ Checkpoint 7.1 — pause here until the checker above prints ✓. If it names a mistake,
# fix that one thing and run the cell again; stuck for more than a few minutes? Open the
# solution below.

# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_focal_loss
# def my_focal_loss(z, y, gamma, alpha):
#     m = z.max(axis=1, keepdims=True)
#     logp = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))   # log-softmax
#     logp_t = logp[np.arange(len(y)), y]
#     p_t = np.exp(logp_t)
#     return np.mean(-alpha[y] * (1 - p_t) ** gamma * logp_t)
# ```
# Typical slips the checker names: $\hat y^\gamma$ instead of $(1 - \hat y)^\gamma$, a
# forgotten α or γ, the sum instead of the mean, and the log of a softmax.
# </details>

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 7.2 · Which γ and α make it cross-entropy?
#
# Fill in `focal_settings_for_ce(n_classes)` so that it returns the `gamma` and the `alpha`
# (one weight per class) for which focal loss equals cross-entropy, for any logits.

# %% tags=["exercise"]
def focal_settings_for_ce(n_classes):
    gamma = None       # your value here
    alpha = None       # your value here (one weight per class)
    return gamma, alpha


from workshop_utils.checks import check_focal_equals_ce

check_focal_equals_ce(focal_settings_for_ce)


# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_focal_equals_ce
# def focal_settings_for_ce(n_classes):
#     gamma = 0.0                    # (1 − ŷ)^0 = 1 for every ŷ
#     alpha = np.ones(n_classes)     # every class weighted by 1
#     return gamma, alpha
# ```
# </details>

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 7.3 · Which examples does it down-weight?
#
# Write `my_modulating_factor(p, gamma)` returning $(1 - p)^\gamma$ for an array of
# true-class probabilities `p`. Then the cell below applies it to the 64 digits of the
# explorer's batch: which digits keep less than 1% of their cross-entropy at $\gamma = 2$?

# %% tags=["exercise"]
def my_modulating_factor(p, gamma):
    # your code here
    return None


from workshop_utils.checks import check_modulating_factor

check_modulating_factor(my_modulating_factor)

# %% tags=["exercise"]
p_batch = p_true[:64]
factor = my_modulating_factor(p_batch, 2.0)
if factor is not None:
    faded = np.flatnonzero(factor < 0.01)
    print(f"{len(faded)} of 64 digits keep < 1% of their loss; their ŷ_t:",
          np.round(p_batch[faded], 3))
    print("the 3 with the largest factor:", np.round(p_batch[np.argsort(factor)[-3:]], 3))

# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_modulating_factor
# def my_modulating_factor(p, gamma):
#     return (1 - p) ** gamma
# ```
# At $\gamma = 2$ the factor is below 0.01 exactly when $\hat y_t > 0.9$: the digits the
# network already gets right with confidence fade out, and the unsure or wrong ones
# (small $\hat y_t$) keep almost all of their loss.
# </details>

# %% [markdown] tags=["check"] slideshow={"slide_type": "slide"}
# ## Check yourself
#
# One question on this lesson: click an answer to get a ✓ or ✗ and the reason.

# %% tags=["check"]
from workshop_utils.explorers import quiz

quiz([dict(
    section="07 · Loss: Cross-Entropy vs. Focal",
    question="The network gives the true class the probability 0.5. The "
             "cross-entropy loss of this example is about …",
    options=["0.5", "0.69", "1.0", "0.25"],
    answer=1,
    explanation="−log 0.5 = ln 2 ≈ 0.69. A sure, right answer (probability 1) would "
                "cost 0.")])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key takeaways
#
# - Cross-entropy $-\sum_i y_i \log \hat y_i = -\log \hat y_t$: small when the true class
#   is probable, unbounded when it is not. Compute it from logits with log-softmax.
# - Focal loss multiplies each term by $\alpha_i (1 - \hat y_i)^\gamma$: easy examples
#   ($\hat y_t$ near 1) fade, hard ones keep their loss; $\alpha$ re-weights classes.
# - $\gamma = 0$, $\alpha = 1$ is exactly cross-entropy; $\gamma = 0$ with per-class
#   $\alpha$ is class-weighted cross-entropy.
# - On imbalanced data, measure per class (recall, balanced accuracy, confusion
#   matrix): overall accuracy hides the rare classes. Which loss helps is an empirical
#   question, answered by a measurement like the one above, with more than one seed.
#
# **Next:** [08 · Learning Loop](08_learning_loop.ipynb): the loss drives gradient descent.
