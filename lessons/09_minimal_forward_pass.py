# ---
# jupyter:
#   workshop:
#     file: 09_minimal_forward_pass.ipynb
#     schedule:
#       exercises:
#       - core: true
#         id: '9.1'
#         minutes: 10
#       - core: false
#         id: '9.2'
#         minutes: 5
#       teach: 15
#       three_hour:
#         minutes: 0
#         plan: skip; homework
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 09 · Minimal Forward Pass
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dl-math-workshop/deep-learning-workshop/blob/v0.1.0/notebooks/09_minimal_forward_pass.ipynb)
#
# > **The whole pipeline, symbolically and in code**
#
# Every piece is now in place: pixels as tensors (01), weights and biases (02), layers
# (03), ReLU (04), convolution (05) and softmax (06). This notebook puts them together
# into the complete forward pass of a small convolutional network, the outline's six
# steps, with the weights of a network that was really trained on handwritten digits. You
# run it in numpy, one line per step, check that PyTorch computes exactly the same
# numbers, follow the shape of the data through every stage, and watch a digit travel
# through the network.
#
# **You will learn to**
# - write the six steps $\tilde X \to H_1 \to H_2 \to h \to z \to \hat y$ in numpy with
#   the course package's implementations of the earlier lessons' formulas;
# - build the same network as one PyTorch `nn.Sequential`, load trained weights into it,
#   and show that both give the same probabilities;
# - predict the shape of every intermediate tensor from the kernel size and stride;
# - read what each stage of a trained network does to a real digit.
#
# **Time:** about 30 minutes: 15 teaching and demos, 10 core exercises, 5 optional.
# **Prerequisites:** lessons 01–06 (especially 05, convolution,
# and 06, softmax); lesson 08 explains where the trained weights come from.

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
from torch import nn

from workshop_utils.conv import conv2d, conv_output_size  # lesson 05's formulas (conv2d: im2col)
from workshop_utils.data import load_mnist5k
from workshop_utils.models import count_parameters
from workshop_utils.plotting import COLORS, image_grid
from workshop_utils.softmax import softmax  # lesson 06
from workshop_utils.trained import pretrained_cnn

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1 · The six steps
#
# 1. **Normalize**: $\tilde X = X/255$
# 2. **Conv + ReLU**: $H_1 = \mathrm{ReLU}(W_1 * \tilde X + b_1)$
# 3. **Conv + ReLU**: $H_2 = \mathrm{ReLU}(W_2 * H_1 + b_2)$
# 4. **Flatten**: $h = \mathrm{vec}(H_2)$
# 5. **Dense**: $z = W_3\,h + b_3$
# 6. **Softmax**: $\hat y = \mathrm{softmax}(z)$
#
# $*$ is lesson 05's convolution. In code it is `conv2d` from `workshop_utils.conv`: not the
# versions you wrote in lesson 05 (loops, then sliding windows) but the package's vectorised
# im2col implementation of the same formula, checked against torch. Here each one uses $5\times5$
# kernels with stride 2 and padding 2, so every conv halves the image: 28 → 14 → 7. The whole
# network has only six learned arrays, $W_1, b_1, W_2, b_2, W_3, b_3$. Here is the trained
# network the course uses: trained with lesson 05's recipe (AdamW, a one-cycle learning rate,
# shifted, rotated and zoomed digits, label smoothing): the weights your run of lesson 05
# trained, or else the ones that ship with the course:

# %% tags=["demo"]
model = pretrained_cnn(seed=0)
print(model)
for name, p in model.named_parameters():
    print(f"  {name:13s} {str(tuple(p.shape)):18s} {p.numel():6,} numbers")
print(f"total: {count_parameters(model):,} learned numbers")

# %% [markdown]
# Take the six arrays out of PyTorch as plain numpy arrays:

