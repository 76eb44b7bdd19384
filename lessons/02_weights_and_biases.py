# ---
# jupyter:
#   workshop:
#     file: 02_weights_and_biases.ipynb
#     schedule:
#       exercises:
#       - core: true
#         id: '2.1'
#         minutes: 5
#       - core: false
#         id: '2.2'
#         minutes: 5
#       - core: true
#         id: '2.3'
#         minutes: 5
#       teach: 20
#       three_hour:
#         minutes: 30
#         plan: 'as in the day: teaching, Exercises 2.1 and 2.3'
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 02 · Weights & Biases
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dl-math-workshop/deep-learning-workshop/blob/v0.1.0/notebooks/02_weights_and_biases.ipynb)
#
# > **The parameters the network learns**
#
# A neuron multiplies each of its inputs by a **weight**, adds the products up, and adds
# a **bias**. That is all. Training a network means finding good values for these numbers.
# In this notebook you compute a neuron by hand, in numpy and in PyTorch, watch what each
# weight and the bias do, and then tune a neuron yourself so that it tells real
# handwritten 6s from 7s.
#
# **You will learn to**
# - compute the weighted sum $w_1 x_1 + w_2 x_2$ and the neuron's output $z = w_1 x_1 + w_2 x_2 + b$
#   by hand, with numpy and with `torch.nn.Linear`;
# - say what a larger weight, a negative weight and the bias do to $z$;
# - read a neuron as a line $z = 0$ that splits the input plane into two classes;
# - describe the **affine transformation** $y = Wx + b$ ("multiply, then add").
#
# **Time:** about 35 minutes: 20 teaching and demos, 10 core exercises, 5 optional.
# **Prerequisites:** lesson 01 (images as arrays), numpy's `@` and `.sum()`.

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

from workshop_utils.neuron import ink_features, ink_problem
from workshop_utils.plotting import COLORS, image_grid

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1 · A neuron, by hand
#
# A neuron with two inputs $x_1, x_2$ has two **weights** $w_1, w_2$. First it forms the
# weighted sum
#
# $$\text{weighted sum} = w_1 \times x_1 + w_2 \times x_2 ,$$
#
# then it adds a constant, the **bias** $b$:
#
# $$z = w_1 x_1 + w_2 x_2 + b .$$
#
# Our inputs are two numbers measured on a real handwritten digit: how much ink is in its
# **top half** ($x_1$) and how much in its **bottom half** ($x_2$). We add up the pixel
# values (scaled to $[0, 1]$ as in lesson 01) of each half and divide by 100, so
# $x_1 = 0.5$ means "as much ink as 50 fully white pixels".

# %% tags=["demo"]
problem = ink_problem(6, 7)        # MNIST-5k digits 6 (label 0) and 7 (label 1)
print(problem)
seven = problem.images_train[np.flatnonzero(problem.y_train == 1)[0]]   # a real 7
six = problem.images_train[np.flatnonzero(problem.y_train == 0)[0]]     # a real 6

def two_features(img):
    pixels = img.astype(np.float64) / 255.0          # 28×28, values in [0, 1]
    top = pixels[:14].sum() / 100                    # rows 0..13
    bottom = pixels[14:].sum() / 100                 # rows 14..27
    return np.array([top, bottom])

x_seven, x_six = two_features(seven), two_features(six)
print("7: x =", x_seven.round(3), "| 6: x =", x_six.round(3))
assert np.allclose(x_seven, ink_features(seven)[0])   # the package computes the same
fig = image_grid([seven, six], titles=[f"a 7: x = {x_seven.round(2)}", f"a 6: x = {x_six.round(2)}"],
                 size=2.4)
for ax in fig.axes:
    ax.axhline(13.5, color=COLORS["red"], lw=1.5)     # the line between top and bottom half
display(fig)

