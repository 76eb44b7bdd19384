#!/usr/bin/env bash
# Install PyTorch into the course environment without ever replacing one that is there.
#   usage: tools/install_torch.sh PYTHON TORCH
# TORCH (one setting, documented in the README):
#   auto    (default) keep an installed torch; otherwise a CPU build: first from wheels
#           already on this machine (pip --no-index), then from PyTorch's CPU wheel index
#   system  use the torch of the Python the environment was made from (never install)
#   other   passed to pip as it is, e.g. "torch --index-url <your CUDA wheel index>"
set -euo pipefail
PY="$1"
TORCH="${2:-auto}"
CPU_INDEX="https://download.pytorch.org/whl/cpu"

if "$PY" -c "import torch" 2>/dev/null; then
    echo "torch $("$PY" -c 'import torch; print(torch.__version__)') is already installed: keeping it"
    exit 0
fi
case "$TORCH" in
    system)
        echo "TORCH=system but the environment's Python cannot import torch." >&2
        echo "Install torch into the base Python first, or use TORCH=auto." >&2
        exit 1 ;;
    auto)
        # A torch wheel already on this machine (pip's find-links) is taken as it is;
        # its small dependencies then come from the package index as usual.
        if "$PY" -m pip install -q --no-compile --no-index --no-deps "torch>=2.0" 2>/dev/null; then
            ver="$("$PY" -c 'import importlib.metadata as m; print(m.version("torch"))')"
            "$PY" -m pip install -q --no-compile "torch==$ver"
            echo "installed torch $ver from a wheel on this machine"
        else
            echo "installing a CPU build of torch from PyTorch's CPU wheel index"
            "$PY" -m pip install --no-compile "torch>=2.0" --index-url "$CPU_INDEX"
        fi ;;
    *)
        # shellcheck disable=SC2086 # the setting may carry pip options on purpose
        "$PY" -m pip install $TORCH ;;
esac
