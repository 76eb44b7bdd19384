#!/usr/bin/env bash
# Install PyTorch into the course environment without ever replacing one that is there.
#   usage: tools/install_torch.sh PYTHON TORCH
# TORCH (one setting, documented in the README):
#   auto    (default) keep an installed torch; otherwise a CPU build: first a wheel already
#           on this machine (what pip finds without an index: its find-links), then from
#           PyTorch's CPU wheel index
#   system  use the torch of the Python the environment was made from (never install)
#   other   passed to the installer as it is, e.g. "torch --index-url <your CUDA wheel index>"
# UV (set by tools/make_env.sh): the uv that installs; empty: pip.
set -euo pipefail
PY="$1"
TORCH="${2:-auto}"
CPU_INDEX="https://download.pytorch.org/whl/cpu"

install() {
    if [ -n "${UV:-}" ]; then
        "$UV" pip install -q --python "$PY" "$@"
    else
        "$PY" -m pip install -q --no-compile "$@"
    fi
}

if "$PY" -c "import torch" 2>/dev/null; then
    echo "torch $("$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null) is already installed: keeping it"
    exit 0
fi
case "$TORCH" in
    system)
        echo "TORCH=system but the environment's Python cannot import torch." >&2
        echo "Install torch into the base Python first, or use TORCH=auto." >&2
        exit 1 ;;
    auto)
        # A torch wheel already on this machine: pip looks (with its own settings: find-links,
        # constraints) and names the file; the installer installs that file with its small
        # dependencies from the package index as usual.
        report="$(mktemp)"
        trap 'rm -f "$report"' EXIT
        wheel=
        if "$PY" -m pip install -q --dry-run --no-index --no-deps --report "$report" "torch>=2.0" \
                >/dev/null 2>&1; then
            wheel="$("$PY" -c 'import json, sys, urllib.parse as u
url = json.load(open(sys.argv[1]))["install"][0]["download_info"]["url"]
print(u.unquote(u.urlparse(url).path) if url.startswith("file:") else "")' "$report")"
        fi
        if [ -n "$wheel" ]; then
            install "$wheel"
            echo "installed torch from a wheel on this machine: $(basename "$wheel")"
        else
            echo "installing a CPU build of torch from PyTorch's CPU wheel index"
            install "torch>=2.0" --index-url "$CPU_INDEX"
        fi ;;
    *)
        # shellcheck disable=SC2086 # the setting may carry installer options on purpose
        install $TORCH ;;
esac
