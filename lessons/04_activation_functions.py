# ---
# jupyter:
#   workshop:
#     file: 04_activation_functions.ipynb
#     schedule:
#       exercises:
#       - core: false
#         id: '4.1'
#         minutes: 5
#       - core: true
#         id: '4.2'
#         minutes: 5
#       - core: false
#         id: '4.3'
#         minutes: 5
#       - core: false
#         id: '4.4'
#         minutes: 10
#       teach: 20
#       three_hour:
#         minutes: 15
#         plan: sections 1 and 4, Demos 4.1 and 4.2; skip sections 2, 3, 5 and the exercises
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 04 · Activation Functions
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dl-math-workshop/deep-learning-workshop/blob/v0.1.0/notebooks/04_activation_functions.ipynb)
#
# > **Adding non-linearity**
#
# A layer computes $y = f(Wx + b)$. Lesson 03 left $f$ out; this lesson is about it. Without
# $f$, stacking layers gains nothing: two linear layers are still one linear layer, and a
# straight line is all such a network can draw. You will write the four classic activation
# functions and their derivatives, make the sigmoid safe for huge inputs, and see on real
# digits how a non-linearity lets a network bend its decision boundary, and why the
# sigmoid's small slope makes deep networks hard to train.
#
# **You will learn to**
# - write Linear, ReLU, Sigmoid and Tanh and their derivatives in numpy, checked against
#   PyTorch and against autograd;
# - compute a sigmoid that stays finite for $x = \pm 1000$;
# - describe what $w$ and $b$ do to $f(wx + b)$;
# - show that linear layers collapse into one, and that ReLU or Tanh bends the boundary;
# - explain vanishing gradients as a product of derivatives.
#
# **Time:** about 45 minutes: 20 teaching and demos, 5 core exercises, 20 optional.
# **Prerequisites:** lessons 02 and 03 ($z = w \cdot x + b$, $y = f(Wx + b)$).

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
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import display

from workshop_utils.plotting import COLORS


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1 · Four activation functions
#
# | name | formula | note |
# |---|---|---|
# | **Linear** | $f(x) = x$ | identity; often used in the output layer |
# | **ReLU** | $\max(0, x)$ | the default; avoids vanishing gradients for $x > 0$ |
# | **Sigmoid** | $\dfrac{1}{1 + e^{-x}}$ | squashes to $(0, 1)$ |
# | **Tanh** | $\dfrac{e^{x} - e^{-x}}{e^{x} + e^{-x}}$ | zero-centred, squashes to $(-1, 1)$ |
#
# Each is applied to every entry of $Wx + b$ separately. In numpy each is one line:

# %% tags=["demo"]
def linear(x):
    return x


def relu(x):
    return np.maximum(0, x)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def tanh(x):
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


x = np.linspace(-6, 6, 121)
xt = torch.from_numpy(x)
assert np.allclose(relu(x), torch.relu(xt).numpy())
assert np.allclose(sigmoid(x), torch.sigmoid(xt).numpy())
assert np.allclose(tanh(x), torch.tanh(xt).numpy())
assert np.allclose(linear(x), torch.nn.Identity()(xt).numpy())
print("numpy == torch for Linear, ReLU, Sigmoid, Tanh on", len(x), "points ✓")

# %% [markdown]
# The course draws them with its own code (`assets/activation-functions.jpg`), each with
# its derivative dashed:

# %% tags=["demo"]
from workshop_utils.figures.activations import activation_functions_figure

display(activation_functions_figure())


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2 · Derivatives, checked against autograd
#
# Training needs the slope $f'(x)$ of each activation (lesson 08 uses it in
# back-propagation):
#
# $$\text{Linear: } 1 \qquad \text{ReLU: } \begin{cases}1 & x > 0\\ 0 & x \le 0\end{cases}
# \qquad \sigma'(x) = \sigma(x)\,(1 - \sigma(x)) \qquad \tanh'(x) = 1 - \tanh^2(x)$$
#
# PyTorch's **autograd** computes derivatives for us: mark $x$ with `requires_grad=True`,
# compute $f(x)$, call `.backward()`, read `x.grad`. Our formulas must agree with it.

