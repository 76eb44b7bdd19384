"""The package's layers (CONTRIBUTING.md, "The layers"): no import circle, and no module imports
from a layer above its own. Every import counts, at module level and inside functions (read
with ``ast``, so an import hidden in a function cannot hide a circle)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "workshop_utils"

# Lowest first. A module may import its own layer's modules (without a circle) and lower ones.
# A subpackage (explorers, checks, figures, pulse) is named once and holds all its modules.
LAYERS = [
    ("store", {"_validate", "cache", "shipped"}),
    ("foundation", {"core", "data", "training", "checkpoint"}),
    ("concepts and architectures", {"tensors", "activations", "neuron", "softmax", "losses", "layers",
                                    "conv", "attention", "forward", "backprop", "models", "vit"}),
    ("trained models", {"trained"}),
    ("presentation", {"plotting", "notebook", "explorers", "figures", "checks", "pulse"}),
    ("entry points", {"check", "course", ""}),  # "" is the package itself (__init__.py)
]
# These read no module of the package at all: bytes on disk, and validation.
IMPORT_NOTHING = {"_validate", "cache", "shipped"}


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    """``{dotted name below the package: file}``; "" is the package, "explorers" its __init__."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports(root: Path = PACKAGE) -> dict[str, set[str]]:
    """``{module: the package's modules it imports}``, every import statement anywhere in it.

    ``from . import __version__`` is not an edge: the version is a constant that
    ``__init__.py`` sets before it imports anything.
    """
    mods = modules(root)
    graph = {}
    for name, path in mods.items():
        is_pkg = path.name == "__init__.py"
        here = name.split(".") if name else []
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "workshop_utils" or alias.name.startswith("workshop_utils."):
                        targets.add(alias.name.removeprefix("workshop_utils").lstrip("."))
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here if is_pkg else here[:-1]
                    base = base[:len(base) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                elif (node.module or "").split(".")[0] == "workshop_utils":
                    target = node.module.removeprefix("workshop_utils").lstrip(".")
                else:
                    continue
                for alias in node.names:
                    sub = f"{target}.{alias.name}" if target else alias.name
                    if sub in mods:
                        targets.add(sub)
                    elif not (target == "" and alias.name == "__version__"):
                        targets.add(target)
        targets.discard(name)
        graph[name] = {t for t in targets if t in mods}
    return graph


def layer_of(name: str) -> int:
    top = name.split(".")[0]
    for i, (_, members) in enumerate(LAYERS):
        if top in members:
            return i
    raise KeyError(name)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected parts of more than one module (each holds a circle), Tarjan's way."""
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def problems(graph: dict[str, set[str]]) -> list[str]:
    out = [f"import circle: {' ↔ '.join(part)}" for part in cycles(graph)]
    for name in sorted(graph):
        try:
            mine = layer_of(name)
        except KeyError:
            out.append(f"{name or 'workshop_utils'} is in no layer: add it to LAYERS (and CONTRIBUTING.md)")
            continue
        if name in IMPORT_NOTHING and graph[name]:
            out.append(f"{name} imports {sorted(graph[name])}; it must import nothing of the package")
        for target in sorted(graph[name]):
            theirs = layer_of(target)
            if theirs > mine:
                out.append(f"{name} ({LAYERS[mine][0]}) imports {target or 'workshop_utils'} "
                           f"({LAYERS[theirs][0]}), a higher layer")
    return out


def test_the_package_has_no_import_circle_and_keeps_its_layers():
    assert problems(imports()) == []


def test_models_and_vit_hold_architectures_only():
    graph = imports()
    assert graph["models"] <= {"_validate"} and graph["vit"] <= {"_validate", "models"}


@pytest.mark.parametrize("module, line, expect", [
    ("cache", "from .data import load_mnist5k", "must import nothing"),
    ("models", "from .trained import pretrained_cnn", "a higher layer"),
    ("data", "from .vit import TinyViT", "a higher layer"),
    ("checkpoint", "from .data import load_mnist5k", None),  # same layer: allowed, no circle
    ("training", "from .checkpoint import use", "import circle"),
])
def test_a_bad_import_is_caught_even_inside_a_function(tmp_path, module, line, expect):
    import shutil

    copy = tmp_path / "workshop_utils"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "weights", "*.json"))
    path = copy / f"{module}.py"
    path.write_text(path.read_text(encoding="utf-8") + f"\n\ndef _sneaky():\n    {line}\n", encoding="utf-8")
    found = problems(imports(copy))
    if expect is None:
        assert found == []
    else:
        assert any(expect in p for p in found), found
