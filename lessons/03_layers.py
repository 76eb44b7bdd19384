# ---
# jupyter:
#   workshop:
#     file: 03_layers.ipynb
#     schedule:
#       exercises:
#       - core: false
#         id: '3.1'
#         minutes: 5
#       - core: true
#         id: '3.2'
#         minutes: 10
#       - core: false
#         id: '3.3'
#         minutes: 5
#       teach: 20
#       three_hour:
#         minutes: 15
#         plan: sections 1-3 and Demo 3.1; section 5 shown, not run line by line; exercises
#           as homework
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 03 · Layers in a network
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dl-math-workshop/deep-learning-workshop/blob/v0.1.0/notebooks/03_layers.ipynb)
#
# > **Building blocks of the network**
#
# One neuron (lesson 02) turns an input vector into one number. A **layer** is many
# neurons side by side, all looking at the same input; a network is layers one after
# another. In this notebook a whole 28×28 digit goes into a layer, you compute that layer
# for one image and for a batch, count its parameters, stack layers, and train a one-layer
# classifier whose weights you can look at as pictures.
#
# **You will learn to**
# - flatten a 28×28 image into a vector $x \in \mathbb{R}^{784}$;
# - give the shapes in $y = f(Wx + b)$: $W \in \mathbb{R}^{d_{\text{out}} \times d_{\text{in}}}$, $b \in \mathbb{R}^{d_{\text{out}}}$;
# - compute a layer in numpy for one input and for a batch ($XW^\top + b$) and match `nn.Linear`;
# - count the parameters of a stack of layers;
# - train a linear classifier on real digits and read its weights as templates.
#
# **Time:** about 40 minutes: 20 teaching and demos, 10 core exercises, 10 optional.
# **Prerequisites:** lesson 02 (the neuron $z = w \cdot x + b$), numpy's `@` and `.reshape`.

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
from IPython.display import display

from workshop_utils import seed_everything
from workshop_utils.data import load_mnist5k
from workshop_utils.layers import init_linear
from workshop_utils.plotting import image_grid

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1 · From image to vector: flatten
#
# A linear layer takes a vector. A 28×28 grayscale digit $X$ becomes one by reading its
# rows one after another: $x = \mathrm{vec}(X) \in \mathbb{R}^{784}$, where pixel
# $(r, c)$ lands at position $28r + c$. Nothing is lost, only the arrangement changes.

# %% tags=["demo"]
digits = load_mnist5k(seed=0)
X_img = digits.X_train[0].astype(np.float64) / 255.0     # one real digit, values in [0, 1]
x = X_img.reshape(-1)                                    # row after row
x_torch = torch.from_numpy(X_img).flatten()
print("image", X_img.shape, "→ vector", x.shape, "| label", digits.y_train[0])
assert np.array_equal(x, x_torch.numpy())
r, c = 10, 15
assert x[28 * r + c] == X_img[r, c]
print(f"pixel ({r}, {c}) is entry {28 * r + c} of x ✓ | numpy reshape == torch flatten ✓")

# %% tags=["demo"]
fig, (ax_img, ax_vec) = plt.subplots(1, 2, figsize=(9, 2.2), gridspec_kw={"width_ratios": [1, 6]})
ax_img.imshow(X_img, cmap="gray")
ax_img.set_title("X: 28×28")
ax_img.set_axis_off()
ax_vec.imshow(x[None, :], cmap="gray", aspect="auto")
ax_vec.set_yticks([])
ax_vec.set_xlabel("position in x (each row of X is one stretch of 28)")
ax_vec.set_title("x = vec(X): 784 numbers in a line")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2 · One layer: $y = f(Wx + b)$
#
# $$\boxed{y = f(Wx + b)}$$
#
# - $x \in \mathbb{R}^{d_{\text{in}}}$: the input vector (flattened), here $d_{\text{in}} = 784$
# - $W \in \mathbb{R}^{d_{\text{out}} \times d_{\text{in}}}$: the weights, **one row per output neuron**
# - $b \in \mathbb{R}^{d_{\text{out}}}$: the biases, one per output neuron
# - $f$: the activation, applied to each entry (lesson 04; here $f(z) = z$)
#
# Row $j$ of $W$ together with $b_j$ is exactly the neuron of lesson 02:
# $y_j = W_{j,:} \cdot x + b_j$. Let's build a layer with $d_{\text{out}} = 10$ (one output
# per digit class), starting from small random weights the way PyTorch does.

# %% tags=["demo"]
d_in, d_out = 784, 10
W, b = init_linear(d_in, d_out, seed=0)      # W: 10×784, b: 10, uniform in ±1/√784
y = W @ x + b
print("W", W.shape, "@ x", x.shape, "+ b", b.shape, "→ y", y.shape)
print("y =", y.round(3))
assert np.isclose(y[3], W[3] @ x + b[3])     # output 3 is one neuron: row 3 of W, bias 3

layer = torch.nn.Linear(d_in, d_out, dtype=torch.float64)
print("nn.Linear stores weight", tuple(layer.weight.shape), "and bias", tuple(layer.bias.shape))
with torch.no_grad():
    layer.weight.copy_(torch.from_numpy(W))
    layer.bias.copy_(torch.from_numpy(b))
    y_torch = layer(x_torch).numpy()