# %% tags=["demo"]
def relu_grad(x):
    return (x > 0).astype(float)


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)


def tanh_grad(x):
    return 1 - tanh(x) ** 2


def autograd(torch_f, x):
    xt = torch.tensor(x, requires_grad=True)
    torch_f(xt).sum().backward()      # d(sum f(x_i))/dx_i = f'(x_i)
    return xt.grad.numpy()


for name, mine, torch_f in [("ReLU", relu_grad, torch.relu), ("Sigmoid", sigmoid_grad, torch.sigmoid),
                            ("Tanh", tanh_grad, torch.tanh)]:
    assert np.allclose(mine(x), autograd(torch_f, x)), name
    print(f"{name:8s} f'(x) == autograd ✓   (largest slope {mine(x).max():.3f})")

# %% [markdown]
# A third, independent check: the slope is (almost) the rise over a tiny run,
# $f'(x) \approx \frac{f(x + h) - f(x - h)}{2h}$.

# %% tags=["demo"]
h = 1e-5
numeric = (sigmoid(x + h) - sigmoid(x - h)) / (2 * h)
print("largest |numeric - formula| for the sigmoid:", np.abs(numeric - sigmoid_grad(x)).max())
assert np.allclose(numeric, sigmoid_grad(x), atol=1e-9)

# %% [markdown]
# Note the sigmoid's slope is at most $\frac14$ (at $x = 0$) and almost 0 once $|x| > 5$;
# tanh's is at most 1; ReLU's is exactly 1 for every positive input. Section 5 shows why
# that matters.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3 · A sigmoid that survives $x = \pm 1000$
#
# A neuron's $z$ can be large. In float64, $e^{x}$ overflows to `inf` above $x \approx 709$.
# Our one-line sigmoid computes $e^{-x}$, which overflows for $x = -1000$; the equivalent
# form $\frac{e^{x}}{1 + e^{x}}$ overflows for $x = +1000$ and even returns `nan`
# ($\infty / \infty$):

# %% tags=["demo"]
x_big = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    form_a = 1 / (1 + np.exp(-x_big))
    form_b = np.exp(x_big) / (1 + np.exp(x_big))
print("1/(1+e^-x):   ", form_a)
print("e^x/(1+e^x):  ", form_b)
print("warnings:", sorted({str(w.message) for w in caught}))

# %% [markdown]
# Each form is safe on one side: for $x \ge 0$, $e^{-x} \le 1$; for $x < 0$, $e^{x} < 1$.
# A **stable** sigmoid uses the safe form on each side, so it only ever computes
# $e^{-|x|}$. You write it in Coding Exercise 4.2; the course's version
# (`workshop_utils.activations.sigmoid`) does exactly that and agrees with PyTorch:

# %% tags=["demo"]
from workshop_utils import activations

with warnings.catch_warnings():
    warnings.simplefilter("error")                       # any overflow would raise here
    stable = activations.sigmoid(x_big)
print("stable sigmoid:", stable)
assert np.all(np.isfinite(stable))
assert np.allclose(stable, torch.sigmoid(torch.from_numpy(x_big)).numpy())
print("finite at ±1000, no warnings, == torch.sigmoid ✓")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive Demo 4.1 · $f(wx + b)$
#
# One neuron with one input: $y = f(wx + b)$. Choose the activation and move $w$ and $b$.
#
# - With ReLU, where is the kink? (It sits where $wx + b = 0$, at $x = -b/w$.)
# - Make $w$ large with the sigmoid: the smooth S becomes almost a step. Make $w$ negative.
# - With Linear, can any $w, b$ make the output bend? The right panel shows the slope:
#   where is it (almost) zero for the sigmoid and tanh?

# %% tags=["demo"]
from workshop_utils.explorers import activation_explorer

