# ---
# jupyter:
#   workshop:
#     file: 08_learning_loop.ipynb
#     schedule:
#       exercises:
#       - core: true
#         id: '8.1'
#         minutes: 5
#       - core: false
#         id: '8.2'
#         minutes: 10
#       teach: 30
#       three_hour:
#         minutes: 25
#         plan: sections 1-2, Demo 8.1 and Demo 8.2 at its default settings
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 08 · Learning Loop
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dl-math-workshop/deep-learning-workshop/blob/v0.1.0/notebooks/08_learning_loop.ipynb)
#
# > **Training in 5 steps**
#
# Everything so far ran a network *forwards*: pixels in, probabilities out, a loss that
# says how wrong they are. This notebook closes the loop. The network changes its weights
# a little, in the direction that lowers the loss, and repeats. You will write every part
# of that loop yourself in numpy, check it against PyTorch, and then watch a real network
# learn to read handwritten digits.
#
# **You will learn to**
# - name the five steps of the learning loop and find each one in a few lines of code;
# - apply the update $\theta \leftarrow \theta - \eta\,\nabla_\theta \mathcal L$ and see
#   what the learning rate $\eta$ does, including how a too-large $\eta$ diverges;
# - back-propagate by hand through a one-hidden-layer network with softmax and
#   cross-entropy, starting from $\partial\mathcal L/\partial z = \hat y - y$, and check
#   the gradients against autograd and against a numeric gradient;
# - train a network on real digits in numpy and in PyTorch.
#
# **Time:** about 45 minutes: 30 teaching and demos, 5 core exercises, 10 optional.
# **Prerequisites:** lessons 03 (layers), 04 (ReLU), 06 (softmax)
# and 07 (cross-entropy).

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
from torch import nn
from tqdm.auto import tqdm

from workshop_utils.data import load_mnist5k, load_photo
from workshop_utils.plotting import COLORS

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1 · The five steps
#
# Training repeats the same five steps until the network stops improving:
#
# 1. **Forward pass** → logits → softmax → probabilities
# 2. **Compute loss** (cross-entropy or focal)
# 3. **Back-propagation** → gradients $\nabla_\theta \mathcal L$
# 4. **Update** weights & biases: $\theta \leftarrow \theta - \eta\,\nabla_\theta \mathcal L$
# 5. **Repeat** until the network converges
#
# Here they are on one batch of 256 real digits and a small network (784 → 64 → 10),
# one line each. $\theta$ stands for *every* weight and bias; $\eta$ (eta) is the
# learning rate.

# %% tags=["demo"]
digits = load_mnist5k(seed=0)
Xtr, ytr, Xte, yte = digits.tensors()          # images N×1×28×28 in [0, 1], labels N
torch.manual_seed(0)
model = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))
eta = 0.5
xb, yb = Xtr[:256], ytr[:256]

for step in range(6):                                    # 5. repeat
    logits = model(xb)                                   # 1. forward pass → logits
    loss = F.cross_entropy(logits, yb)                   # 2. loss (softmax + cross-entropy)
    model.zero_grad()
    loss.backward()                                      # 3. back-propagation → θ.grad
    with torch.no_grad():
        for theta in model.parameters():
            theta -= eta * theta.grad                    # 4. update θ ← θ − η ∇L
    print(f"step {step}: loss {loss.item():.3f}")

# %% [markdown]
# The loss falls at every step. The rest of this notebook opens up steps 3 and 4:
# where the gradient comes from, and what the learning rate does.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2 · Gradient descent: $\theta \leftarrow \theta - \eta\,\nabla_\theta \mathcal L$
#
# The gradient $\nabla_\theta \mathcal L$ points in the direction in which the loss rises
# fastest; a small step the other way lowers it. How small? That is $\eta$.
#
# To *see* it we need a loss with only two parameters, so that it can be drawn as a
# landscape. Take a real photograph and one neuron $\hat y = w\,x + b$ that predicts each
# pixel's right-hand neighbour $y$ from the pixel $x$ (neighbouring pixels are similar:
# the fact that convolutions exploit, lesson 05). With the squared error as the loss,
#
# $$\mathcal L(w, b) = \frac1N \sum_{n=1}^N (w\,x_n + b - y_n)^2, \qquad
# \frac{\partial \mathcal L}{\partial w} = \frac2N \sum_n (w\,x_n + b - y_n)\,x_n, \qquad
# \frac{\partial \mathcal L}{\partial b} = \frac2N \sum_n (w\,x_n + b - y_n).$$
#
# (The squared error is the simplest loss whose landscape is a perfect bowl; cross-entropy
# is bowl-shaped near its minimum too, so what you see here carries over.)

