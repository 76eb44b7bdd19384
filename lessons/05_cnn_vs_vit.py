# ---
# jupyter:
#   workshop:
#     file: 05_cnn_vs_vit.ipynb
#     schedule:
#       exercises:
#       - core: true
#         id: '5.1'
#         minutes: 5
#       - core: false
#         id: '5.2'
#         minutes: 5
#       - core: false
#         id: '5.3'
#         minutes: 5
#       - core: false
#         id: '5.4'
#         minutes: 5
#       - core: false
#         id: '5.5'
#         minutes: 10
#       teach: 45
#       three_hour:
#         minutes: 20
#         plan: Demos 5.1, 5.4 and 5.5 with the section 5.3 comparison; the shipped
#           weights, no training
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 05 · Architectures: CNNs vs. ViTs
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dl-math-workshop/deep-learning-workshop/blob/v0.1.0/notebooks/05_cnn_vs_vit.ipynb)
#
# > **Learning local patterns, or global attention?**
#
# Two families of networks read images today. A **convolutional neural network** (CNN)
# slides small shared kernels over the image and builds features from local patterns. A
# **Vision Transformer** (ViT) cuts the image into patches and lets every patch look at every
# other one through **attention**. In this notebook you write both from their formulas in
# numpy, check them against PyTorch, train both on 4,000 real handwritten digits on your CPU
# (under a minute for the two on a 2-core laptop), and compare them side by side.
#
# **You will learn to**
# - compute a convolution $Y_{c_o,h,w}=\sum_{c_i}\sum_m\sum_n K_{c_o,c_i,m,n}X_{c_i,h+m,w+n}$ with
#   loops and vectorised, and predict its output size from kernel, stride and padding;
# - see what kernels and feature maps do to real images;
# - patchify an image, embed the patches with a CLS token and positions, and compute
#   $\mathrm{softmax}(QK^\top/\sqrt d)\,V$ (one head and several; this $K$ holds the attention
#   keys, not a convolution kernel);
# - train a small CNN and a tiny ViT and compare parameters, training time and accuracy.
#
# **Time:** about 75 minutes: 45 teaching and demos, 5 core exercises, 25 optional.
# **Prerequisites:** lessons 01–04 (tensors, weighted sums,
# layers, ReLU); numpy indexing and `@`.

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
import time

import numpy as np
import torch
import torch.nn.functional as F
from IPython.display import Markdown, display

from workshop_utils.data import load_digits8x8, load_mnist5k, load_photo
from workshop_utils.models import SmallCNN, count_parameters
from workshop_utils.plotting import image_grid
from workshop_utils.trained import CNN_RECIPE, VIT_CONFIG, VIT_RECIPE, fit_or_load
from workshop_utils.training import evaluate
from workshop_utils.vit import TinyViT

digits = load_mnist5k(seed=0)              # 4,000 training and 1,000 held-out real digits
X_train, y_train, X_test, y_test = digits.tensors()
print(digits)
print("CPU threads:", torch.get_num_threads())


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5.1 · Convolution: learning local patterns
#
# A convolutional layer holds a small **kernel** $K$ for every pair of output channel $c_o$ and
# input channel $c_i$. Output value $(c_o, h, w)$ is the weighted sum of the $k\times k$ window of
# the input that starts at row $h$ and column $w$:
#
# $$Y_{c_o,h,w} = \sum_{c_i=1}^{C_\text{in}} \sum_{m=0}^{k-1} \sum_{n=0}^{k-1} K_{c_o,c_i,m,n}\; X_{c_i,\,h+m,\,w+n}$$
#
# The same kernel is used at every position (**shared weights**), so a layer with 16 kernels of
# 5×5 has only 16·25 weights (+16 biases) whatever the image size. Strictly speaking this is
# **cross-correlation** (the kernel is not flipped, as it would be in a textbook convolution);
# every deep-learning library, PyTorch included, computes exactly this and calls it convolution.
#
# **Stride** $s$ moves the window $s$ pixels at a time (row $s\cdot h + m$ instead of $h+m$);
# **padding** $p$ adds $p$ rows and columns of zeros around the image first.
#
# Here are the six nested loops, with exactly the outline's indices:

# %% tags=["demo"]
def conv2d_loops(X, K, stride=1, padding=0):
    """Y[c_o, h, w] = sum over c_i, m, n of K[c_o, c_i, m, n] * X[c_i, s*h + m, s*w + n]."""
    C_in, H, W = X.shape
    C_out, _, k, _ = K.shape
    X = np.pad(X, ((0, 0), (padding, padding), (padding, padding)))   # zeros around the image
    H_out = (H + 2 * padding - k) // stride + 1
    W_out = (W + 2 * padding - k) // stride + 1
    Y = np.zeros((C_out, H_out, W_out))
    for c_o in range(C_out):
        for h in range(H_out):
            for w in range(W_out):
                for c_i in range(C_in):
                    for m in range(k):
                        for n in range(k):
                            Y[c_o, h, w] += K[c_o, c_i, m, n] * X[c_i, stride * h + m, stride * w + n]
    return Y


# %% [markdown]
# Check it against `torch.nn.functional.conv2d` on real images, a digit (one channel) and a
# crop of a colour photo (three channels), for several channel counts, strides and paddings:

# %% tags=["demo"]
rng = np.random.default_rng(0)
photo = load_photo("china")
digit = digits.X_test[3].astype(np.float64) / 255                          # 28×28
crop = np.transpose(photo[120:144, 220:244], (2, 0, 1)).astype(np.float64) / 255  # 3×24×24

for X, C_out, k, stride, padding in [(digit[None], 4, 5, 1, 0), (digit[None], 8, 5, 2, 2),
                                     (crop, 2, 3, 1, 1), (crop, 5, 3, 3, 0), (crop, 1, 7, 2, 3)]:
    K = rng.normal(size=(C_out, X.shape[0], k, k))                         # random kernel weights
    Y = conv2d_loops(X, K, stride, padding)
    Y_torch = F.conv2d(torch.tensor(X)[None], torch.tensor(K), stride=stride, padding=padding)[0]
    assert np.allclose(Y, Y_torch.numpy())
    print(f"X {X.shape} * K {K.shape}, stride {stride}, padding {padding} -> Y {Y.shape}: matches torch ✓")


# %% [markdown]
# Six nested Python loops are slow. The same sum can be written without loops: cut out every
# $k\times k$ window at once (numpy's `sliding_window_view`, a *view*, nothing is copied), then
# multiply and add over $(c_i, m, n)$ with `einsum`. Unrolling the windows into columns and doing
# one matrix product is the same idea, called **im2col**; it is how libraries compute it.

# %% tags=["demo"]
def conv2d_fast(X, K, stride=1, padding=0):
    k = K.shape[-1]
    X = np.pad(X, ((0, 0), (padding, padding), (padding, padding)))
    windows = np.lib.stride_tricks.sliding_window_view(X, (k, k), axis=(1, 2))  # C_in×H'×W'×k×k
    windows = windows[:, ::stride, ::stride]                                       # keep every s-th
    return np.einsum("ihwmn,oimn->ohw", windows, K)                                # sum over i, m, n


K = rng.normal(size=(8, 1, 5, 5))
t0 = time.perf_counter()
Y_loops = conv2d_loops(digit[None], K)
t1 = time.perf_counter()
Y_fast = conv2d_fast(digit[None], K)
t2 = time.perf_counter()
Y_torch = F.conv2d(torch.tensor(digit)[None, None], torch.tensor(K))[0].numpy()
t3 = time.perf_counter()
assert np.allclose(Y_fast, Y_loops) and np.allclose(Y_torch, Y_loops)
print(f"8 kernels of 5×5 on a 28×28 digit, Y {Y_fast.shape}: loops {1000 * (t1 - t0):.1f} ms, "
      f"sliding windows {1000 * (t2 - t1):.2f} ms, torch {1000 * (t3 - t2):.2f} ms | all equal ✓")