# %% [markdown]
# The 7 has more ink on top, the 6 at the bottom. Take the weights $w_1 = 1$, $w_2 = -1$
# and the bias $b = 0.06$ and compute $z$ for the 7, first the way you would on paper:

# %% tags=["demo"]
w1, w2, b = 1.0, -1.0, 0.06
x1, x2 = x_seven
z_by_hand = w1 * x1 + w2 * x2 + b
print(f"z = w1*x1 + w2*x2 + b = {w1}*{x1:.3f} + ({w2})*{x2:.3f} + {b} = {z_by_hand:.4f}")

# %% [markdown]
# With numpy the weights form a vector $w$ and the weighted sum is a dot product,
# `w @ x`. PyTorch's `nn.Linear(2, 1)` is exactly this neuron: it stores $w$ in
# `.weight` (shape 1×2) and $b$ in `.bias`. We copy our numbers into it and compare.

# %% tags=["demo"]
w = np.array([w1, w2])
z_numpy = w @ x_seven + b

layer = torch.nn.Linear(2, 1)
with torch.no_grad():
    layer.weight.copy_(torch.tensor([[w1, w2]]))
    layer.bias.fill_(b)
z_torch = layer(torch.tensor(x_seven, dtype=torch.float32)).item()

print(f"by hand {z_by_hand:.6f} | numpy {z_numpy:.6f} | torch {z_torch:.6f}")
assert np.isclose(z_by_hand, z_numpy)
assert np.isclose(z_numpy, z_torch, atol=1e-6)          # torch computes in float32
print("by hand == numpy == nn.Linear ✓")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2 · What the weights and the bias do
#
# **A larger $w_i$ makes $x_i$ more influential; a negative $w_i$ flips its effect.**
# Change $x_1$ (more ink on top) and watch how much $z$ moves: by exactly $w_1$ per unit
# of $x_1$. With $w_1 < 0$ more ink *lowers* $z$.

# %% tags=["demo"]
x1_values = np.linspace(0, 1.2, 7)
for w1_try in (0.5, 1.0, 2.0, -1.0):
    z_values = w1_try * x1_values + w2 * 0.5 + b        # x2 fixed at 0.5
    print(f"w1 = {w1_try:+.1f}: z =", np.round(z_values, 2), f" (step {w1_try * 0.2:+.2f})")

# %% [markdown]
# **The bias shifts the result**, and it is what the neuron outputs when every input is
# zero: an empty (all black) image has $x = (0, 0)$, so $z = b$.

# %% tags=["demo"]
blank = np.zeros((28, 28), dtype=np.uint8)
x_blank = two_features(blank)
for b_try in (-0.5, 0.0, 0.5):
    print(f"b = {b_try:+.1f}: z(blank image) = {w @ x_blank + b_try:+.2f}")
with torch.no_grad():
    print("nn.Linear on (0, 0):", layer(torch.zeros(2)).item(), "= its bias", layer.bias.item())

# %% tags=["demo"]
fig, (ax_w, ax_b) = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True)
xs = np.linspace(0, 1.2, 50)
slope_colours = (COLORS["sky"], COLORS["blue"], COLORS["green"], COLORS["red"])
for w1_try, colour in zip((0.5, 1.0, 2.0, -1.0), slope_colours):
    ax_w.plot(xs, w1_try * xs, color=colour, lw=2, label=f"w₁ = {w1_try:+.1f}")
ax_w.set_title("z = w₁x₁ (b = 0): the weight is the slope")
for b_try, colour in zip((-0.5, 0.0, 0.5), (COLORS["purple"], COLORS["black"], COLORS["orange"])):
    ax_b.plot(xs, 1.0 * xs + b_try, color=colour, lw=2, label=f"b = {b_try:+.1f}")
    ax_b.plot(0, b_try, "o", color=colour)
ax_b.set_title("z = x₁ + b: the bias shifts, z(0) = b")
for ax in (ax_w, ax_b):
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xlabel("x₁ (ink in the top half)")
    ax.legend(fontsize=8)
