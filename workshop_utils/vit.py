"""A tiny Vision Transformer for 28×28 digits, small enough to train on a laptop CPU.

The outline's section 5.2, step by step (``TinyViT.stages`` returns each one):

1. **Patchify**: N = (28/p)² patches of p×p pixels, flattened to vectors x_i ∈ R^{p²}.
2. **Embed**: a linear projection x_i W_E + b_E, a learned **CLS token** in front and a
   learned **position embedding** added to every token.
3. **Self-attention** blocks (pre-norm): X ← X + MHA(LN(X)), X ← X + MLP(LN(X)), where each
   head computes softmax(Q Kᵀ / √d) V.
4. The **CLS token** after the last block is read out by a dense layer: the logits z.

``cls_attention`` returns how much the CLS token attends to every patch, per layer and
head, for the attention pictures. The course's configuration and trained copy live in ``trained``
(``VIT_CONFIG``, ``pretrained_vit``).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ._validate import require_int

__all__ = ["TinyViT"]


class SelfAttention(nn.Module):
    """Multi-head self-attention with the weights of ``nn.MultiheadAttention`` (in_proj, out_proj)."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        if dim % heads:
            raise ValueError(f"the width {dim} must be divisible by the number of heads {heads}")
        self.heads = heads
        self.in_proj = nn.Linear(dim, 3 * dim)
        self.out_proj = nn.Linear(dim, dim)

    def forward(self, x, return_weights: bool = False):
        B, n, E = x.shape
        d = E // self.heads
        q, k, v = self.in_proj(x).reshape(B, n, 3, self.heads, d).permute(2, 0, 3, 1, 4)
        if return_weights:
            A = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d), dim=-1)  # B×heads×n×n
            out = A @ v
        else:
            A = None
            out = F.scaled_dot_product_attention(q, k, v)
        out = self.out_proj(out.transpose(1, 2).reshape(B, n, E))
        return out, A


class Block(nn.Module):
    """Pre-norm transformer block: x + MHA(LN(x)), then x + MLP(LN(x))."""

    def __init__(self, dim: int, heads: int, mlp_ratio: float):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = SelfAttention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        hidden = int(round(dim * mlp_ratio))
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))

    def forward(self, x, return_weights: bool = False):
        a, A = self.attn(self.norm1(x), return_weights)
        x = x + a
        x = x + self.mlp(self.norm2(x))
        return x, A


class TinyViT(nn.Module):
    """Patchify → linear embedding + CLS + positions → ``depth`` attention blocks → dense on CLS."""

    def __init__(self, patch_size: int = 7, dim: int = 64, depth: int = 3, heads: int = 4,
                 mlp_ratio: float = 2.0, n_classes: int = 10, image_size: int = 28,
                 in_channels: int = 1):
        super().__init__()
        p = require_int(patch_size, "patch_size", low=1)
        size = require_int(image_size, "image_size", low=1)
        if size % p:
            divisors = [d for d in range(1, size + 1) if size % d == 0]
            raise ValueError(f"patch_size {p} does not divide the {size}×{size} image; "
                             f"choose one of {divisors}")
        dim = require_int(dim, "dim", low=1)
        depth = require_int(depth, "depth", low=1)
        heads = require_int(heads, "heads", low=1)
        n_classes = require_int(n_classes, "n_classes", low=2)
        in_channels = require_int(in_channels, "in_channels", low=1)
        if dim % heads:
            raise ValueError(f"dim {dim} must be divisible by heads {heads}")
        self.config = dict(patch_size=p, dim=dim, depth=depth, heads=heads, mlp_ratio=mlp_ratio,
                           n_classes=n_classes, image_size=size, in_channels=in_channels)
        self.patch_size = p
        self.grid = size // p
        self.n_patches = self.grid ** 2
        self.embed = nn.Linear(in_channels * p * p, dim)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.zeros(1, self.n_patches + 1, dim))
        self.blocks = nn.ModuleList(Block(dim, heads, mlp_ratio) for _ in range(depth))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, n_classes)
        self.reset_parameters()

    def reset_parameters(self):
        """Small random position embeddings and CLS token (the Linear layers reset themselves)."""
        nn.init.normal_(self.pos, std=0.02)
        nn.init.normal_(self.cls, std=0.02)

    def patchify(self, x):
        """B×C×H×W → B×N×(C·p²), patches row by row (as ``attention.patchify``)."""
        c, h, w = self.config["in_channels"], self.config["image_size"], self.config["image_size"]
        if x.ndim != 4 or tuple(x.shape[1:]) != (c, h, w):
            raise ValueError(f"TinyViT expects a batch N×{c}×{h}×{w}; got shape {tuple(x.shape)}")
        B, p, g = x.shape[0], self.patch_size, self.grid
        return x.reshape(B, c, g, p, g, p).permute(0, 2, 4, 1, 3, 5).reshape(B, g * g, c * p * p)

    def stages(self, x, return_attention: bool = False):
        """Every step by name: patches, tokens (embedded, with CLS and positions), blocks, logits."""
        patches = self.patchify(x)
        emb = self.embed(patches)
        tokens = torch.cat([self.cls.expand(len(x), -1, -1), emb], dim=1) + self.pos
        t = tokens
        attention = []
        for block in self.blocks:
            t, A = block(t, return_attention)
            attention.append(A)
        cls = self.norm(t[:, 0])
        z = self.head(cls)
        out = {"patches": patches, "tokens": tokens, "out": t, "cls": cls, "z": z}
        if return_attention:
            out["attention"] = torch.stack(attention, dim=1)  # B×depth×heads×(N+1)×(N+1)
        return out

    def forward(self, x):
        return self.stages(x)["z"]

    @torch.no_grad()
    def attention_maps(self, x):
        """All attention matrices: B×depth×heads×(N+1)×(N+1) (token 0 is CLS)."""
        was = self.training
        self.eval()
        A = self.stages(x, return_attention=True)["attention"]
        self.train(was)
        return A

    @torch.no_grad()
    def cls_attention(self, x):
        """How much CLS attends to each patch: B×depth×heads×grid×grid (rows sum to < 1)."""
        A = self.attention_maps(x)[..., 0, 1:]
        return A.reshape(*A.shape[:-1], self.grid, self.grid)

    def __repr__(self) -> str:
        c = self.config
        from .models import count_parameters

        return (f"TinyViT(28×28 → {self.n_patches} patches of {c['patch_size']}×{c['patch_size']} "
                f"→ embed {c['dim']} + CLS + positions → {c['depth']} blocks × {c['heads']} heads "
                f"→ dense {c['n_classes']}; {count_parameters(self):,} parameters)")