# %% [markdown]
# ### Output size
#
# Along each axis the window fits $\lfloor (H + 2p - k)/s \rfloor + 1$ times: the padded length
# $H+2p$, minus the kernel, divided by the stride (rounded down, a window never hangs over the
# edge), plus one for the first position. The course's CNN uses $k=5$, $s=2$, $p=2$:
# 28 → 14 → 7.

# %% tags=["demo"]
def conv_output_size(H, k, s=1, p=0):
    return (H + 2 * p - k) // s + 1


print("28 → conv(k=5, s=2, p=2) →", conv_output_size(28, 5, 2, 2), "→ again →",
      conv_output_size(conv_output_size(28, 5, 2, 2), 5, 2, 2))
for k, s, p in [(3, 1, 0), (3, 1, 1), (5, 2, 2), (7, 3, 0)]:
    Y = F.conv2d(torch.zeros(1, 1, 28, 28), torch.zeros(1, 1, k, k), stride=s, padding=p)
    assert Y.shape[-1] == conv_output_size(28, k, s, p)
print("formula == torch's output size ✓")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive Demo 5.1 · Kernel size, stride and padding
#
# An 8×8 digit (scikit-learn's real handwriting) with a $k\times k$ averaging kernel. Move
# **kernel k**, **stride s** and **padding p**: the blue cells are the zero padding, the orange
# dots mark where windows start, and the output grid on the right changes size. Move **output
# cell** to slide the window. When does the output get *larger* than the input? Which settings
# keep 8 → 8?

# %% tags=["demo"]
from workshop_utils.explorers import conv_geometry_explorer

geometry = conv_geometry_explorer(load_digits8x8(seed=0).X_train[0])
geometry


# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 5.1 · Output size of a convolution
#
# Write `my_conv_output_size(H, k, s, p)` returning the number of output rows of a
# convolution with kernel size `k`, stride `s` and padding `p` on `H` input rows.

# %% tags=["exercise"]
def my_conv_output_size(H, k, s, p):
    # your code here
    return None


from workshop_utils.checks import check_conv_output_size

check_conv_output_size(my_conv_output_size)


# %% [markdown] tags=["check"]
# ✅ Checkpoint 5.1 — pause here until the checker above prints ✓. If it names a mistake,
# fix that one thing and run the cell again; stuck for more than a few minutes? Open the
# solution below.

# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_conv_output_size
# def my_conv_output_size(H, k, s, p):
#     return (H + 2 * p - k) // s + 1
# ```
# Padding is added on both sides (2p), `//` rounds down, and the first window counts (+1).
# </details>

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 5.2 · One output value by hand
#
# Write `my_conv_value(X, K, c_o, h, w)` returning the single number $Y_{c_o,h,w}$ of the
# formula above (stride 1, no padding): `X` is $C_\text{in}\times H\times W$, `K` is
# $C_\text{out}\times C_\text{in}\times k\times k$. Loops or a slice and `np.sum`, both are fine.

# %% tags=["exercise"]
def my_conv_value(X, K, c_o, h, w):
    # your code here
    return None


from workshop_utils.checks import check_conv_value

check_conv_value(my_conv_value)

# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_conv_value
# def my_conv_value(X, K, c_o, h, w):
#     C_in, k = K.shape[1], K.shape[-1]
#     total = 0.0
#     for c_i in range(C_in):
#         for m in range(k):
#             for n in range(k):
#                 total += K[c_o, c_i, m, n] * X[c_i, h + m, w + n]
#     return total
# ```
# Or in one line: `np.sum(K[c_o] * X[:, h:h + k, w:w + k])`. Flipping the kernel (textbook
# convolution) or summing only the first channel are the usual slips; the checker names them.
# </details>

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive Demo 5.2 · A kernel editor
#
# A kernel is a tiny pattern detector: the output is large where the image looks like the
# kernel. Choose a **preset** (identity, blur, sharpen, Sobel x and y, edge) or drag the nine
# weights yourself; the kernel is applied live to the photograph and to a digit. Try: why does
# a kernel whose weights sum to 0 turn flat regions grey (zero)? What does Sobel x find that
# Sobel y misses?