# %% tags=["demo"]
W1 = model.conv1.weight.detach().numpy()    # 16×1×5×5: 16 kernels, each 5×5 on 1 input channel
b1 = model.conv1.bias.detach().numpy()      # 16
W2 = model.conv2.weight.detach().numpy()    # 32×16×5×5: 32 kernels, each 5×5 on 16 channels
b2 = model.conv2.bias.detach().numpy()      # 32
W3 = model.fc.weight.detach().numpy()       # 10×1568
b3 = model.fc.bias.detach().numpy()         # 10
stride, padding = 2, 2

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2 · The forward pass in numpy
#
# A real test digit, one the network never saw during training, goes through the six
# steps, one line each:

# %% tags=["demo"]
digits = load_mnist5k(seed=0)
X = digits.X_test[0]                                   # uint8, 28×28, values 0..255
label = digits.y_test[0]

X_tilde = X.astype(np.float32) / 255                   # 1. normalise
H1 = np.maximum(conv2d(X_tilde[None], W1, b1, stride, padding), 0)   # 2. conv + ReLU
H2 = np.maximum(conv2d(H1, W2, b2, stride, padding), 0)              # 3. conv + ReLU
h = H2.reshape(-1)                                     # 4. flatten: vec(H2)
z = W3 @ h + b3                                        # 5. dense
y_hat = softmax(z)                                     # 6. softmax

print("label:", label, "| prediction:", y_hat.argmax(), f"with probability {y_hat.max():.1%}")
print("ŷ =", np.round(y_hat, 3), "| sums to", y_hat.sum().round(6))

# %% [markdown]
# (`X_tilde[None]` adds the channel axis: a grayscale image is one channel, 1×28×28.)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3 · The same network in PyTorch
#
# In PyTorch the six steps are six layers in a row, one `nn.Sequential`. Copy the trained
# weights in and run the same digit:

# %% tags=["demo"]
net = nn.Sequential(
    nn.Conv2d(1, 16, kernel_size=5, stride=2, padding=2),    # W1 * X̃ + b1
    nn.ReLU(),
    nn.Conv2d(16, 32, kernel_size=5, stride=2, padding=2),   # W2 * H1 + b2
    nn.ReLU(),
    nn.Flatten(),                                            # vec(H2)
    nn.Linear(32 * 7 * 7, 10),                               # W3 h + b3
    nn.Softmax(dim=1),                                       # softmax(z)
)
with torch.no_grad():
    for layer, (W, b) in zip([net[0], net[2], net[5]], [(W1, b1), (W2, b2), (W3, b3)]):
        layer.weight.copy_(torch.from_numpy(W))
        layer.bias.copy_(torch.from_numpy(b))
    x = torch.from_numpy(X).float().div(255).reshape(1, 1, 28, 28)   # a batch of one: N×C×H×W
    y_hat_torch = net(x)[0].numpy()

print("numpy:", np.round(y_hat, 4))
print("torch:", np.round(y_hat_torch, 4))
assert np.allclose(y_hat, y_hat_torch, atol=1e-5)
print("numpy forward pass == torch nn.Sequential ✓")

# %% [markdown]
# Not just one digit: `workshop_utils.forward.minimal_forward` runs the same six numpy lines
# on a whole batch (you will write that batch version yourself in Exercise 9.2). On all
# 1,000 held-out digits it agrees with PyTorch, and so does the accuracy.

# %% tags=["demo"]
from workshop_utils.forward import minimal_forward

weights = {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "W3": W3, "b3": b3}
P_numpy = minimal_forward(digits.X_test, weights, stride=2, padding=2)["y_hat"]   # 1,000×10
with torch.no_grad():
    P_torch = net(torch.from_numpy(digits.X_test).float().div(255)[:, None]).numpy()
assert np.allclose(P_numpy, P_torch, atol=1e-5)
acc = np.mean(P_numpy.argmax(1) == digits.y_test)
print(f"largest difference {np.abs(P_numpy - P_torch).max():.1e}; held-out accuracy {acc:.1%} "
      "(numpy and torch agree)")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4 · The shape of every stage