ax_w.set_ylabel("z")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3 · One neuron tells 6 from 7
#
# Let the neuron decide: **$z > 0$ means "a 7", $z \le 0$ means "a 6"**. The boundary
# between the two answers is where $z = 0$, i.e. the line $w_1 x_1 + w_2 x_2 + b = 0$ in
# the plane of the two features. For all 800 training digits at once, stack the feature
# vectors as the rows of a matrix $X$ (800×2); then $z = Xw + b$ is one line of numpy.

# %% tags=["demo"]
X, y = problem.X_train, problem.y_train
print("X:", X.shape, "| y:", y.shape, "| labels:", np.bincount(y), "(0 = six, 1 = seven)")

def accuracy_of(w, b):
    z = X @ w + b                     # 800 values of z, one per digit
    says_seven = z > 0
    return np.mean(says_seven == (y == 1))

for w_try, b_try in [((1.0, 0.0), -0.5), ((0.0, -1.0), 0.5), ((1.0, -1.0), 0.0)]:
    print(f"w = {w_try}, b = {b_try:+.2f}: accuracy {accuracy_of(np.array(w_try), b_try):.1%}")

with torch.no_grad():     # the same 800 decisions by nn.Linear (weights copied above)
    z_t = layer(torch.tensor(X, dtype=torch.float32)).squeeze(1).numpy()
assert np.allclose(z_t, X @ w + b, atol=1e-5)
print("numpy X @ w + b == nn.Linear on the batch ✓")
assert accuracy_of(np.array((1.0, -1.0)), 0.0) > 0.9        # both features: above 90%

# %% [markdown]
# Read the printout: one feature alone ($w_2 = 0$: only the top ink counts) gets little
# more than half right, the bottom ink alone does better, and both, with opposite signs,
# get above 90% (the `assert` checks it); a little tuning gets more. Here are the digits as points, sixes blue and sevens orange, with
# the line $z = 0$ of the "bottom ink only" neuron $w = (0, -1)$, $b = 0.5$: it says 7
# below the line, where there is little ink at the bottom.

# %% tags=["demo"]
w_start, b_start = np.array([0.0, -1.0]), 0.5
fig, ax = plt.subplots(figsize=(4.6, 4))
ax.plot(*X[y == 0].T, "o", ms=3, color=COLORS["blue"], alpha=0.7, label="6")
ax.plot(*X[y == 1].T, "^", ms=3, color=COLORS["orange"], alpha=0.7, label="7")
ax.axhline(-b_start / w_start[1], color="black", lw=2, label="z = 0 (w₂x₂ + b = 0)")
ax.set(xlim=(0, 1.3), ylim=(0, 1.3), xlabel="x₁: ink in the top half", ylabel="x₂: ink in the bottom half")
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive Demo 2.1 · Tune the neuron yourself
#
# The explorer starts from the neuron of the picture above. The sliders set $w_1$, $w_2$
# and $b$. The background shows $z$ at every point of the
# input plane (orange where $z > 0$: "a 7"; blue where $z < 0$: "a 6"), the black line is
# $z = 0$, and the accuracy on the 800 real digits updates as you drag. The bars on the
# right show the three terms of the sum for the circled 7.
#
# Try:
# 1. Move only **b**. Does the line turn, or slide?
# 2. Make $w_1$ larger. What happens to the bar $w_1 x_1$, and to the line?
# 3. Flip the sign of all three numbers. The line stays; what happens to the accuracy?
# 4. Beat the printout's best neuron, $w = (1, -1)$, $b = 0$ (you need both weights, with
#    opposite signs).

# %% tags=["demo"]
from workshop_utils.explorers import neuron_explorer