# %% tags=["demo"]
from workshop_utils.explorers import kernel_editor

editor = kernel_editor(photo[::3, ::3], digits.X_test[3])
editor

# %% [markdown]
# The Sobel x kernel on the full photograph, with our sliding-window convolution and with
# torch (padding 1 keeps the size):

# %% tags=["demo"]
gray = photo.astype(np.float64) @ np.array([0.299, 0.587, 0.114]) / 255
sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)
edges = conv2d_fast(gray[None], sobel_x[None, None], padding=1)[0]
edges_torch = F.conv2d(torch.tensor(gray)[None, None], torch.tensor(sobel_x)[None, None], padding=1)[0, 0]
assert np.allclose(edges, edges_torch.numpy())
display(image_grid([gray, np.abs(edges)], titles=["photo (grayscale)", "|Sobel x ⋆ photo|: vertical edges"],
                   size=3.6))

# %% [markdown]
# ### A small CNN, trained on real digits
#
# The course's CNN is the minimal forward pass of lesson 09: conv + ReLU, conv + ReLU, flatten,
# dense. Both convolutions use $k=5$, $s=2$, $p=2$, so 1×28×28 → 16×14×14 → 32×7×7 → 1,568
# numbers → 10 scores. Nothing else: no pooling, no normalisation layers.
#
# $$H_1 = \mathrm{ReLU}(W_1 * X + b_1),\quad H_2 = \mathrm{ReLU}(W_2 * H_1 + b_2),\quad
#   z = W_3\,\mathrm{vec}(H_2) + b_3$$
#
# It learns from 4,000 digits and is tested on 1,000 it never sees. The recipe
# (`CNN_RECIPE`): 16 epochs of AdamW with a one-cycle learning-rate schedule, label smoothing 0.1, and
# every training image randomly shifted (±2 px), rotated (±15°) and zoomed (±15 %) each
# epoch, so that 4,000 digits go further. Training takes 5 to 15 seconds on a
# 2-core laptop CPU: before it starts, the cell says how long it took when the course's
# weights were made, and at the end how long it took on yours.
#
# `fit_or_load` takes what `fit` takes (the model, the data, the recipe) and remembers: the
# first run trains here, later runs load the result (lessons 06–10 use the same weights);
# `retrain=True` trains again.

# %% tags=["demo"]
from workshop_utils.explorers import training_monitor

print(CNN_RECIPE)
cnn = SmallCNN()
print(cnn)
monitor = training_monitor(CNN_RECIPE["epochs"], "CNN")
display(monitor)
cnn, cnn_hist = fit_or_load(cnn, X_train, y_train, seed=0, on_epoch=monitor.on_epoch, **CNN_RECIPE)
cnn_acc = evaluate(cnn, X_test, y_test)
print(f"trained in {cnn_hist.seconds:.1f} s; held-out accuracy {cnn_acc:.1%}")

# %% [markdown]
# The 16 learned first-layer kernels $W_1$ (red positive, blue negative). Many look like the
# edge and stroke detectors of the kernel editor, found by gradient descent alone:

# %% tags=["demo"]
W1 = cnn.conv1.weight.detach()[:, 0]                # 16×5×5
lim = W1.abs().max().item()
display(image_grid(W1, titles=[f"W1[{i}]" for i in range(16)], cmap="RdBu_r", vmin=-lim, vmax=lim,
                   size=1.0))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive Demo 5.3 · Feature maps
#
# Each kernel produces a **feature map**: $H_1$ has 16 maps of 14×14, $H_2$ 32 maps of 7×7.
# Choose a held-out **image** and a **layer**. $H_1$ maps still look like the digit (strokes in
# one direction each); $H_2$ maps are coarser and more abstract: each of their values sees a
# 13×13 window of the input.