# %% tags=["demo"]
gray = load_photo("china") @ np.array([0.299, 0.587, 0.114]) / 255   # lesson 01's grayscale
gray = gray[::2]                                                      # every other row is plenty
x, y = gray[:, :-1].ravel(), gray[:, 1:].ravel()                      # pixel, right neighbour
print(f"{len(x):,} pairs of neighbouring pixels")


def loss_wb(theta):
    w, b = theta
    return np.mean((w * x + b - y) ** 2)


def grad_wb(theta):
    w, b = theta
    r = w * x + b - y                                  # residuals
    return np.array([2 * np.mean(r * x), 2 * np.mean(r)])


theta0 = np.array([-0.6, 1.3])
t = torch.tensor(theta0, requires_grad=True)
xt, yt = torch.from_numpy(x), torch.from_numpy(y)
torch.mean((t[0] * xt + t[1] - yt) ** 2).backward()   # autograd's gradient
assert np.allclose(grad_wb(theta0), t.grad.numpy())
print("∇L at θ0 =", grad_wb(theta0).round(4), "| numpy == torch autograd ✓")


# %% [markdown]
# Now the update rule itself, repeated: three learning rates, 40 steps each.

# %% tags=["demo"]
def descend(theta, eta, steps):
    path = [theta]
    for _ in range(steps):
        theta = theta - eta * grad_wb(theta)           # θ ← θ − η ∇L
        path.append(theta)
    return np.array(path)


fig, ax = plt.subplots(figsize=(6, 3))
for eta, color in [(0.1, COLORS["blue"]), (0.6, COLORS["green"]), (0.8, COLORS["red"])]:
    path = descend(theta0, eta, 40)
    losses = [loss_wb(th) for th in path]
    ax.semilogy(losses, "-o", ms=2.5, color=color, label=f"η = {eta}")
    print(f"η = {eta}: loss {losses[0]:.3f} → {losses[-1]:.3g}")
ax.set_ylim(1e-2, 1e3)
ax.set_xlabel("step")
ax.set_ylabel("loss (log scale)")
ax.legend()
plt.show()

# %% [markdown]
# A small $\eta$ creeps, a larger one gets there quickly, and a slightly larger one still
# **diverges**: every step overshoots the bottom of the valley and lands higher on the
# other side. For a bowl the limit is exact: the curvature of the loss in its steepest
# direction is the largest eigenvalue $\lambda_{\max}$ of its matrix of second derivatives
# (the Hessian), and gradient descent converges only for $\eta < 2/\lambda_{\max}$.