assert np.allclose(y, y_torch)
print("numpy W @ x + b == nn.Linear(784, 10) ✓")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3 · A batch at once: $XW^\top + b$
#
# Networks process many images at once. Stack $N$ flattened images as the **rows** of a
# matrix $X \in \mathbb{R}^{N \times 784}$. Row $i$ of the result should be
# $W x_i + b$, and as a row vector that is $x_i^\top W^\top + b^\top$. So the whole batch is
#
# $$Y = X W^\top + b \in \mathbb{R}^{N \times d_{\text{out}}},$$
#
# where numpy *broadcasts* $b$: it is added to every row. This is the form `nn.Linear`
# computes.

# %% tags=["demo"]
X_batch = digits.X_train[:32].reshape(32, -1).astype(np.float64) / 255.0   # N×784
Y = X_batch @ W.T + b
print("X", X_batch.shape, "@ W.T", W.T.shape, "+ b", b.shape, "→ Y", Y.shape)
Y_loop = np.stack([W @ xi + b for xi in X_batch])      # one image at a time
with torch.no_grad():
    Y_torch = layer(torch.from_numpy(X_batch)).numpy()
assert np.allclose(Y, Y_loop) and np.allclose(Y, Y_torch)
print("batch == one-by-one == nn.Linear ✓")


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4 · Counting parameters
#
# A layer $d_{\text{in}} \to d_{\text{out}}$ learns $d_{\text{out}} \cdot d_{\text{in}}$
# weights plus $d_{\text{out}}$ biases. For 784 → 10 that is $7840 + 10 = 7850$. Stacking
# layers, the output of one is the input of the next, so a network is described by its
# list of widths, e.g. `[784, 128, 64, 10]`:

# %% tags=["demo"]
def n_params(d_in, d_out):
    return d_out * d_in + d_out


widths = [784, 128, 64, 10]
for d_i, d_o in zip(widths[:-1], widths[1:]):
    print(f"{d_i:>4} → {d_o:<4} W: {d_o}×{d_i}, b: {d_o}  → {n_params(d_i, d_o):>7,} parameters")
total = sum(n_params(d_i, d_o) for d_i, d_o in zip(widths[:-1], widths[1:]))

mlp = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(),
                          torch.nn.Linear(128, 64), torch.nn.ReLU(),
                          torch.nn.Linear(64, 10))
torch_total = sum(p.numel() for p in mlp.parameters())
print(f"total {total:,} | PyTorch counts {torch_total:,}")
assert total == torch_total == 109_386

# %% [markdown]
# The course draws such a stack from its list of widths (this is `assets/layers.png`).
# Only a few neurons of each layer are drawn; every neuron of a layer connects to every
# neuron of the next, and each connection is one weight.

# %% tags=["demo"]
from workshop_utils.figures.layers import layers_figure

display(layers_figure(widths))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive Demo 3.1 · Layer builder
#
# Choose how many hidden layers there are and how wide each one is. The diagram, the table
# of shapes and the parameter count follow.
#
# - Which layer holds most of the parameters? Why is it always the first one here?
# - Double the width of $h_1$. By how much does the total grow? And if you double $h_2$?
# - Set a hidden width to 1: the whole digit must squeeze through a single number.

# %% tags=["demo"]
from workshop_utils.explorers import layer_builder

builder = layer_builder()
builder

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5 · A one-layer classifier on real digits
#
# The simplest digit classifier is one linear layer 784 → 10: output $j$ is a score for
# "this is digit $j$", and the prediction is the class with the largest score. We let
# PyTorch find $W$ and $b$ on 4,000 training digits (how: the loss of lesson 07 and the
# learning loop of lesson 08) and measure the accuracy on 1,000 digits it never sees.
# It takes a few seconds.

# %% tags=["demo"]
from workshop_utils.training import evaluate, fit

X_train, y_train, X_test, y_test = digits.tensors(flatten=True)    # N×784 floats in [0, 1]
print("train", tuple(X_train.shape), "| test", tuple(X_test.shape))
torch.set_num_threads(1)     # a model this small trains fastest on a single CPU thread
seed_everything(0)
classifier = torch.nn.Linear(784, 10)
history = fit(classifier, X_train, y_train, epochs=10, lr=0.02, batch_size=256,
              weight_decay=1.0,   # pulls unused weights towards 0: cleaner pictures below
              X_val=X_test, y_val=y_test, seed=0)
print(history)
print(f"held-out accuracy of one linear layer: {evaluate(classifier, X_test, y_test):.1%}")

# %% [markdown]
# The trained layer is nothing but its numbers. Computing the scores ourselves with numpy
# gives the same predictions:

# %% tags=["demo"]
W_trained = classifier.weight.detach().numpy()       # 10×784
b_trained = classifier.bias.detach().numpy()         # 10
scores = X_test.numpy() @ W_trained.T + b_trained    # 1000×10
pred = scores.argmax(axis=1)
with torch.no_grad():
    assert np.array_equal(pred, classifier(X_test).argmax(1).numpy())