neuron_demo = neuron_explorer(problem, w1=w_start[0], w2=w_start[1], b=b_start)
neuron_demo

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4 · The affine transformation: multiply, then add
#
# A layer holds several neurons that see the same input. Stack their weight vectors as the
# rows of a matrix $W$ and their biases in a vector $b$; then all outputs at once are
#
# $$y = Wx + b .$$
#
# This **multiply-then-add** step is called an **affine transformation**. With two inputs
# and two outputs, $W$ is 2×2, and we can draw it: every point $x$ of the plane moves to
# $Wx + b$. The first column of $W$ is where the point $(1, 0)$ goes (before adding $b$),
# the second column where $(0, 1)$ goes, and $b$ is where the origin goes.

# %% tags=["demo"]
W = np.array([[1.5, 0.5],
              [-0.3, 0.8]])
b_vec = np.array([-1.0, 0.5])
corners = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])   # one point per row

moved = corners @ W.T + b_vec           # each row p becomes W p + b
lin2 = torch.nn.Linear(2, 2)
with torch.no_grad():
    lin2.weight.copy_(torch.from_numpy(W))
    lin2.bias.copy_(torch.from_numpy(b_vec))
    moved_torch = lin2(torch.from_numpy(corners).float()).numpy()
assert np.allclose(moved, moved_torch, atol=1e-6)
assert np.allclose(moved[1] - b_vec, W[:, 0]) and np.allclose(moved[2] - b_vec, W[:, 1])
print(moved)
print("numpy P @ W.T + b == nn.Linear(2, 2) ✓ | (1,0) → column 1 of W, (0,1) → column 2")

# %% [markdown]
# With one point per **row** of $P$, the batch form is $P W^\top + b$: each row $p$
# becomes $(Wp)^\top + b$. The same rule moves every inked pixel of a digit:

# %% tags=["demo"]
rows, cols = np.nonzero(seven > 40)
pixels = np.stack([(cols + 0.5) / 28, 1 - (rows + 0.5) / 28], axis=1)   # the digit in the unit square
pixels_moved = pixels @ W.T + b_vec
fig, ax = plt.subplots(figsize=(4.2, 4))
ax.plot(*pixels.T, "s", ms=3, color="0.6", label="x (the digit)")
ax.plot(*pixels_moved.T, "s", ms=3, color=COLORS["blue"], label="Wx + b")
ax.plot(*np.array([[0, 0, 1, 1, 0], [0, 1, 1, 0, 0]]), color="0.6", lw=1)
ax.plot(*(np.array([[0, 0, 1, 1, 0], [0, 1, 1, 0, 0]]).T @ W.T + b_vec).T, color=COLORS["blue"], lw=1)
ax.set_aspect("equal")
ax.legend(loc="lower right", fontsize=8)
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive Demo 2.2 · Move the plane
#
# Six sliders: the four entries of $W$ and the two of $b$, starting at the $W$ and $b$ of
# the picture above. The light-grey grid and the grey digit are the input $x$ and stay put;
# the blue grid and the black digit are $Wx + b$ and move. Set $W$ to the identity ($W_{11} = W_{22} = 1$, the others 0) and $b = 0$
# to see the input itself.
#
# - Change only $b_1, b_2$: everything slides (the "add" step).
# - $W = \begin{pmatrix} 0 & -1 \\ 1 & 0 \end{pmatrix}$ rotates by 90°; $W_{12} \ne 0$ shears.
# - Make the two columns of $W$ point the same way ($\det W = 0$): the digit collapses onto a
#   line. Information is lost; no later layer can get it back.

# %% tags=["demo"]
from workshop_utils.explorers import affine_explorer

affine_demo = affine_explorer(seven, W=W, b=b_vec)
affine_demo


# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 2.1 · A neuron
#
# Write `my_neuron(x, w, b)` that returns the number $z = w_1 x_1 + \dots + w_d x_d + b$
# for one input vector `x` and weight vector `w` of the same length, and a bias `b`.

# %% tags=["exercise"]
def my_neuron(x, w, b):
    # your code here
    return None


from workshop_utils.checks import check_neuron

check_neuron(my_neuron)