# %% tags=["demo"]
H = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])   # second derivatives
lam_max = np.linalg.eigvalsh(H)[-1]
print(f"λ_max = {lam_max:.3f}  →  gradient descent diverges for η > 2/λ_max = {2 / lam_max:.3f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive Demo 8.1 · The learning rate
#
# Drag **η** and **steps**. The left panel is the loss landscape $\mathcal L(w, b)$ (the
# star is its minimum, the white dot the start); the orange path is
# $\theta_0, \theta_1, \dots$. Things to try:
# - η = 0.1: the path first slides down the steep wall, then crawls along the flat valley.
# - η around 0.6: it zigzags across the valley but still settles.
# - η just above 2/λ_max ≈ 0.74: the zigzag grows each step and the loss explodes.

# %% tags=["demo"]
from workshop_utils.backprop import NeighbourPixelLoss
from workshop_utils.explorers import gradient_descent_explorer

gradient_descent_explorer(NeighbourPixelLoss(x, y))


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3 · Back-propagation by hand
#
# For a real network $\theta$ holds thousands of numbers, and we need
# $\partial\mathcal L/\partial\theta$ for each of them. Back-propagation computes them all
# with the chain rule, starting at the loss and walking the forward pass backwards. Our
# network has one hidden layer (lesson 03's $f(Wx + b)$ twice), for a batch of $N$ inputs:
#
# $$a_1 = W_1 x + b_1,\quad h_1 = \mathrm{ReLU}(a_1),\quad z = W_2 h_1 + b_2,\quad
# \hat y = \mathrm{softmax}(z),\quad \mathcal L = -\frac1N \sum_{n} \sum_{i=1}^C y_{n,i} \log \hat y_{n,i}.$$
#
# **The key step.** For softmax followed by cross-entropy the gradient with respect to
# the logits is remarkably simple. Writing
# $\log \hat y_i = z_i - \log\sum_j e^{z_j}$ for the true class $i$ and differentiating,
#
# $$\frac{\partial \mathcal L}{\partial z} = \hat y - y \quad\text{(one example)}, \qquad
# \frac{\partial \mathcal L}{\partial z_n} = \frac{\hat y_n - y_n}{N} \quad\text{(mean over a batch)}.$$
#
# The predicted probabilities minus the one-hot label: it pushes the true class's logit up
# and every other logit down, each in proportion to how wrong it is. From there, layer by
# layer, backwards. For the whole batch at once the examples are the rows of $X$ ($N \times 784$),
# so each $W x$ becomes $X W^\top$ and every quantity has one row per example (capital letters;
# $\partial\mathcal L/\partial Z$ stacks the rows $(\hat y_n - y_n)/N$):
#
# | forward (batch) | backward |
# |---|---|
# | $Z = H_1 W_2^\top + b_2$ | $\partial\mathcal L/\partial W_2 = (\partial\mathcal L/\partial Z)^\top H_1$, $\;\partial\mathcal L/\partial b_2 = \sum_n (\partial\mathcal L/\partial Z)_n$, $\;\partial\mathcal L/\partial H_1 = (\partial\mathcal L/\partial Z)\,W_2$ |
# | $H_1 = \mathrm{ReLU}(A_1)$ | $\partial\mathcal L/\partial A_1 = \partial\mathcal L/\partial H_1 \odot [A_1 > 0]$ |
# | $A_1 = X W_1^\top + b_1$ | $\partial\mathcal L/\partial W_1 = (\partial\mathcal L/\partial A_1)^\top X$, $\;\partial\mathcal L/\partial b_1 = \sum_n (\partial\mathcal L/\partial A_1)_n$ |

# %% tags=["demo"]
def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))       # subtract the max: no overflow (lesson 06)
    return e / e.sum(axis=1, keepdims=True)


def forward_backward(params, X, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = len(X)
    # forward
    a1 = X @ W1.T + b1
    h1 = np.maximum(a1, 0)
    z = h1 @ W2.T + b2
    p = softmax(z)
    loss = -np.mean(np.log(p[np.arange(N), y]))
    # backward
    Y = np.eye(z.shape[1])[y]                           # one-hot labels
    dz = (p - Y) / N                                    # ∂L/∂z = (ŷ − y) / N
    grads = {"W2": dz.T @ h1, "b2": dz.sum(axis=0)}
    dh1 = dz @ W2
    da1 = dh1 * (a1 > 0)                                # ReLU passes the gradient where a1 > 0
    grads["W1"] = da1.T @ X
    grads["b1"] = da1.sum(axis=0)
    return loss, grads


rng = np.random.default_rng(0)
D, Hid, C = 784, 64, 10
params = {"W1": rng.normal(0, np.sqrt(2 / D), (Hid, D)), "b1": np.zeros(Hid),
          "W2": rng.normal(0, np.sqrt(1 / Hid), (C, Hid)), "b2": np.zeros(C)}
X_np = digits.X_train.reshape(len(digits.X_train), -1) / 255.0   # N×784 in [0, 1]
y_np = digits.y_train
loss, grads = forward_backward(params, X_np[:32], y_np[:32])
print(f"loss {loss:.4f}; gradient shapes:", {k: g.shape for k, g in grads.items()})


# %% [markdown]
# **Check 1: against autograd.** PyTorch computes the same gradients automatically
# (`loss.backward()`). In double precision they should agree to about 1e-12, measured by
# the relative error $\max |a - b| / (|a| + |b|)$.

# %% tags=["demo"]
def rel_error(a, b):
    return np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))


tparams = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
Xb, yb_t = torch.from_numpy(X_np[:32]), torch.from_numpy(y_np[:32])
z_t = torch.relu(Xb @ tparams["W1"].T + tparams["b1"]) @ tparams["W2"].T + tparams["b2"]
F.cross_entropy(z_t, yb_t).backward()
for k in params:
    err = rel_error(grads[k], tparams[k].grad.numpy())
    print(f"d{k}: relative error {err:.1e}")
    assert err < 1e-8
print("hand-written back-propagation == torch autograd ✓")

# %% [markdown]
# **Check 2: against a numeric gradient.** Nudge one weight by $\pm h$ and watch the loss:
# $\partial\mathcal L/\partial\theta \approx \frac{\mathcal L(\theta + h) - \mathcal L(\theta - h)}{2h}$.
# That needs two forward passes per weight, far too slow for all 50,000 of them, but
# perfect for spot checks of a few random entries (cs231n's "gradient check").

