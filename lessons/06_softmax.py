# ---
# jupyter:
#   workshop:
#     file: 06_softmax.ipynb
#     schedule:
#       exercises:
#       - core: true
#         id: '6.1'
#         minutes: 5
#       - core: false
#         id: '6.2'
#         minutes: 5
#       - core: false
#         id: '6.3'
#         minutes: 5
#       teach: 15
#       three_hour:
#         minutes: 10
#         plan: sections 1, 4 and Demo 6.1 only
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 06 · Softmax → Class Probabilities
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dl-math-workshop/deep-learning-workshop/blob/v0.1.0/notebooks/06_softmax.ipynb)
#
# > **Turning raw scores into a distribution**
#
# A classifier's last layer gives one raw score per class, the **logits**
# $z \in \mathbb{R}^C$: any real numbers, positive or negative, not adding up to anything.
# Softmax turns them into probabilities. In this notebook you write it yourself, see the
# naive formula break on large numbers and fix it, and watch it on a trained network's
# answers for real handwritten digits.
#
# **You will learn to**
# - compute $\operatorname{softmax}(z)_i = e^{z_i} / \sum_j e^{z_j}$ in numpy and check it against PyTorch;
# - explain why the naive formula overflows and why subtracting the largest logit fixes it;
# - show that softmax's outputs lie in $[0, 1]$ and sum to 1, and that adding a constant to every logit changes nothing;
# - compute log-softmax stably (the form the losses of lesson 07 need);
# - see what a temperature $T$ does: $\operatorname{softmax}(z / T)$ from sharp to flat;
# - read a trained CNN's probabilities for a confident and an uncertain digit.
#
# **Time:** about 30 minutes: 15 teaching and demos, 5 core exercises, 10 optional.
# **Prerequisites:** lessons 01–05 (a little numpy: `np.exp`, `.sum(axis=…)`, broadcasting).

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

from workshop_utils.data import load_mnist5k
from workshop_utils.plotting import COLORS
from workshop_utils.trained import pretrained_cnn


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1 · The formula
#
# Given logits $z \in \mathbb{R}^C$ (one score per class),
#
# $$\operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j=1}^{C} e^{z_j}}$$
#
# The exponential makes every score positive (and keeps their order); dividing by the sum
# makes them add up to 1. The result $\hat y = \operatorname{softmax}(z)$ is a probability
# for each class: $\hat y \in [0, 1]^C$ with $\sum_i \hat y_i = 1$.
#
# Here it is, word for word, in numpy, next to PyTorch's `torch.softmax`:

# %% tags=["demo"]
def softmax_naive(z):
    e = np.exp(z)
    return e / e.sum()


z = np.array([2.0, 1.0, 0.1, -1.0])          # logits for 4 classes
p = softmax_naive(z)
p_torch = torch.softmax(torch.tensor(z), dim=0).numpy()
print("logits       z =", z)
print("probabilities ŷ =", p.round(4), "| sum =", p.sum())
assert np.allclose(p, p_torch)
print("numpy == torch.softmax ✓")

# %% tags=["demo"]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 2.6))
ax1.bar(range(4), z, color=COLORS["blue"])
ax1.axhline(0, color="0.5", lw=0.8)
ax1.set_title("logits z (any real numbers)")
ax2.bar(range(4), p, color=COLORS["orange"])
ax2.set_ylim(0, 1)
ax2.set_title("softmax(z): in [0, 1], sum 1")
for ax in (ax1, ax2):
    ax.set_xticks(range(4))
    ax.set_xlabel("class")
plt.show()

# %% [markdown]
# The largest logit gets the largest probability, but not all of it: a logit 1 larger
# means a probability $e^1 \approx 2.7$ times larger, whatever the other logits are.

# %% tags=["demo"]
print("ŷ_0 / ŷ_1 =", p[0] / p[1], "= e^(z_0 - z_1) =", np.exp(z[0] - z[1]))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2 · The naive formula overflows
#
# `np.exp` of a float64 overflows to `inf` once its argument passes about 709 (for
# float32, the default in PyTorch, already at about 88). Trained networks can produce
# logits that large, and then the naive formula computes $\infty / \infty$ = `nan`:

# %% tags=["demo"]
big = np.array([1000.0, 999.0, 998.0])
with np.errstate(over="ignore", invalid="ignore"):   # silence numpy's warning; we print the result
    print("np.exp(big)        =", np.exp(big))
    print("softmax_naive(big) =", softmax_naive(big))
print("torch.softmax(big) =", torch.softmax(torch.tensor(big), dim=0).numpy())


# %% [markdown]
# PyTorch gets it right. Its trick: **adding the same constant to every logit changes
# nothing**, because the factor $e^{c}$ cancels:
#
# $$\frac{e^{z_i + c}}{\sum_j e^{z_j + c}} = \frac{e^{c}\, e^{z_i}}{e^{c} \sum_j e^{z_j}} = \frac{e^{z_i}}{\sum_j e^{z_j}}$$
#
# Choose $c = -\max_j z_j$: the largest exponent becomes $e^0 = 1$, nothing overflows, and
# the sum is at least 1, so there is no division by zero either.

# %% tags=["demo"]
def softmax_stable(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))    # the largest term is e^0 = 1
    return e / e.sum(axis=-1, keepdims=True)


for logits in (z, big, -big, np.array([1000.0, -1000.0, 0.0])):
    ours = softmax_stable(logits)
    theirs = torch.softmax(torch.tensor(logits), dim=0).numpy()
    assert np.allclose(ours, theirs) and np.all(np.isfinite(ours))
    print(f"{str(logits):>24} → {ours.round(4)}")
print("stable numpy softmax == torch.softmax, also for huge logits ✓")

# %% [markdown]
# `axis=-1, keepdims=True` makes the same code work on a batch N×C, one row per example:
# each row is normalised on its own (this is PyTorch's `dim=1`).

# %% tags=["demo"]
rng = np.random.default_rng(0)
Z = rng.normal(0, 3, size=(5, 10))                   # 5 examples, 10 classes
P = softmax_stable(Z)
assert np.allclose(P, torch.softmax(torch.tensor(Z), dim=1).numpy())
print("row sums:", P.sum(axis=1))
print("all in [0, 1]:", bool(np.all((P >= 0) & (P <= 1))))
assert np.allclose(softmax_stable(Z + 123.4), P)     # the shift does nothing
assert not np.allclose(softmax_stable(2 * Z), P)     # but a scale does (next section)
print("shift-invariant ✓, scale-sensitive ✓")


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3 · Log-softmax
#
# Losses (lesson 07) need $\log \hat y_i$, not $\hat y_i$. Taking the log of a softmax is
# risky: a very small probability underflows to 0 and $\log 0 = -\infty$. Write the log
# directly instead, with $m = \max_j z_j$:
#
# $$\log \hat y_i = z_i - \log \sum_j e^{z_j} = z_i - m - \log \sum_j e^{z_j - m}$$
#
# The last term is the **log-sum-exp**, computed with the same shift as before.

# %% tags=["demo"]
def log_softmax(z):
    m = z.max(axis=-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))


gap = np.array([0.0, -1000.0, 5.0])
with np.errstate(divide="ignore"):
    print("log(softmax(gap)) =", np.log(softmax_stable(gap)))
print("log_softmax(gap)  =", log_softmax(gap))
print("torch             =", torch.log_softmax(torch.tensor(gap), dim=0).numpy())
assert np.allclose(log_softmax(gap), torch.log_softmax(torch.tensor(gap), dim=0).numpy())
assert np.allclose(log_softmax(Z), torch.log_softmax(torch.tensor(Z), dim=1).numpy())
assert np.allclose(np.exp(log_softmax(Z)), P)
print("numpy log_softmax == torch.log_softmax ✓ (finite where log(softmax) is -inf)")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4 · Temperature
#
# Dividing the logits by a **temperature** $T > 0$ before softmax,
# $\hat y = \operatorname{softmax}(z / T)$, keeps the order of the classes but changes how
# sure the answer looks: $T < 1$ sharpens it (as $T \to 0$ all probability goes to the
# largest logit), $T > 1$ flattens it (as $T \to \infty$ every class gets $1/C$).
# Unlike a shift, a scale does change the probabilities.

