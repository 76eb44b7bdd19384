#!/usr/bin/env bash
# Every wheel the lean learner install needs, in one folder, for a room with weak Wi-Fi.
#   usage: tools/wheelhouse.sh PYTHON FOLDER [pip download options for another platform]
# The lean learner install is the package with its `lab` extra (JupyterLab, ipywidgets 8)
# and a CPU build of torch; nothing from the test tools. Afterwards, on a learner's laptop:
#   python -m pip install --no-index --find-links FOLDER "workshop_utils[lab]"
# Extra arguments go to both `pip download` calls, e.g. for Windows on Python 3.11:
#   tools/wheelhouse.sh python3 wheelhouse-win --platform win_amd64 --python-version 3.11
# (binary wheels only, as pip requires with --platform).
set -euo pipefail
PY="$1"
DIR="$2"
shift 2
CPU_INDEX="https://download.pytorch.org/whl/cpu"
mkdir -p "$DIR"

# 1. The course package itself, as a wheel (pure Python: one wheel fits every platform).
"$PY" -m pip wheel -q --no-deps -w "$DIR" .
version="$("$PY" -c 'import re, pathlib; print(re.search(r"__version__ = \"([^\"]+)\"", pathlib.Path("workshop_utils/__init__.py").read_text()).group(1))')"

# 2. A CPU build of torch, never the multi-GB CUDA build that the default index gives on
#    Linux: as tools/install_torch.sh does, a torch wheel already on this machine (pip's
#    find-links) if there is one for the target platform, else PyTorch's CPU wheel index.
#    Its own dependencies come in step 3.
if ! "$PY" -m pip download -q -d "$DIR" --only-binary=:all: --no-deps "$@" --no-index "torch>=2.0" 2>/dev/null; then
    "$PY" -m pip download -q -d "$DIR" --only-binary=:all: --no-deps "$@" --index-url "$CPU_INDEX" "torch>=2.0"
fi
torch_wheel="$(ls -t "$DIR"/torch-*.whl | head -n 1)"
torch_version="$(basename "$torch_wheel" | cut -d- -f2)"

# 3. Everything else from the package index, with torch pinned to the wheel of step 2 and the
#    course's wheel found in the folder.
"$PY" -m pip download -q -d "$DIR" --only-binary=:all: "$@" --find-links "$DIR" \
    "workshop_utils[lab]==$version" "torch==$torch_version"

count="$(ls "$DIR"/*.whl | wc -l)"
echo "$DIR: $count wheels, $(du -sh "$DIR" | cut -f1) (workshop_utils $version, torch $torch_version)"
echo "install with: python -m pip install --no-index --find-links $DIR \"workshop_utils[lab]\""