# %% tags=["demo"]
h = 1e-5
for k in params:
    errs = []
    for _ in range(5):
        idx = tuple(rng.integers(0, n) for n in params[k].shape)
        old = params[k][idx]
        params[k][idx] = old + h
        plus, _ = forward_backward(params, X_np[:32], y_np[:32])
        params[k][idx] = old - h
        minus, _ = forward_backward(params, X_np[:32], y_np[:32])
        params[k][idx] = old
        numeric = (plus - minus) / (2 * h)
        errs.append(rel_error(numeric, grads[k][idx]) if abs(numeric) + abs(grads[k][idx]) > 1e-10 else 0.0)
    print(f"d{k}: largest relative error on 5 random entries {max(errs):.1e} (should be below 1e-5)")
    assert max(errs) < 1e-5

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4 · The whole loop in numpy
#
# Forward, loss, backward (by hand), update, repeat: the network trains on 4,000 real
# digits in mini-batches of 64, and is tested on 1,000 digits it never saw.

# %% tags=["demo"]
X_test_np = digits.X_test.reshape(len(digits.X_test), -1) / 255.0
rng = np.random.default_rng(0)
params = {"W1": rng.normal(0, np.sqrt(2 / D), (Hid, D)), "b1": np.zeros(Hid),
          "W2": rng.normal(0, np.sqrt(1 / Hid), (C, Hid)), "b2": np.zeros(C)}
eta, batch_size, step_losses = 0.2, 64, []
for epoch in range(4):                                            # 5. repeat
    order = rng.permutation(len(X_np))
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size]
        loss, grads = forward_backward(params, X_np[idx], y_np[idx])   # 1.–3. forward, loss, backward
        for k in params:
            params[k] -= eta * grads[k]                           # 4. update θ ← θ − η ∇L
        step_losses.append(loss)
    z_test = np.maximum(X_test_np @ params["W1"].T + params["b1"], 0) @ params["W2"].T + params["b2"]
    print(f"epoch {epoch + 1}: loss {np.mean(step_losses[-63:]):.3f}, "
          f"held-out accuracy {np.mean(z_test.argmax(1) == digits.y_test):.1%}")
assert np.mean(z_test.argmax(1) == digits.y_test) > 0.85      # the claim below

# %% [markdown]
# Close to 90% of digits it has never seen (the `assert` checks more than 85%), from a loop
# you wrote entirely yourself. The
# held-out accuracy need not rise every epoch: each step follows the gradient of only 64
# examples, a noisy estimate of the full gradient (hence *stochastic* gradient descent).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5 · The same loop in PyTorch
#
# In PyTorch, step 3 is one call, `loss.backward()`, which runs exactly the chain rule you
# just wrote for every layer. The update stays explicit. A progress bar counts the
# epochs, and the loss and accuracy are plotted afterwards.