# %% tags=["demo"]
temps = [0.25, 0.5, 1.0, 2.0, 5.0]
fig, axes = plt.subplots(1, len(temps), figsize=(11, 2.4), sharey=True)
for ax, T in zip(axes, temps):
    pT = softmax_stable(z / T)
    assert np.allclose(pT, torch.softmax(torch.tensor(z) / T, dim=0).numpy())
    ax.bar(range(4), pT, color=COLORS["red"] if T == 1 else COLORS["orange"])
    ax.set_title(f"T = {T}")
    ax.set_xticks(range(4))
    ax.set_ylim(0, 1)
axes[0].set_ylabel("softmax(z / T)")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive Demo 6.1 · Logit explorer
#
# One slider per logit, one **shift c** added to all of them, and the **temperature T**.
# The left panel shows the logits $z + c$, the right one
# $\hat y = \operatorname{softmax}((z + c) / T)$; the class with the largest probability
# is drawn in red.
#
# - Raise one logit: its probability grows and *all the others* shrink (they share one total of 1).
# - Move the shift: the logits jump, the probabilities do not move at all.
# - Drag T towards 0.1, then to 5. When is the answer "sure", when is it nearly uniform?
# - Make two logits equal: what are their probabilities?

# %% tags=["demo"]
from workshop_utils.explorers import logit_explorer

explorer = logit_explorer(logits=z)
explorer

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5 · Softmax on a trained network's answers
#
# The course's small CNN (lesson 05's network and recipe, `pretrained_cnn`: the weights your
# run of lesson 05 trained, or else the ones that ship with the course) ends with a dense layer that gives 10 logits per image, one per digit. Softmax
# turns them into the network's probabilities. Here it is on 1,000 real test digits it
# never saw in training.

# %% tags=["demo"]
digits = load_mnist5k(seed=0)
_, _, X_test, y_test = digits.tensors()
model = pretrained_cnn(0)
with torch.no_grad():
    logits = model(X_test).double().numpy()           # N×10, one row per image

probs = softmax_stable(logits)
assert np.allclose(probs, torch.softmax(torch.tensor(logits), dim=1).numpy())
pred = probs.argmax(axis=1)
print("logits:", logits.shape, "| accuracy:", f"{np.mean(pred == y_test.numpy()):.1%}")
print("first image's logits:", logits[0].round(1))
print("its probabilities:   ", probs[0].round(3))

# %% [markdown]
# The most confident answer and the least confident one (the image whose largest
# probability is smallest):

# %% tags=["demo"]
top = probs.max(axis=1)
cases = {"most confident": int(top.argmax()), "least confident": int(top.argmin())}
fig, axes = plt.subplots(2, 2, figsize=(8, 4.8), gridspec_kw={"width_ratios": [1, 2.6]},
                         layout="constrained")
for row, (name, i) in zip(axes, cases.items()):
    row[0].imshow(digits.X_test[i], cmap="gray")
    row[0].set_title(f"{name}\ntrue label {y_test[i].item()}", fontsize=9)
    row[0].set_axis_off()
    colours = [COLORS["red"] if k == pred[i] else COLORS["sky"] for k in range(10)]
    row[1].bar(range(10), probs[i], color=colours)
    row[1].set_xticks(range(10))
    row[1].set_ylim(0, 1)
    row[1].set_ylabel("ŷ")
    row[1].set_title(f"predicted {pred[i]} with ŷ = {probs[i].max():.3f}", fontsize=9)
    print(f"{name}: image {i}, logits {logits[i].round(1)}")
axes[1][1].set_xlabel("digit")
plt.show()


# %% [markdown]
# A softmax probability is the network's own score, not a guarantee: a network can be
# confidently wrong. Lesson 07 turns these probabilities into a loss that teaches it.

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 6.1 · A stable softmax
#
# Write `my_softmax(z)` for a vector of logits (C,) or a batch (N×C), normalising over the
# last axis. It must not overflow for logits like `[1000, 999, 998]` or `[1000, -1000, 0]`. The checker tries
# ordinary and huge logits and tells you what is wrong.

