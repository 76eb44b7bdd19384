# ---
# jupyter:
#   workshop:
#     file: 10_key_takeaways.ipynb
#     schedule:
#       exercises:
#       - core: false
#         id: '10.1'
#         minutes: 5
#       - core: false
#         id: '10.2'
#         minutes: 5
#       - core: true
#         id: quiz
#         minutes: 5
#       teach: 15
#       three_hour:
#         minutes: 20
#         plan: sections 2, 6 (lesson 07's result, which the 3-hour version skips),
#           7 (the shipped result) and the self-check quiz
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 10 · Key Takeaways
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dl-math-workshop/deep-learning-workshop/blob/v0.1.0/notebooks/10_key_takeaways.ipynb)
#
# > **All the intelligence is in W and b**
#
# The outline ends with six takeaways. Rather than repeat them, this notebook *proves*
# each one with a few lines of code on the networks you have met: the small CNN of
# lessons 05 and 09, the tiny Vision Transformer of lesson 05, and the focal-loss
# experiment of lesson 07. Then a capstone runs the whole course end to end: train the
# minimal CNN on real digits, measure it, and look at its mistakes. A short quiz at the
# end checks one idea per lesson.
#
# **You will learn to**
# - show that an image is just a tensor and that W and b are the only things a network learns
#   (count them, save and reload them, blur them);
# - show that a CNN looks locally and a ViT globally;
# - follow the learning signal from softmax + loss back to every weight;
# - evaluate a trained classifier with a confusion matrix, per-class recall and a gallery of mistakes.
#
# **Time:** about 30 minutes: 15 teaching and demos, 5 core exercises, 10 optional.
# **Prerequisites:** lessons 01–09.

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
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from IPython.display import display

from workshop_utils.data import load_mnist5k
from workshop_utils.models import SmallCNN, count_parameters
from workshop_utils.plotting import COLORS, image_grid
from workshop_utils.softmax import softmax
from workshop_utils.trained import pretrained_cnn, pretrained_vit
from workshop_utils.training import evaluate, predict_proba

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1 · Images → tensors
#
# > *Images become tensors, the inputs to math pipelines.*
#
# A digit is a 28×28 grid of uint8 brightness values; divided by 255 and given a batch and a
# channel axis it is the N×C×H×W tensor every network of this course consumes.