activation_demo = activation_explorer()
activation_demo

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4 · Why non-linearity
#
# Stack two layers **without** an activation:
#
# $$W_2(W_1 x + b_1) + b_2 = \underbrace{(W_2 W_1)}_{W}\,x + \underbrace{(W_2 b_1 + b_2)}_{b}.$$
#
# That is again one affine map: the second layer added nothing. Check it on real digits:

# %% tags=["demo"]
from workshop_utils.data import load_mnist5k
from workshop_utils.layers import init_linear

X_digits = load_mnist5k(seed=0).X_train[:64].reshape(64, -1) / 255.0    # 64×784
W1, b1 = init_linear(784, 32, seed=1)
W2, b2 = init_linear(32, 10, seed=2)
two_layers = (X_digits @ W1.T + b1) @ W2.T + b2
W, b = W2 @ W1, W2 @ b1 + b2                                            # 10×784 and 10
one_layer = X_digits @ W.T + b
assert np.allclose(two_layers, one_layer)
print("two linear layers == one linear layer with W = W2 W1 ✓")
with_relu = relu(X_digits @ W1.T + b1) @ W2.T + b2
print("with a ReLU in between, largest difference:", np.abs(with_relu - one_layer).max().round(3))

# %% [markdown]
# So a network of linear layers, however deep, can only draw **straight** decision
# boundaries. Here is a real problem where a straight line fails: from the two ink
# features of lesson 02 (top half, bottom half), tell the digits with **balanced** ink
# (0 and 1) from those with **lopsided** ink (6: more at the bottom, 7: more on top). The
# 0s and 1s lie along the diagonal; the 6s and 7s on both sides of it.

# %% tags=["demo"]
from workshop_utils.neuron import ink_problem

problem = ink_problem([0, 1], [6, 7])        # label 0: "0 or 1", label 1: "6 or 7"
print(problem)
Xtr, ytr = problem.X_train, problem.y_train
fig, ax = plt.subplots(figsize=(4.2, 3.8))
ax.plot(*Xtr[ytr == 0].T, "o", ms=2.5, color=COLORS["blue"], alpha=0.7, label="0 or 1")
ax.plot(*Xtr[ytr == 1].T, "^", ms=2.5, color=COLORS["orange"], alpha=0.7, label="6 or 7")
ax.set(xlabel="x₁: ink in the top half", ylabel="x₂: ink in the bottom half", xlim=(0, 1.4), ylim=(0, 1.4))
ax.legend()
plt.show()

# %% [markdown]
# Train the same small network 2 → 8 → 2 twice, once with the Linear activation and once
# with ReLU (`build_mlp` makes `Linear, activation, Linear`; the training loop is lesson
# 08's). The features are standardised first (mean 0, spread 1), which helps training.

# %% tags=["demo"]
from workshop_utils.layers import build_mlp
from workshop_utils.training import evaluate, fit

torch.set_num_threads(1)     # networks this small train fastest on a single CPU thread
mu, sd = Xtr.mean(axis=0), Xtr.std(axis=0)


def as_tensor(X):
    return torch.tensor((X - mu) / sd, dtype=torch.float32)


accuracy = {}
for name in ("linear", "relu"):
    net = build_mlp([2, 8, 2], name, seed=0)
    fit(net, as_tensor(Xtr), torch.from_numpy(ytr), epochs=200, lr=0.05, batch_size=len(Xtr),
        seed=0, progress=False)
    accuracy[name] = evaluate(net, as_tensor(problem.X_test), torch.from_numpy(problem.y_test))
    print(f"{net[1]!r:10s} held-out accuracy {accuracy[name]:.1%}")
assert accuracy["relu"] > accuracy["linear"] + 0.2
assert accuracy["linear"] < 0.6 and accuracy["relu"] > 0.85   # the claims of the text below