# %% tags=["demo"]
from workshop_utils.explorers import feature_map_explorer

features = feature_map_explorer(cnn, digits.X_test[:40], digits.y_test[:40])
features

# %% [markdown]
# The outline's figure `assets/cnn-feature-hierarchy.png` is drawn from this trained network
# by the course's own code:

# %% tags=["demo"]
from workshop_utils.figures.cnn import cnn_feature_hierarchy

display(cnn_feature_hierarchy(cnn))


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5.2 · Vision Transformers: a global-attention alternative
#
# A ViT does not slide kernels. It follows four steps:
#
# 1. **Patchify**: split the image into $N$ patches and flatten each to a vector $x_i$;
# 2. **Embed**: a linear projection plus a position embedding;
# 3. **Self-attention** on queries $Q$, keys $K$ and values $V$:
#    $\mathrm{Attn}(Q,K,V)=\mathrm{softmax}\bigl(QK^\top/\sqrt d\bigr)V$;
# 4. a **CLS token** gathers the patches' information into one vector that is classified.
#
# ### Patchify
#
# With patch size $p$ (it must divide 28), a 28×28 digit becomes $N = (28/p)^2$ patches of
# $p^2$ pixels: an $N \times p^2$ matrix whose row $i$ is patch $i$ (numbered row by row from 0,
# as Python counts). In numpy that is one reshape and one transpose:

# %% tags=["demo"]
def patchify(img, p):
    H, W = img.shape
    grid = img.reshape(H // p, p, W // p, p)          # rows of patches, p, cols of patches, p
    return grid.transpose(0, 2, 1, 3).reshape(-1, p * p)


x0 = digits.X_test[3].astype(np.float32) / 255
P = patchify(x0, 7)
P_torch = F.unfold(torch.tensor(x0)[None, None], kernel_size=7, stride=7)[0].T   # torch's way
assert np.allclose(P, P_torch.numpy())
assert np.allclose(P, TinyViT().patchify(torch.tensor(x0)[None, None])[0].numpy())
print("patches:", P.shape, "| patch 5 is rows 7–13, columns 7–13:",
      np.array_equal(P[5], x0[7:14, 7:14].ravel()), "| numpy == torch ✓")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive Demo 5.4 · Patch size
#
# Move **patch p** (sizes that divide 28) and **patch i**. Small patches give many short
# vectors (p = 2: 196 × 4), large ones few long vectors (p = 14: 4 × 196). The cost of attention
# grows with $N^2$, which is why ViTs use patches and not pixels.

# %% tags=["demo"]
from workshop_utils.explorers import patchify_explorer

patches = patchify_explorer(digits.X_test[3])
patches

# %% [markdown]
# ### Embed: linear projection, CLS token and positions
#
# Each patch vector $x_i \in \mathbb{R}^{p^2}$ is projected to $D$ numbers, $W_E x_i + b_E$: the
# $Wx + b$ of lessons 02–03, with $W_E$ of shape $D \times p^2$. For all patches at once, stacked
# as the rows of $P$, that is `P @ W_E.T + b_E`. A learned **CLS token** is put in front, and a
# learned **position embedding** is added to every token (attention itself does not know where a
# patch came from). Our tiny ViT uses $p = 7$ and $D = 64$ (the token width): 16 patches + CLS =
# 17 tokens of 64 numbers. We take a fresh, untrained ViT and compute its tokens by hand:

# %% tags=["demo"]
torch.manual_seed(0)
vit = TinyViT(**VIT_CONFIG)
print(vit)
W_E, b_E = vit.embed.weight.detach().numpy(), vit.embed.bias.detach().numpy()   # 64×49, 64
cls_token, pos = vit.cls.detach().numpy()[0], vit.pos.detach().numpy()[0]         # 1×64, 17×64
tokens = np.concatenate([cls_token, P @ W_E.T + b_E]) + pos                       # 17×64
tokens_torch = vit.stages(torch.tensor(x0)[None, None])["tokens"][0].detach().numpy()
assert np.allclose(tokens, tokens_torch, atol=1e-6)
print("tokens:", tokens.shape, "(CLS + 16 patches, D = 64) | numpy == torch ✓")


# %% [markdown]
# ### Self-attention from scratch
#
# Every token $x_i$ makes a query $q_i = W_Q x_i$, a key $k_i = W_K x_i$ and a value
# $v_i = W_V x_i$, three linear maps written like $W_E$. With the tokens as the rows of $X$ that is
# $Q = XW_Q^\top$, $K = XW_K^\top$, $V = XW_V^\top$; this $K$ is the matrix of keys, not the
# convolution kernel $K$ of section 5.1. In attention $d$ is the width of the queries and keys: the
# code below maps the 64-number tokens to $d = 16$, one head's width in our ViT (64 / 4 heads).
# Token $i$ scores every token $j$ by $q_i\cdot k_j/\sqrt d$, turns the scores into weights with
# a softmax over $j$ (each row of $A$ sums to 1) and takes the weighted mean of the values:
#
# $$A = \mathrm{softmax}\!\Bigl(\tfrac{QK^\top}{\sqrt d}\Bigr), \qquad \mathrm{Attn}(Q,K,V) = A\,V$$
#
# Dividing by $\sqrt d$ keeps the scores from growing with the width, so the softmax does not
# saturate. Every token can attend to every other one, near or far: that is the *global* view.

# %% tags=["demo"]
def softmax(z, axis=-1):
    z = z - z.max(axis=axis, keepdims=True)          # for numerical stability
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def attention(Q, K, V):
    d = Q.shape[-1]
    A = softmax(Q @ K.T / np.sqrt(d))                 # n×n, rows sum to 1
    return A @ V, A


d = 16                                                              # width of q, k, v
W_Q, W_K, W_V = (rng.normal(size=(d, 64)) / 8 for _ in range(3))   # d×64 each, like W_E
Q, K, V = tokens @ W_Q.T, tokens @ W_K.T, tokens @ W_V.T            # Q = X W_Qᵀ: 17×16 each
out, A = attention(Q, K, V)
out_torch = F.scaled_dot_product_attention(*(torch.tensor(t)[None] for t in (Q, K, V)))[0]
assert np.allclose(out, out_torch.numpy())
assert np.allclose(A.sum(axis=1), 1)
print("A:", A.shape, "| output:", out.shape, "| rows of A sum to 1 | numpy == torch ✓")


# %% [markdown]
# **Multi-head attention** computes $Q, K, V$ at the full token width (64), cuts each into $h$
# slices of $64/h$ columns and runs one attention per slice, side by side (4 heads: the $d = 16$
# of the cell above); it concatenates the results and mixes them with an output projection.
# Copy the weights of a PyTorch `nn.MultiheadAttention` into numpy and compare:

# %% tags=["demo"]
def multi_head(X, W_in, b_in, W_out, b_out, heads):
    n, E = X.shape
    d = E // heads
    Q, K, V = np.split(X @ W_in.T + b_in, 3, axis=1)                   # n×E each
    outs = [attention(Q[:, h * d:(h + 1) * d], K[:, h * d:(h + 1) * d], V[:, h * d:(h + 1) * d])[0]
            for h in range(heads)]
    return np.concatenate(outs, axis=1) @ W_out.T + b_out


mha = torch.nn.MultiheadAttention(embed_dim=64, num_heads=4, batch_first=True).double()
weights = [t.detach().numpy() for t in (mha.in_proj_weight, mha.in_proj_bias,
                                        mha.out_proj.weight, mha.out_proj.bias)]
ours = multi_head(tokens.astype(np.float64), *weights, heads=4)
X_t = torch.tensor(tokens, dtype=torch.float64)[None]
theirs = mha(X_t, X_t, X_t)[0][0].detach().numpy()
assert np.allclose(ours, theirs)
print("4 heads of d = 16 on 17 tokens:", ours.shape, "| numpy == nn.MultiheadAttention ✓")


# %% [markdown]
# Each ViT block is then: $X \leftarrow X + \mathrm{MHA}(\mathrm{LN}(X))$, then
# $X \leftarrow X + \mathrm{MLP}(\mathrm{LN}(X))$ (LN: layer normalisation; the "+" keeps the
# input, a *residual connection*). After the last block the CLS token is read out by a dense
# layer. Our ViT has 3 blocks with 4 heads.

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 5.3 · How many patches?
#
# Write `my_num_patches(H, W, p)`: the number of $p\times p$ patches of an $H\times W$ image
# ($p$ divides both).

# %% tags=["exercise"]
def my_num_patches(H, W, p):
    # your code here
    return None


from workshop_utils.checks import check_num_patches

check_num_patches(my_num_patches)


# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_num_patches
# def my_num_patches(H, W, p):
#     return (H // p) * (W // p)
# ```
# </details>

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 5.4 · The attention matrix's shape
#
# A ViT with a CLS token attends among all its tokens. Write `my_attention_shape(H, W, p)`
# returning the shape `(rows, columns)` of the attention matrix $A$ of one head.

# %% tags=["exercise"]
def my_attention_shape(H, W, p):
    # your code here
    return None


from workshop_utils.checks import check_attention_shape

check_attention_shape(my_attention_shape)


# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_attention_shape
# def my_attention_shape(H, W, p):
#     n = (H // p) * (W // p) + 1      # the patches plus the CLS token
#     return (n, n)
# ```
# A 224×224 photo with 16×16 patches gives 197 tokens and a 197×197 matrix per head.
# </details>

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 5.5 · Scaled dot-product attention
#
# Write `my_attention(Q, K, V)` returning $\mathrm{softmax}(QK^\top/\sqrt d)\,V$ for $n\times d$
# matrices (you may use the `softmax` defined above). Return only the output: the `attention`
# above also returns $A$. Take $d$ from `Q.shape[-1]`, not from the `d` of an earlier cell.

# %% tags=["exercise"]
def my_attention(Q, K, V):
    # your code here
    return None


from workshop_utils.checks import check_attention

check_attention(my_attention)

# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_attention
# def my_attention(Q, K, V):
#     scores = Q @ K.T / np.sqrt(Q.shape[-1])
#     scores = scores - scores.max(axis=1, keepdims=True)
#     A = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
#     return A @ V
# ```
# Forgetting $\sqrt d$, taking the softmax over the wrong axis, or returning $A$ instead of
# $AV$ are the usual slips.
# </details>

# %% [markdown]
# ### Train the tiny ViT on the same digits
#
# Same split, same optimiser, same kind of augmentation (`VIT_RECIPE`: shifts ±2 px, rotations
# ±10°, zooms ±10 %, label smoothing 0.1, batches of 64, 16 epochs, and bfloat16 arithmetic
# where the CPU has it: half the bits of float32, enough for training this network); 10 to
# 30 s on a 2-core laptop CPU, and remembered like the CNN:

# %% tags=["demo"]
print(VIT_RECIPE)
vit = TinyViT(**VIT_CONFIG)
monitor = training_monitor(VIT_RECIPE["epochs"], "ViT")
display(monitor)
vit, vit_hist = fit_or_load(vit, X_train, y_train, seed=0, on_epoch=monitor.on_epoch, **VIT_RECIPE)
vit_acc = evaluate(vit, X_test, y_test)
print(f"trained in {vit_hist.seconds:.1f} s; held-out accuracy {vit_acc:.1%}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive Demo 5.5 · Where does the CLS token look?
#
# Row 0 of each attention matrix is the CLS token's attention over all tokens. Choose an
# **image**, a **layer** and a **head**: brighter patches are the ones CLS takes more from.
# Nobody told the network where to look; training alone shaped these weights. Compare layers
# and heads: which ones spread their attention, which ones focus on a few patches, and do the
# patches they pick carry strokes of the digit?

# %% tags=["demo"]
from workshop_utils.explorers import attention_explorer

looks = attention_explorer(vit, digits.X_test[:40], digits.y_test[:40])
looks

# %% tags=["demo"]
from workshop_utils.figures.cnn import vit_attention

display(vit_attention(vit))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5.3 · CNN vs. ViT
#
# - **CNN**: uses kernels (filters) to detect *local* features; stacking layers widens what a
#   unit sees (5×5 in layer 1, 13×13 in layer 2).
# - **ViT**: uses attention to relate *all* patches to each other, from the first layer on.
#
# The outline's figure `assets/CNN-vs-ViT.png`, from the two networks we just trained:

# %% tags=["demo"]
from workshop_utils.figures.cnn import cnn_vs_vit

display(cnn_vs_vit(cnn, vit))

# %% [markdown]
# Both were trained on the same 4,000 digits and tested on the same 1,000, on this computer
# (training times are from the run that made the weights, the first time this notebook ran):

# %% tags=["demo"]
rows = [("CNN (SmallCNN)", cnn, cnn_hist, cnn_acc), ("ViT (TinyViT)", vit, vit_hist, vit_acc)]
table = ["| model | parameters | epochs | training time (s) | held-out accuracy |", "|---|---|---|---|---|"]
for name, model, hist, acc in rows:
    table.append(f"| {name} | {count_parameters(model):,} | {len(hist.loss)} | {hist.seconds:.1f} "
                 f"| {acc:.1%} |")
display(Markdown("\n".join(table)))

# %% [markdown]
# On 4,000 small images the CNN wins with fewer parameters and less time. That is the
# expected result, not a bug: a convolution *assumes* that nearby pixels belong together and
# that a pattern means the same wherever it appears (an **inductive bias**), so it needs less
# data. A ViT has to *learn* locality from data; with millions of images it catches up and
# often overtakes CNNs, because attention can also relate distant parts of an image from
# the very first layer. (The benchmark `benchmarks/bench_models.py` repeats this comparison
# over three seeds.)

# %% [markdown] tags=["check"] slideshow={"slide_type": "slide"}
# ## Check yourself
#
# One question on this lesson: click an answer to get a ✓ or ✗ and the reason.

# %% tags=["check"]
from workshop_utils.explorers import quiz

quiz([dict(
    section="05 · Architectures: CNNs vs. ViTs",
    question="A 3×3 convolution with stride 1 and no padding turns a 28×28 image "
             "into feature maps of size …",
    options=["28 × 28", "26 × 26", "25 × 25", "9 × 9"],
    answer=1,
    explanation="(H + 2p − k)/s + 1 = (28 + 0 − 3)/1 + 1 = 26: the kernel fits 26 "
                "times along each side.")])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key takeaways
#
# - A convolution is a weighted sum over a small window, $Y_{c_o,h,w}=\sum_{c_i,m,n}
#   K_{c_o,c_i,m,n}X_{c_i,h+m,w+n}$, with the same kernel everywhere (cross-correlation, as
#   in PyTorch); its output size is $\lfloor (H+2p-k)/s\rfloor + 1$.
# - Kernels detect local patterns (edges, strokes); stacked layers see larger and larger windows.
# - A ViT cuts the image into $N$ patches, embeds them (projection + position, plus a CLS
#   token) and lets every token attend to every other: $\mathrm{softmax}(QK^\top/\sqrt d)V$, with
#   queries $Q$, keys $K$ (not a kernel) and values $V$.
# - On little data the CNN's built-in locality wins; attention is more flexible but needs
#   more data to learn what convolution assumes.
#
# **Next:** [06 · Softmax → Class Probabilities](06_softmax.ipynb), where the scores $z$ both
# networks end with become probabilities.