# %% tags=["exercise"]
def my_softmax(z):
    # your code here
    return None


from workshop_utils.checks import check_softmax

check_softmax(my_softmax)


# %% [markdown] tags=["check"]
# ✅ Checkpoint 6.1 — pause here until the checker above prints ✓. If it names a mistake,
# fix that one thing and run the cell again; stuck for more than a few minutes? Open the
# solution below.

# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_softmax
# def my_softmax(z):
#     e = np.exp(z - z.max(axis=-1, keepdims=True))
#     return e / e.sum(axis=-1, keepdims=True)
# ```
# Without `keepdims=True` the sum has shape (N,) and does not line up with the N×C
# batch; subtracting `z.max()` of the whole batch (instead of each row's) can make a
# whole row underflow to 0/0.
# </details>

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 6.2 · What a temperature does
#
# Write `my_softmax_t(z, T)` that returns $\operatorname{softmax}(z / T)$ (stable, over the
# last axis). Before you run the checker, predict: with $z = [2, 1, 0.1, -1]$, which $T$
# makes the largest probability above 0.95? Which makes all four nearly equal? Then try
# it, and check your guess against the explorer above.

# %% tags=["exercise"]
def my_softmax_t(z, T):
    # your code here
    return None


from workshop_utils.checks import check_softmax_temperature

check_softmax_temperature(my_softmax_t)


# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_softmax_temperature
# def my_softmax_t(z, T):
#     s = z / T
#     e = np.exp(s - s.max(axis=-1, keepdims=True))
#     return e / e.sum(axis=-1, keepdims=True)
# ```
# With $z = [2, 1, 0.1, -1]$: any $T$ below about 0.33 gives the largest class more than
# 0.95 ($T = 0.25$: 0.98); $T = 5$ gives [0.33, 0.27, 0.22, 0.18], nearly uniform.
# Shifting $z$ by a constant never changes the answer; dividing it by $T$ does.
# </details>

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 6.3 · Log-softmax
#
# Write `my_log_softmax(z)`: $\log \hat y_i = z_i - m - \log \sum_j e^{z_j - m}$ over the
# last axis. It must stay finite for `[0, -1000, 5]`, where `np.log(softmax(z))` gives
# `-inf`.

# %% tags=["exercise"]
def my_log_softmax(z):
    # your code here
    return None


from workshop_utils.checks import check_log_softmax

check_log_softmax(my_log_softmax)

# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_log_softmax
# def my_log_softmax(z):
#     m = z.max(axis=-1, keepdims=True)
#     return z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))
# ```
# </details>

# %% [markdown] tags=["check"] slideshow={"slide_type": "slide"}
# ## Check yourself
#
# One question on this lesson: click an answer to get a ✓ or ✗ and the reason.

# %% tags=["check"]
from workshop_utils.explorers import quiz

quiz([dict(
    section="06 · Softmax → Class Probabilities",
    question="softmax([0, ln 3]) is …",
    options=["[0.5, 0.5]", "[0.25, 0.75]", "[0, 1]", "[1/3, 2/3]"],
    answer=1,
    explanation="e⁰ = 1 and e^(ln 3) = 3; divided by their sum 4 they give 1/4 and 3/4.")])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key takeaways
#
# - $\operatorname{softmax}(z)_i = e^{z_i} / \sum_j e^{z_j}$ turns any real scores into
#   probabilities in $[0, 1]$ that sum to 1, keeping their order.
# - Adding a constant to every logit changes nothing; subtracting the largest one is how
#   softmax is computed without overflow.
# - Compute $\log \hat y$ with log-softmax (log-sum-exp), never as the log of a softmax.
# - A temperature $T$ sharpens ($T < 1$) or flattens ($T > 1$) the distribution.
# - A network's softmax is its own confidence, and can be confidently wrong.
#
# **Next:** [07 · Loss: Cross-Entropy vs. Focal](07_cross_entropy_vs_focal.ipynb), where
# these probabilities meet the true labels.