# %% tags=["demo"]
torch.manual_seed(0)
model = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))
eta, batch_size = 0.2, 64
history = {"loss": [], "acc": []}
gen = torch.Generator().manual_seed(0)
for _epoch in tqdm(range(4), desc="training", unit="epoch"):  # 5. repeat
    perm = torch.randperm(len(Xtr), generator=gen)
    for i in range(0, len(Xtr), batch_size):
        idx = perm[i:i + batch_size]
        logits = model(Xtr[idx])                                  # 1. forward pass
        loss = F.cross_entropy(logits, ytr[idx])                  # 2. loss
        model.zero_grad()
        loss.backward()                                           # 3. back-propagation
        with torch.no_grad():
            for theta in model.parameters():
                theta -= eta * theta.grad                         # 4. update
        history["loss"].append(loss.item())
    with torch.no_grad():
        history["acc"].append((model(Xte).argmax(1) == yte).float().mean().item())

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 2.6))
ax1.plot(history["loss"], color=COLORS["blue"], lw=0.8)
ax1.set_xlabel("mini-batch step")
ax1.set_ylabel("loss")
ax2.plot(range(1, 5), history["acc"], "-o", color=COLORS["orange"])
ax2.set_xlabel("epoch")
ax2.set_ylabel("held-out accuracy")
plt.show()
print(f"held-out accuracy after 4 epochs: {history['acc'][-1]:.1%}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive Demo 8.2 · Train with your own settings
#
# The button trains a fresh network with the course's training function
# (`workshop_utils.training.fit`: the same five steps, with AdamW, a refinement of
# $\theta \leftarrow \theta - \eta\nabla\mathcal L$ that scales the step of each weight).
# Pick the learning rate, the batch size and the number of epochs, press **Train**, and
# watch the loss and accuracy after every epoch; the previous run stays on the plot in
# grey. Try:
# - η = 1: the steps are far too big and the network stays at chance (10%);
# - η = 0.0001: it learns, slowly;
# - batch size 8 vs 512 with the same epochs: more, noisier steps vs fewer, smoother ones;
# - the SmallCNN of lesson 05: several times slower per epoch than the small network.
#
# ⏳ Each press holds this notebook until training ends: the explorer first says how many
# seconds it expects on your machine, and the progress bar counts the epochs. The small
# network takes a second or two per epoch. The SmallCNN takes a few seconds per epoch, more
# at small batches: at batch 8 for 10 epochs, expect about a minute on a 2-core laptop and
# longer on a shared hub, so try it last, with few epochs.

# %% tags=["demo"]
from workshop_utils.explorers import training_explorer

trainer = training_explorer()
trainer


# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 8.1 · The update step
#
# Write `my_sgd_step(theta, grad, lr)` that returns the new parameters
# $\theta - \eta\,\nabla_\theta\mathcal L$ for a numpy array `theta`, its gradient `grad`
# (same shape) and the learning rate `lr`.

# %% tags=["exercise"]
def my_sgd_step(theta, grad, lr):
    # your code here
    return None


from workshop_utils.checks import check_sgd_step

check_sgd_step(my_sgd_step)


# %% [markdown] tags=["check"]
# ✅ Checkpoint 8.1 — pause here until the checker above prints ✓. If it names a mistake,
# fix that one thing and run the cell again; stuck for more than a few minutes? Open the
# solution below.

# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_sgd_step
# def my_sgd_step(theta, grad, lr):
#     return theta - lr * grad
# ```
# Adding the gradient climbs uphill, and forgetting `lr` takes a step of size 1: the
# checker names both.
# </details>

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 8.2 · The gradient of cross-entropy with respect to the logits
#
# Write `my_ce_grad(z, y)` that returns $\partial\mathcal L/\partial z = (\hat y - y)/N$
# for a batch of logits `z` (N×C) and integer labels `y` (N), where $\mathcal L$ is the
# *mean* cross-entropy over the batch and $\hat y = \mathrm{softmax}(z)$ row by row. One of
# the test cases has logits near ±1000: compute softmax stably.

# %% tags=["exercise"]
def my_ce_grad(z, y):
    # your code here
    return None


from workshop_utils.checks import check_ce_grad

check_ce_grad(my_ce_grad)

# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_ce_grad
# def my_ce_grad(z, y):
#     e = np.exp(z - z.max(axis=1, keepdims=True))
#     p = e / e.sum(axis=1, keepdims=True)          # ŷ = softmax(z), row by row
#     Y = np.eye(z.shape[1])[y]                      # one-hot labels
#     return (p - Y) / len(z)
# ```
# The usual slips: y − ŷ (the sign), forgetting to divide by N, softmax over the batch
# axis instead of the classes, or using z instead of ŷ.
# </details>

# %% [markdown] tags=["check"] slideshow={"slide_type": "slide"}
# ## Check yourself
#
# One question on this lesson: click an answer to get a ✓ or ✗ and the reason.

# %% tags=["check"]
from workshop_utils.explorers import quiz

quiz([dict(
    section="08 · Learning Loop",
    question="Gradient descent on L(θ) = θ², starting at θ = 1 with η = 0.25: "
             "after one step θ is …",
    options=["0.75", "0.5", "0", "−0.5"],
    answer=1,
    explanation="The gradient is 2θ = 2, so θ ← 1 − 0.25 · 2 = 0.5.")])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key takeaways
#
# - Training is five steps on repeat: forward pass, loss, back-propagation, update, repeat.
# - The update is $\theta \leftarrow \theta - \eta\,\nabla_\theta\mathcal L$. Too small an
#   $\eta$ crawls; too large overshoots and diverges (for a bowl: above $2/\lambda_{\max}$).
# - For softmax + cross-entropy the learning signal at the logits is simply
#   $\hat y - y$ (divided by $N$ for a batch mean).
# - Back-propagation is the chain rule applied layer by layer, backwards; `loss.backward()`
#   does exactly what your numpy code did, and both agree with a numeric gradient.
#
# **Next:** [09 · Minimal Forward Pass](09_minimal_forward_pass.ipynb), where every stage of
# the network you trained is written out and drawn.