# %% [markdown] tags=["check"]
# ✅ Checkpoint 2.1 — pause here until the checker above prints ✓. If it names a mistake,
# fix that one thing and run the cell again; stuck for more than a few minutes? Open the
# solution below.

# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_neuron
# def my_neuron(x, w, b):
#     return np.sum(w * x) + b      # or: w @ x + b
# ```
# Forgetting the bias, adding it once per input, or multiplying without summing are the
# usual slips; the checker names each.
# </details>

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 2.2 · Your own 6-or-7 neuron
#
# Choose `w1, w2, b` (the explorer above helps) and write `my_classify(X)` that returns,
# for every row $(x_1, x_2)$ of `X`, the label 1 ("a 7") where $z > 0$ and 0 ("a 6")
# otherwise. The checker measures the accuracy on **200 held-out digits** the explorer
# never showed you; reach at least 90%.

# %% tags=["exercise"]
w1, w2, b = 0.0, 0.0, 0.0      # your weights and bias


def my_classify(X):
    # your code here: one label (0 or 1) per row of X
    return None


from workshop_utils.checks import check_ink_classifier

check_ink_classifier(my_classify)


# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_ink_classifier
# w1, w2, b = 1.0, -1.0, 0.06
#
#
# def my_classify(X):
#     z = X @ np.array([w1, w2]) + b
#     return (z > 0).astype(int)
# ```
# More ink on top pushes towards "7" ($w_1 > 0$), more at the bottom towards "6"
# ($w_2 < 0$); the bias slides the line between the two clouds.
# </details>

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 2.3 · The affine map of many points
#
# Write `my_affine(P, W, b)`: `P` holds one point per row (N×d_in), `W` is d_out×d_in and
# `b` has d_out entries. Return the N×d_out array whose row $i$ is $W p_i + b$.

# %% tags=["exercise"]
def my_affine(P, W, b):
    # your code here
    return None


from workshop_utils.checks import check_affine

check_affine(my_affine)

# %% [markdown] tags=["check"]
# ✅ Checkpoint 2.3 — pause here until the checker above prints ✓. If it names a mistake,
# fix that one thing and run the cell again; stuck for more than a few minutes? Open the
# solution below.

# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_affine
# def my_affine(P, W, b):
#     return P @ W.T + b
# ```
# `P @ W` (no transpose) happens to have the right shape when W is square, but it applies
# the columns of W instead of its rows; the checker spots it.
# </details>

# %% [markdown] tags=["check"] slideshow={"slide_type": "slide"}
# ## Check yourself
#
# One question on this lesson: click an answer to get a ✓ or ✗ and the reason.

# %% tags=["check"]
from workshop_utils.explorers import quiz

quiz([dict(
    section="02 · Weights & Biases",
    question="A neuron has w = [0.5, −1, 2] and b = 1. For the input x = [2, 1, "
             "0.5], z = w·x + b is …",
    options=["1", "2", "3", "−1"],
    answer=1,
    explanation="0.5·2 − 1·1 + 2·0.5 = 1 − 1 + 1 = 1, and the bias adds 1: z = 2.")])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key takeaways
#
# - A neuron computes $z = w_1 x_1 + w_2 x_2 + b$: multiply each input by its weight, add
#   the products, add the bias.
# - A larger $|w_i|$ makes input $x_i$ count more; a negative $w_i$ flips its effect; the
#   bias shifts $z$ and is the output when every input is 0.
# - The set $z = 0$ is a line (a plane, in more dimensions) that splits inputs into two
#   classes; one neuron with two real features already tells more than 9 in 10 sixes from
#   sevens.
# - Many neurons together form the affine transformation $y = Wx + b$; `nn.Linear` stores
#   exactly $W$ and $b$, and these numbers are what training learns.
#
# **Next:** [03 · Layers in a network](03_layers.ipynb), where $x$ becomes a whole 28×28
# image and $W$ a 10×784 matrix.