# %% [markdown]
# With the Linear activation the network does little better than a coin toss (under 60% on
# two classes); with ReLU it gets more than 85% right, from the same two numbers per digit.
# The `assert` above checks both.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive Demo 4.2 · Bend the boundary
#
# Choose an activation and a hidden width, then press **Train** (a few seconds). The
# colour shows what the network answers at each point of the plane, the black line is its
# decision boundary.
#
# - With **Linear**, try every width: the boundary stays a straight line.
# - With **ReLU** the boundary is made of straight pieces with kinks; with **Tanh** or
#   **Sigmoid** it curves. How few hidden neurons still carve out the diagonal band?

# %% tags=["demo"]
from workshop_utils.explorers import nonlinearity_explorer

bend_demo = nonlinearity_explorer()
bend_demo


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5 · Vanishing gradients
#
# Training adjusts each weight by the derivative of the output with respect to it, and
# through many layers the chain rule **multiplies** one factor per layer. Take $n$
# one-neuron layers $h_k = f(w\,h_{k-1})$ with $h_0 = x$:
#
# $$\frac{\partial h_n}{\partial x} = \prod_{k=1}^{n} w\, f'(z_k), \qquad z_k = w\,h_{k-1}.$$
#
# The sigmoid's factor is at most $w/4$, so with $w = 1$ the product shrinks at least like
# $0.25^n$; ReLU's factor is exactly $w$ on positive inputs. In numpy, and the same number
# from autograd through a real chain of PyTorch operations:

# %% tags=["demo"]
def chain_product(f, f_grad, x0, w, n):
    h, product = x0, 1.0
    for _ in range(n):
        z = w * h
        product *= w * f_grad(z)
        h = f(z)
    return product


n, w_chain = 10, 1.0
for name, f, f_grad, torch_f in [("Sigmoid", sigmoid, sigmoid_grad, torch.sigmoid),
                                 ("ReLU", relu, relu_grad, torch.relu)]:
    ours = chain_product(f, f_grad, np.array(1.0), w_chain, n)
    x0 = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    h = x0
    for _ in range(n):
        h = torch_f(w_chain * h)
    h.backward()
    assert np.isclose(ours, x0.grad.item())
    print(f"{name:8s} through {n} layers: ∂h/∂x = {ours:.3e} (autograd agrees ✓)")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive Demo 4.3 · Depth
#
# Move the number of layers $n$ and the weight $w$. The curves show
# $\partial h_k / \partial x$ after each layer on a log scale.
#
# - With $w = 1$, after 30 layers how small is the sigmoid's gradient? (A weight update
#   that small changes nothing: the first layers stop learning.)
# - Raise $w$ to 2: what happens to ReLU's gradient? (It *explodes*: the opposite problem.)
# - Tanh shrinks much more slowly than the sigmoid here. Why? (Its slope at 0 is 1.)

# %% tags=["demo"]
from workshop_utils.explorers import vanishing_gradient_explorer

depth_demo = vanishing_gradient_explorer()
depth_demo


# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 4.1 · ReLU
#
# Write `my_relu(x)` that returns $\max(0, x)$ for every entry of the array `x`.

# %% tags=["exercise"]
def my_relu(x):
    # your code here
    return None


from workshop_utils.checks import check_relu

check_relu(my_relu)


# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_relu
# def my_relu(x):
#     return np.maximum(0, x)     # np.max(x, 0) would be the largest entry, not ReLU
# ```
# </details>

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 4.2 · A stable sigmoid
#
# Write `my_sigmoid(x)` returning $\sigma(x) = 1/(1 + e^{-x})$ that is correct **and**
# finite, without any overflow warning, for $x = \pm 1000$. Hint: compute `e = np.exp(-np.abs(x))`
# (never more than 1), then use `np.where(x >= 0, ..., ...)` with the safe form for each side.

# %% tags=["exercise"]
def my_sigmoid(x):
    # your code here
    return None


from workshop_utils.checks import check_sigmoid

check_sigmoid(my_sigmoid)


# %% [markdown] tags=["check"]
# ✅ Checkpoint 4.2 — pause here until the checker above prints ✓. If it names a mistake,
# fix that one thing and run the cell again; stuck for more than a few minutes? Open the
# solution below.

# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_sigmoid
# def my_sigmoid(x):
#     e = np.exp(-np.abs(x))                       # in (0, 1]: never overflows
#     return np.where(x >= 0, 1 / (1 + e), e / (1 + e))
# ```
# For $x < 0$, $e^{-|x|} = e^{x}$, and $\frac{e^{x}}{1 + e^{x}}$ is the sigmoid multiplied
# by $e^{x}/e^{x}$.
# </details>

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 4.3 · A stable tanh
#
# Write `my_tanh(x)` for $\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}$, again finite
# and warning-free at $\pm 1000$. Two ways: divide top and bottom by $e^{|x|}$, or use
# $\tanh(x) = 2\sigma(2x) - 1$ with a stable sigmoid.

# %% tags=["exercise"]
def my_tanh(x):
    # your code here
    return None


from workshop_utils.checks import check_tanh

check_tanh(my_tanh)


# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_tanh
# def my_tanh(x):
#     e = np.exp(-2 * np.abs(x))                   # in (0, 1]
#     return np.sign(x) * (1 - e) / (1 + e)
# ```
# </details>

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 4.4 · The derivatives
#
# Write the three derivatives: `my_relu_grad(x)` (1 where $x > 0$, else 0, as floats),
# `my_sigmoid_grad(x)` $= \sigma(x)(1 - \sigma(x))$ and `my_tanh_grad(x)` $= 1 - \tanh^2(x)$.

# %% tags=["exercise"]
def my_relu_grad(x):
    # your code here
    return None


def my_sigmoid_grad(x):
    # your code here
    return None


def my_tanh_grad(x):
    # your code here
    return None


from workshop_utils.checks import check_relu_grad, check_sigmoid_grad, check_tanh_grad

check_relu_grad(my_relu_grad)
check_sigmoid_grad(my_sigmoid_grad)
check_tanh_grad(my_tanh_grad)

# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_relu_grad
# def my_relu_grad(x):
#     return (x > 0).astype(float)
# ```
# ```python
# # checker: check_sigmoid_grad
# def my_sigmoid_grad(x):
#     s = 1 / (1 + np.exp(-x))
#     return s * (1 - s)
# ```
# ```python
# # checker: check_tanh_grad
# def my_tanh_grad(x):
#     return 1 - np.tanh(x) ** 2
# ```
# </details>

# %% [markdown] tags=["check"] slideshow={"slide_type": "slide"}
# ## Check yourself
#
# One question on this lesson: click an answer to get a ✓ or ✗ and the reason.

# %% tags=["check"]
from workshop_utils.explorers import quiz

quiz([dict(
    section="04 · Activation Functions",
    question="ReLU applied to z = [−2, 0, 3] gives …",
    options=["[0, 0, 3]", "[−2, 0, 3]", "[0, 0, 1]", "[2, 0, 3]"],
    answer=0,
    explanation="ReLU(z) = max(0, z) element by element: negatives become 0, the rest "
                "pass unchanged.")])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key takeaways
#
# - The activation $f$ in $y = f(Wx + b)$ acts on each entry: Linear $x$, ReLU $\max(0, x)$,
#   Sigmoid $1/(1 + e^{-x})$ into $(0, 1)$, Tanh into $(-1, 1)$, zero-centred.
# - Their derivatives are simple ($1$; a step; $\sigma(1 - \sigma)$; $1 - \tanh^2$) and agree
#   with PyTorch's autograd. Compute the sigmoid from $e^{-|x|}$ so it never overflows.
# - Without a non-linearity, layers collapse into one affine map and boundaries stay
#   straight; with ReLU or Tanh a two-layer network bends its boundary and solves a problem
#   a line cannot.
# - Gradients through $n$ layers are products of $n$ slopes: the sigmoid's ($\le \frac14$)
#   vanish, ReLU's ($1$ for $x > 0$) do not, which is why ReLU is the default.
#
# **Next:** [05 · Architectures: CNNs vs. ViTs](05_cnn_vs_vit.ipynb), where layers become
# convolutions and attention.