print("first 10 predictions:", pred[:10], "\ntrue labels:         ", y_test[:10].numpy())
print(f"accuracy {np.mean(pred == y_test.numpy()):.1%} (numpy) ✓")

# %% [markdown]
# Each row of $W$ has 784 weights, one per pixel, so it can be shown as a 28×28 image.
# Orange means a positive weight (ink there raises that class's score), purple a negative
# one (ink there lowers it). The rows look like blurry **templates** of the digits: a
# linear layer scores an image by how well it matches each template.

# %% tags=["demo"]
templates = W_trained.reshape(10, 28, 28)
lim = np.abs(templates).max()
display(image_grid(templates, titles=[f"row {j}: digit {j}" for j in range(10)], ncols=5, size=1.6,
                   cmap="PuOr_r", vmin=-lim, vmax=lim, suptitle="the 10 rows of W as 28×28 images"))

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 3.1 · The shapes of $W$ and $b$
#
# Write `my_layer_params(d_in, d_out)` that returns a weight matrix `W` and a bias vector
# `b` for a layer from `d_in` inputs to `d_out` outputs, with the shapes of $y = Wx + b$.
# Fill `W` with small random numbers (e.g. `0.01 * rng.normal(size=...)`) and `b` with zeros:
# random, so that the neurons start different (equal weights would stay equal forever);
# small, so that the outputs do not saturate; and `b` zeros (unlike `init_linear` above).

# %% tags=["exercise"]
rng = np.random.default_rng(0)


def my_layer_params(d_in, d_out):
    # your code here
    return None


from workshop_utils.checks import check_layer_params

check_layer_params(my_layer_params)


# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_layer_params
# rng = np.random.default_rng(0)
#
#
# def my_layer_params(d_in, d_out):
#     W = 0.01 * rng.normal(size=(d_out, d_in))   # one row per output neuron
#     b = np.zeros(d_out)                        # one bias per output neuron
#     return W, b
# ```
# </details>

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 3.2 · A batched linear layer
#
# Write `my_linear_batch(X, W, b)` for a batch `X` of shape N×d_in, returning the N×d_out
# outputs $XW^\top + b$ (row $i$ is $Wx_i + b$). No loops needed.

# %% tags=["exercise"]
def my_linear_batch(X, W, b):
    # your code here
    return None


from workshop_utils.checks import check_linear_batch

check_linear_batch(my_linear_batch)


# %% [markdown] tags=["check"]
# ✅ Checkpoint 3.2 — pause here until the checker above prints ✓. If it names a mistake,
# fix that one thing and run the cell again; stuck for more than a few minutes? Open the
# solution below.

# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_linear_batch
# def my_linear_batch(X, W, b):
#     return X @ W.T + b
# ```
# `W @ X.T` computes the same numbers but transposed (d_out×N); `X @ W` uses the wrong
# side of $W$. The checker tells them apart.
# </details>

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 3.3 · Counting parameters
#
# Write `my_count_parameters(widths)` that returns the number of weights and biases of a
# stack of linear layers with the given widths, e.g. `[784, 128, 64, 10]` → 109,386.

# %% tags=["exercise"]
def my_count_parameters(widths):
    # your code here
    return None


from workshop_utils.checks import check_count_parameters

check_count_parameters(my_count_parameters)

# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_count_parameters
# def my_count_parameters(widths):
#     return sum(d_out * d_in + d_out for d_in, d_out in zip(widths[:-1], widths[1:]))
# ```
# </details>

# %% [markdown] tags=["check"] slideshow={"slide_type": "slide"}
# ## Check yourself
#
# One question on this lesson: click an answer to get a ✓ or ✗ and the reason.

# %% tags=["check"]
from workshop_utils.explorers import quiz

quiz([dict(
    section="03 · Layers in a network",
    question="A dense layer y = Wx + b takes 784 inputs to 128 outputs. W has "
             "shape …",
    options=["(784, 128)", "(128, 784)", "(128,)", "(784, 784)"],
    answer=1,
    explanation="W is d_out × d_in: one row of 784 weights per output. PyTorch's "
                "nn.Linear(784, 128).weight has this shape too.")])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key takeaways
#
# - A layer computes $y = f(Wx + b)$ with $x \in \mathbb{R}^{d_{\text{in}}}$,
#   $W \in \mathbb{R}^{d_{\text{out}} \times d_{\text{in}}}$ (one row per output neuron),
#   $b \in \mathbb{R}^{d_{\text{out}}}$; images are flattened into $x$ first.
# - For a batch with one example per row, $Y = XW^\top + b$; `nn.Linear` stores $W$ as
#   `weight` (d_out×d_in) and $b$ as `bias`.
# - A layer has $d_{\text{out}} d_{\text{in}} + d_{\text{out}}$ parameters; the first layer
#   after a big input usually holds most of them.
# - One linear layer already classifies 9 in 10 held-out digits, by matching each image
#   against ten learned templates.
#
# **Next:** [04 · Activation Functions](04_activation_functions.ipynb): the $f$ in
# $f(Wx + b)$, and why stacking layers is pointless without it.