#
# Every convolution shrinks each side by the same formula (lesson 05), with input size $H$,
# kernel $k$, stride $s$ and padding $p$:
#
# $$H_{\text{out}} = \left\lfloor \frac{H + 2p - k}{s} \right\rfloor + 1
# \qquad\text{here: } \left\lfloor \tfrac{28 + 4 - 5}{2} \right\rfloor + 1 = 14,\quad
# \left\lfloor \tfrac{14 + 4 - 5}{2} \right\rfloor + 1 = 7.$$

# %% tags=["demo"]
side1 = conv_output_size(28, 5, stride, padding)
side2 = conv_output_size(side1, 5, stride, padding)
print(f"{'step':26s} {'tensor':7s} {'shape':14s} {'numbers':>8s}")
for step, name, value in [("(input, uint8)", "X", X), ("1. normalise", "X̃", X_tilde),
                          ("2. conv + ReLU", "H₁", H1), ("3. conv + ReLU", "H₂", H2),
                          ("4. flatten", "h", h), ("5. dense", "z", z), ("6. softmax", "ŷ", y_hat)]:
    print(f"{step:26s} {name:7s} {str(value.shape):14s} {value.size:8,}")
assert H1.shape == (16, side1, side1) and H2.shape == (32, side2, side2) and h.shape == (32 * side2**2,)

# %% [markdown]
# The image gets *smaller* (28 → 14 → 7) but *deeper* (1 → 16 → 32 channels): each
# stage trades where for what. The flatten step changes no number, only the shape.
# Here is the digit's journey in pictures:

# %% tags=["demo"]
display_fig = image_grid(H1, titles=[f"H₁[{c}]" for c in range(16)], ncols=8, size=1.0,
                         suptitle="step 2: the 16 maps of H₁ (14×14), one per kernel of W₁")
display(display_fig)
display(image_grid(H2, ncols=16, size=0.6, suptitle="step 3: the 32 maps of H₂ (7×7)"))

fig, (ax_z, ax_p) = plt.subplots(1, 2, figsize=(8, 2.4))
colors = [COLORS["green"] if c == label else COLORS["blue"] for c in range(10)]
ax_z.bar(range(10), z, color=colors)
ax_z.set_title("step 5: logits z")
ax_p.bar(range(10), y_hat, color=colors)
ax_p.set_title("step 6: probabilities ŷ")
for ax in (ax_z, ax_p):
    ax.set_xticks(range(10))
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive Demo 9.1 · A digit through the network
#
# Choose a **digit** and an **example** (real test digits). Each panel is one step: the
# normalised input, the 16 maps of $H_1$, the 32 maps of $H_2$, the 1,568 numbers of
# $h$ (one row per channel of $H_2$), the logits $z$ and the probabilities $\hat y$ (green:
# the true class). Things to look for:
# - $H_1$'s maps look like the digit, each highlighting strokes of one direction (edges);
# - $H_2$'s maps are coarser and more abstract: where in the image some *combination* of
#   strokes appears;
# - the logits of similar-looking classes (4 and 9, 3 and 5) are often close;
# - a few examples are misclassified (the cell prints which): how sure was the network,
#   and what did it see instead?

# %% tags=["demo"]
from workshop_utils.explorers import forward_pass_explorer

explorer = forward_pass_explorer(model, digits)
print("misclassified (digit, example):", explorer.mistakes)
explorer


# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 9.1 · Every stage's shape for any kernel and stride
#
# The network keeps its 16 and 32 channels and 10 classes, and pads by `kernel_size // 2`,
# but the kernel size and stride change. Write `my_stage_shapes(kernel_size, stride)`
# that returns a dict with the shapes of `"H1"`, `"H2"`, `"h"` and `"z"` for one 28×28
# digit (no batch axis), e.g. `{"H1": (16, 14, 14), "H2": (32, 7, 7), "h": (1568,), "z": (10,)}`
# for kernel 5 and stride 2. Lesson 05's size formula is all you need.

# %% tags=["exercise"]
def my_stage_shapes(kernel_size, stride):
    # your code here
    return None