# %% tags=["demo"]
digits = load_mnist5k(seed=0)
Xtr, ytr, Xte, yte = digits.tensors()                        # N×1×28×28 floats in [0, 1]
X = digits.X_test[0]
x = torch.from_numpy(X).float().div(255).reshape(1, 1, 28, 28)   # by hand: X / 255, N×C×H×W
assert torch.equal(x, Xte[:1])
cnn = pretrained_cnn(seed=0)
print(f"image {X.shape} {X.dtype} → tensor {tuple(x.shape)} {x.dtype} → logits {tuple(cnn(x).shape)}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2 · W and b are the only learned parameters
#
# > *Weights & biases (W, b) are the only parameters learned.*
#
# **Count them.** Every learned number of the CNN sits in one of six arrays. The count
# follows from the shapes alone:

# %% tags=["demo"]
for name, p in cnn.named_parameters():
    print(f"{name:13s} {str(tuple(p.shape)):16s} {p.numel():7,}")
by_hand = (16 * 1 * 5 * 5 + 16) + (32 * 16 * 5 * 5 + 32) + (10 * 32 * 7 * 7 + 10)
assert by_hand == count_parameters(cnn)
print(f"total {count_parameters(cnn):,} = W1,b1 + W2,b2 + W3,b3 computed by hand ✓")

# %% [markdown]
# **Save and load them.** A `state_dict` is exactly those six arrays, by name. Save it,
# build a *fresh* network from the same code (its weights are random: chance accuracy), and
# load the saved numbers into it; `weights_only=True` makes `torch.load` read plain tensors
# only, never arbitrary Python objects.

# %% tags=["demo"]
path = Path(tempfile.mkdtemp()) / "smallcnn.pt"
torch.save(cnn.state_dict(), path)
print(f"saved {path.stat().st_size / 1024:.0f} KiB: {list(cnn.state_dict())}")

torch.manual_seed(1)
fresh = SmallCNN()                                           # same code, random W and b
print(f"fresh network:   accuracy {evaluate(fresh, Xte, yte):.1%}")
fresh.load_state_dict(torch.load(path, weights_only=True))
print(f"after loading W, b: accuracy {evaluate(fresh, Xte, yte):.1%}")
with torch.no_grad():
    assert torch.equal(fresh(Xte), cnn(Xte))
print("identical outputs on all 1,000 test digits ✓")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interactive Demo 10.1 · Blur the weights
#
# Same code, same architecture; the slider adds random noise to *every* weight and bias,
# $\theta \leftarrow \theta + \sigma\cdot\mathrm{std}(\theta)\cdot\varepsilon$ with
# $\varepsilon \sim \mathcal N(0, 1)$, and measures the accuracy on the same 1,000 held-out digits
# as above. At which σ does the network start to forget? Where does it end up? The right panels
# show the 16 kernels of $W_1$ before and after.

# %% tags=["demo"]
from workshop_utils.explorers import weight_noise_explorer

weight_noise_explorer(cnn, digits)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3 · CNNs look locally, ViTs globally
#
# > *CNNs exploit local structure; ViTs exploit global attention.*
#
# Lesson 05 trained both kinds of network on the same digits:

# %% tags=["demo"]
vit = pretrained_vit(seed=0)
for name, net in [("CNN", cnn), ("ViT", vit)]:
    print(f"{name}: {count_parameters(net):7,} parameters, held-out accuracy {evaluate(net, Xte, yte):.1%}")

# %% [markdown]
# The proof of "local" and "global": change **one pixel** and see what inside each network
# changes. In the CNN a unit of $H_1$ sees a 5×5 window, so only the few units whose window
# covers the pixel move. In the ViT the pixel changes one patch's embedding, but after a
# single attention block *every* token has changed, because every token attends to every
# other.

# %% tags=["demo"]
r, c = 14, 14                                   # a pixel in the middle of the digit
x2 = x.clone()
x2[0, 0, r, c] += 1.0
with torch.no_grad():
    a, b = cnn.stages(x), cnn.stages(x2)
    dH1 = (b["H1"] - a["H1"]).abs().sum(1)[0]   # 14×14: change at each position, all channels
    dH2 = (b["H2"] - a["H2"]).abs().sum(1)[0]   # 7×7
    ta, tb = vit.stages(x)["tokens"], vit.stages(x2)["tokens"]   # CLS + 16 patch tokens
    ba, bb = vit.blocks[0](ta)[0], vit.blocks[0](tb)[0]          # after one attention block
d_embed = (tb - ta).abs().sum(-1)[0, 1:].reshape(4, 4)
d_block = (bb - ba).abs().sum(-1)[0, 1:].reshape(4, 4)

panels = [("CNN: H₁ (14×14)", dH1), ("CNN: H₂ (7×7)", dH2),
          ("ViT: patch tokens (4×4)", d_embed), ("ViT: after 1 attention block", d_block)]
fig, axes = plt.subplots(1, 4, figsize=(10, 2.8))
for ax, (title, d) in zip(axes, panels):
    changed = int((d > 1e-6).sum())
    ax.imshow(d > 1e-6, cmap="viridis", vmin=0, vmax=1)
    ax.set_title(f"{title}\n{changed} of {d.numel()} changed", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()
assert (dH1 > 1e-6).float().mean() < 0.1 and bool((d_block > 1e-6).all())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4 · Softmax + loss give the learning signal
#
# > *Softmax + loss convert logits into a learning signal.*
#
# For cross-entropy the signal that reaches the logits is $\partial\mathcal L/\partial z =
# \hat y - y$ (lesson 08). For a digit the network already gets right it is tiny; for a
# mistake it is large, and it points at the classes to push down and the one to push up.

# %% tags=["demo"]
P = predict_proba(cnn, Xte).numpy()
wrong = np.flatnonzero(P.argmax(1) != digits.y_test)
cases = {"a confident, correct digit": 0, "a mistake": int(wrong[0])}

fig, axes = plt.subplots(1, 2, figsize=(9, 2.6), sharey=True)
for ax, (title, i) in zip(axes, cases.items()):
    label = int(digits.y_test[i])
    with torch.no_grad():
        z = cnn(Xte[i:i + 1])[0].double().numpy()
    y_hat = softmax(z)
    signal = y_hat - np.eye(10)[label]                       # ∂L/∂z = ŷ − y
    zt = torch.tensor(z, requires_grad=True)                 # autograd agrees:
    F.cross_entropy(zt[None], torch.tensor([label])).backward()
    assert np.allclose(signal, zt.grad.numpy())
    ax.bar(range(10), signal, color=[COLORS["green"] if k == label else COLORS["red"] for k in range(10)])
    ax.set_title(f"{title}: label {label}, loss {-np.log(y_hat[label]):.3f}", fontsize=9)
    ax.set_xticks(range(10))
    ax.axhline(0, color="black", lw=0.8)
axes[0].set_ylabel("∂L/∂z = ŷ − y")
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5 · Back-propagation + gradient descent adjust every weight
#
# > *Back-propagation + gradient descent adjust every weight.*
#
# One step of lesson 08's loop on a fresh network: back-propagation computes a gradient
# for every one of its numbers at once, and one update
# $\theta \leftarrow \theta - \eta\nabla_\theta\mathcal L$ moves them together and lowers the loss.

# %% tags=["demo"]
torch.manual_seed(0)
net = SmallCNN()
xb, yb = Xtr[:256], ytr[:256]
before = {n: p.detach().clone() for n, p in net.named_parameters()}
loss = F.cross_entropy(net(xb), yb)
net.zero_grad()
loss.backward()                                               # back-propagation
for n, p in net.named_parameters():
    print(f"{n:13s} non-zero gradient for {(p.grad != 0).float().mean():.1%} of its {p.numel():,} numbers")
with torch.no_grad():
    for p in net.parameters():
        p -= 0.5 * p.grad                                     # gradient descent, η = 0.5
    new_loss = F.cross_entropy(net(xb), yb)
changed = sum(int((p != before[n]).sum()) for n, p in net.named_parameters())
print(f"{changed:,} of {count_parameters(net):,} numbers changed; loss {loss:.3f} → {new_loss:.3f}")
assert new_loss < loss

# %% [markdown]
# Almost every number moved in a single step. The few that did not feed from a unit whose
# ReLU was 0 for all 256 digits of the batch: ReLU passes no gradient where its input is
# negative (lesson 08's $[a_1 > 0]$), so those weights wait for a batch that switches the
# unit on.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6 · Focal loss helps when classes are imbalanced
#
# > *Focal loss helps when classes are imbalanced.*
#
# That is the outline's sentence; the table below is the test of it. Lesson 07 trained the same CNN three times on a long-tailed MNIST-5k (classes 3, 5 and
# 8 rare) with cross-entropy, class-weighted cross-entropy and focal loss. The cell below
# runs that experiment again (`lesson07_models`, the function lesson 07 printed), so it loads
# lesson 07's trained models (they ship with the course; trained here, they take a few
# seconds each), and measures its table again on the balanced test set.

# %% tags=["demo"]
from workshop_utils.trained import LESSON07, lesson07_models

RARE = list(LESSON07["rare"])                                 # 3, 5 and 8
recall = {}
for name, model in lesson07_models(verbose=False).items():
    pred = predict_proba(model, Xte).argmax(1).numpy()
    recall[name] = np.array([np.mean(pred[digits.y_test == k] == k) for k in range(10)])
LOSSES = list(recall)

print(f"{'':22s}" + "".join(f"{n:>15s}" for n in LOSSES))
print(f"{'recall, rare 3/5/8':22s}" + "".join(f"{recall[n][RARE].mean():15.3f}" for n in LOSSES))
print(f"{'recall, the others':22s}" + "".join(f"{np.delete(recall[n], RARE).mean():15.3f}" for n in LOSSES))
print(f"{'balanced accuracy':22s}" + "".join(f"{recall[n].mean():15.3f}" for n in LOSSES))

# %% [markdown]
# What the table shows, beside the outline's sentence: both re-weighted losses lift the rare
# classes' recall above plain cross-entropy's (0.743 with the shipped models), but
# **class-weighted cross-entropy reaches the same rare-class recall as focal loss** (0.790
# each), and their balanced accuracies (0.891 and 0.894) differ by less than one seed's noise
# (lesson 07 discusses it). So here it is the class weights $\alpha$ that help the rare
# classes; the focusing factor $(1-\hat y)^\gamma$ adds nothing we can measure on this data.
# The honest form of the takeaway: *re-weighting the loss helps when classes are imbalanced*;
# focal loss is one way to do it, and its focusing term matters most when a flood of easy
# examples swamps the loss (lesson 07's explorer shows that effect), which 4,000 digits do not.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7 · Capstone: the minimal CNN, end to end
#
# Everything at once: real digits → tensors → the six-step forward pass → softmax +
# cross-entropy → back-propagation → updates, repeated (lesson 08's `fit`, with the
# course's recipe: AdamW, random shifts, rotations and zooms of the training digits, label
# smoothing). As it ships, the cell loads the network trained with exactly this recipe (the
# one lesson 05 trained, or the course's shipped copy), so the results below come at once.
# To train it yourself, change the cell's `TRAIN_NOW = False` to `TRAIN_NOW = True` and
# run it again: it costs 5 to 15 seconds on a 2-core laptop CPU (this notebook
# waits meanwhile), then plots the held-out accuracy after every epoch, and every cell below
# uses your network.

# %% tags=["demo"]
from workshop_utils.trained import CNN_RECIPE
from workshop_utils.training import fit

print("recipe:", CNN_RECIPE)
TRAIN_NOW = False
if TRAIN_NOW:
    torch.manual_seed(0)
    capstone = SmallCNN()
    history = fit(capstone, Xtr, ytr, X_val=Xte, y_val=yte, seed=0, **CNN_RECIPE)
    plt.plot(history.val_acc, "-o")
    plt.xlabel("epoch")
    plt.ylabel("held-out accuracy")
    plt.show()
else:
    capstone = pretrained_cnn(seed=0)                        # trained with the same recipe
P = predict_proba(capstone, Xte).numpy()                      # ŷ for the 1,000 test digits
y_true, y_pred = digits.y_test, P.argmax(1)
print(f"held-out accuracy: {np.mean(y_pred == y_true):.1%} "
      f"({np.sum(y_pred != y_true)} mistakes in {len(y_true):,} digits it never saw)")

# %% [markdown]
# **The confusion matrix.** Entry $[i, j]$ counts the test digits of true class $i$ that
# the network called $j$: the diagonal is right, everything else is a mistake, and *which*
# cell tells you what it confuses.

# %% tags=["demo"]
cm = np.zeros((10, 10), dtype=int)
np.add.at(cm, (y_true, y_pred), 1)                            # one count per (true, predicted) pair

fig, ax = plt.subplots(figsize=(4.6, 4.2))
ax.imshow(np.log1p(cm), cmap="Blues")
for i in range(10):
    for j in range(10):
        if cm[i, j]:
            ax.text(j, i, cm[i, j], ha="center", va="center", fontsize=8,
                    color="white" if i == j else "black")
ax.set_xticks(range(10))
ax.set_yticks(range(10))
ax.set_xlabel("predicted")
ax.set_ylabel("true")
ax.set_title("confusion matrix (1,000 test digits)")
plt.show()

# %% [markdown]
# **A gallery of its mistakes**, most confident first: the true label, what the network
# said, and the probability it gave to each. Many are digits a person would hesitate on too.

# %% tags=["demo"]
wrong = np.flatnonzero(y_pred != y_true)
wrong = wrong[np.argsort(-P[wrong, y_pred[wrong]])]          # most confident mistakes first
titles = [f"{y_true[i]}→{y_pred[i]}\np={P[i, y_pred[i]]:.2f} (true {P[i, y_true[i]]:.2f})" for i in wrong]
display(image_grid(digits.X_test[wrong], titles=titles, ncols=8, size=1.25,
                   suptitle="true→predicted, p(predicted) (p(true))"))


# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 10.1 · Count W and b
#
# Write `my_parameter_count(kernel_size, c1, c2)` that returns how many numbers the
# minimal CNN learns when its convolutions have `c1` and `c2` channels and `kernel_size`
# × `kernel_size` kernels (stride 2, padding `kernel_size // 2`, so the maps are still
# 14×14 and then 7×7; 1 input channel, 10 classes). Check yourself: kernel 5 with 16 and
# 32 channels gives 28,938.

# %% tags=["exercise"]
def my_parameter_count(kernel_size, c1, c2):
    # your code here
    return None


from workshop_utils.checks import check_parameter_count

check_parameter_count(my_parameter_count)


# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_parameter_count
# def my_parameter_count(kernel_size, c1, c2):
#     k = kernel_size
#     conv1 = c1 * 1 * k * k + c1          # W1: c1×1×k×k, b1: c1
#     conv2 = c2 * c1 * k * k + c2         # W2: c2×c1×k×k, b2: c2
#     dense = 10 * (c2 * 7 * 7) + 10       # W3: 10×(c2·7·7), b3: 10
#     return conv1 + conv2 + dense
# ```
# The biases, the c1 input channels of every kernel of W₂, and the size of the flattened
# vector are the usual slips.
# </details>

# %% [markdown] tags=["exercise"] slideshow={"slide_type": "slide"}
# ## Coding Exercise 10.2 · Recall per class from the confusion matrix
#
# The **recall** of class $c$ is the fraction of the true $c$'s that the network labels
# $c$: the diagonal entry of row $c$ divided by the row's total. Write `my_recall(cm)`
# returning the C recalls of a C×C confusion matrix (rows: true class), then look at the
# capstone's: which digit is hardest?

# %% tags=["exercise"]
def my_recall(cm):
    # your code here
    return None


from workshop_utils.checks import check_recall

if check_recall(my_recall):  # only once it is right
    print("recall per digit:", np.round(my_recall(cm), 3))

# %% [markdown] tags=["solution"]
# <details>
# <summary>Show a solution</summary>
#
# ```python
# # checker: check_recall
# def my_recall(cm):
#     return np.diag(cm) / cm.sum(axis=1)
# ```
# Dividing by the column sums gives *precision* instead; the checker says so.
# </details>

# %% [markdown] tags=["check"] slideshow={"slide_type": "slide"}
# ## Self-check quiz
#
# One question per lesson. Click an answer: you get a ✓ or ✗ and the reason.

# %% tags=["check"]
from workshop_utils.explorers import quiz

quiz()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key takeaways
#
# - **Images → tensors**: a digit is a 28×28 array; /255 and a batch axis make it the
#   network's input.
# - **W and b** are the only learned parameters: 28,938 numbers; save, load or blur them and
#   the network's skill goes with them.
# - **CNNs** look locally (one pixel moves a few units), **ViTs** globally (one pixel moves
#   every token after one attention block).
# - **Softmax + loss** turn logits into the learning signal ŷ − y.
# - **Back-propagation + gradient descent** adjust all the weights together, step after step.
# - **Focal loss and class weights** shift the learning signal towards rare, hard examples;
#   measure per class to see whether they help.
#
# All the "intelligence" resides in the optimised values of $W$ and $b$.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Where to go next
#
# - **More data.** `workshop_utils.data.fetch_full("mnist")` or `fetch_full("fashion-mnist")` downloads
#   the full 70,000-image datasets (once, hash-checked); retrain the capstone on them.
# - **Change the network.** Kernel size, channels, a third conv layer, the ViT's patch size:
#   predict the shapes and the parameter count first (lesson 09, Exercise 10.1), then measure.
# - **Go deeper.** [Dive into Deep Learning](https://d2l.ai) (chapters on CNNs, attention and
#   optimisation), Stanford's [CS231n notes](https://cs231n.github.io), the
#   [Neuromatch deep-learning course](https://deeplearning.neuromatch.io), the
#   [PyTorch tutorials](https://pytorch.org/tutorials/), and
#   [CNN Explainer](https://poloclub.github.io/cnn-explainer/) to watch a larger CNN at work.
#
# **Back to the start:** [01 · Input → Tensor](01_input_to_tensor.ipynb).