from workshop_utils.checks import check_stage_shapes

check_stage_shapes(my_stage_shapes)


# %% [markdown] tags=["check"]
# ✅ Checkpoint 9.1 — pause here until the checker above prints ✓. If it names a mistake,
# fix that one thing and run the cell again; stuck for more than a few minutes? Open the
# solution below.

# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_stage_shapes
# def my_stage_shapes(kernel_size, stride):
#     p = kernel_size // 2
#     side1 = (28 + 2 * p - kernel_size) // stride + 1
#     side2 = (side1 + 2 * p - kernel_size) // stride + 1
#     return {"H1": (16, side1, side1), "H2": (32, side2, side2),
#             "h": (32 * side2 * side2,), "z": (10,)}
# ```
# The second convolution runs on $H_1$, not on the image, and flattening keeps all
# $C_2 \cdot \text{side}^2$ numbers.
# </details>

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 9.2 · A whole batch at once
#
# Section 2 ran one digit. Write `my_forward_batch(X, weights)` that runs the six steps on a
# batch `X` of N uint8 digits (N×28×28) and returns $\hat y$ as an N×10 array, one row of
# probabilities per digit. `weights` is the dict `{"W1": W1, ..., "b3": b3}` from above
# (stride 2, padding 2). Mind the shapes: the channel axis for the first convolution, a
# flatten that keeps the batch axis, a dense layer on rows (`h @ W3.T`), and a softmax
# over the classes.

# %% tags=["exercise"]
def my_forward_batch(X, weights):
    # your code here
    return None


from workshop_utils.checks import check_forward_batch

check_forward_batch(my_forward_batch)

# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_forward_batch
# def my_forward_batch(X, weights):
#     from workshop_utils.conv import conv2d
#     from workshop_utils.softmax import softmax
#
#     w = weights
#     X_tilde = X.astype(np.float64) / 255                                  # N×28×28
#     H1 = np.maximum(conv2d(X_tilde[:, None], w["W1"], w["b1"], 2, 2), 0)  # N×16×14×14
#     H2 = np.maximum(conv2d(H1, w["W2"], w["b2"], 2, 2), 0)                # N×32×7×7
#     h = H2.reshape(len(X), -1)                                            # N×1568
#     z = h @ w["W3"].T + w["b3"]                                           # N×10
#     return softmax(z, axis=1)
# ```
# `H2.reshape(-1)` would glue all N digits into one vector, and a softmax over axis 0
# would make each *class* sum to 1 across the batch; the checker names both.
# </details>

# %% [markdown] tags=["check"] slideshow={"slide_type": "slide"}
# ## Check yourself
#
# One question on this lesson: click an answer to get a ✓ or ✗ and the reason.

# %% tags=["check"]
from workshop_utils.explorers import quiz

quiz([dict(
    section="09 · Minimal Forward Pass",
    question="After the two convolutions H₂ is 32 × 7 × 7. How many numbers does "
             "the flatten step pass to the dense layer?",
    options=["49", "224", "1,568", "32"],
    answer=2,
    explanation="vec(H₂) keeps every number: 32 · 7 · 7 = 1,568, which is why W₃ is "
                "10 × 1,568.")])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key takeaways
#
# - The minimal CNN is six steps: normalise, conv + ReLU, conv + ReLU, flatten, dense,
#   softmax, a few lines of numpy with the pieces of lessons 01–06.
# - PyTorch's `nn.Sequential` with the same weights computes the same numbers: a framework
#   adds speed and gradients, not magic.
# - Shapes follow $\lfloor (H + 2p - k)/s \rfloor + 1$: the image shrinks (28 → 14 → 7)
#   while the channels grow (1 → 16 → 32), and flattening only reshapes.
# - All that the network knows is in six arrays, $W_1, b_1, W_2, b_2, W_3, b_3$.
#
# **Next:** [10 · Key Takeaways](10_key_takeaways.ipynb): each idea of the course with a
# live proof, and a capstone that trains this network end to end.
