#!/usr/bin/env bash
# The one recipe for every Python environment of the course (the Makefile's env_rule runs it):
# make VENV if it is missing, install torch into it (tools/install_torch.sh), then the packages
# named after --, then register its Jupyter kernel.
#   usage: tools/make_env.sh VENV "KERNEL DISPLAY NAME" [--config] -- INSTALL-ARGS...
#   --config      also copy jupyter-config/ (the course's JupyterLab settings) into VENV
#   INSTALL-ARGS  what `pip install` takes: requirements, -e ".[lab]", -c constraints.txt, ...
# Settings (environment variables, set by the Makefile):
#   PYTHON     the Python that makes the environment (python3)
#   TORCH      auto, system or a pip requirement (tools/install_torch.sh)
#   INSTALLER  auto (default): uv where it is on PATH or can be installed with pip into
#              .cache/uv-tool, else pip; or uv; or pip (only Python and pip needed)
#   EDITABLE_LOCK  a command prefix (flock FILE) that serialises editable installs: they
#              write workshop_utils.egg-info into the source folder
# With uv, an environment's files are hard links into one cache (.cache/uv, or UV_CACHE_DIR):
# a package that several environments hold (torch: 0.7 GB) takes its disk space once.
set -euo pipefail
VENV="$1"
KERNEL="$2"
shift 2
CONFIG=
if [ "${1:-}" = "--config" ]; then CONFIG=1; shift; fi
[ "${1:-}" = "--" ] && shift
PYTHON="${PYTHON:-python3}"
TORCH="${TORCH:-auto}"
INSTALLER="${INSTALLER:-auto}"
mkdir -p .cache

# one install into an environment at a time (make lab in one shell, make test in another)
if command -v flock >/dev/null; then
    exec 8>".cache/env-$(basename "$VENV").lock"
    flock -n 8 || { echo "another install into $VENV is running: waiting for it"; flock 8; }
fi

# uv into .cache/uv-tool with pip, once (make test builds its environments in parallel: one
# builds, the others wait; .ready marks a finished install)
bootstrap_uv() {
    if command -v flock >/dev/null; then
        exec 7>.cache/uv-tool.lock
        flock 7
    fi
    if [ ! -f .cache/uv-tool/.ready ]; then
        rm -rf .cache/uv-tool
        "$PYTHON" -m venv .cache/uv-tool >/dev/null 2>&1 &&
            .cache/uv-tool/bin/python -m pip install -q uv >/dev/null 2>&1 &&
            .cache/uv-tool/bin/uv --version >/dev/null &&
            touch .cache/uv-tool/.ready
    fi
    local ok=$([ -f .cache/uv-tool/.ready ] && echo 1)
    if command -v flock >/dev/null; then exec 7>&-; fi
    [ -n "$ok" ]
}

UV=
if [ "$INSTALLER" != pip ]; then
    if command -v uv >/dev/null; then
        UV="$(command -v uv)"
    elif bootstrap_uv; then
        UV="$PWD/.cache/uv-tool/bin/uv"
    elif [ "$INSTALLER" = uv ]; then
        echo "INSTALLER=uv but uv is not on PATH and pip could not install it" >&2
        exit 1
    else
        echo "uv is not available (pip could not install it): installing with pip"
    fi
fi
if [ -n "$UV" ]; then
    # the cache must be on the environments' file system for hard links (else uv copies)
    export UV_CACHE_DIR="${UV_CACHE_DIR:-$PWD/.cache/uv}" UV_LINK_MODE="${UV_LINK_MODE:-hardlink}"
    export UV_PYTHON_DOWNLOADS=never
fi
export UV
PY="$VENV/bin/python"
system_site=$([ "$TORCH" = system ] && echo --system-site-packages || true)

if [ ! -x "$PY" ]; then
    if [ -n "$UV" ]; then
        # --seed: pip too, for the learner's %pip and the Colab path's test; --clear: a venv
        # without its python is broken (refused where VENV is no virtual environment)
        base="$("$PYTHON" -c 'import sys; print(sys.executable)')"
        "$UV" venv -q --seed --clear $system_site --python "$base" "$VENV"
    else
        "$PYTHON" -m venv $system_site "$VENV"
        "$PY" -m pip install -q --upgrade pip
    fi
fi

tools/install_torch.sh "$PY" "$TORCH"

# pip: --no-compile (byte-compiling torch's ~10,000 files took 44 s of a 61 s install here, and
# Python compiles what a lesson imports on first use anyway); uv does not compile by default
if [ -n "$UV" ]; then
    ${EDITABLE_LOCK:-} "$UV" pip install -q --python "$PY" "$@"
else
    ${EDITABLE_LOCK:-} "$PY" -m pip install -q --no-compile "$@"
fi

"$PY" -m ipykernel install --sys-prefix --name python3 --display-name "$KERNEL" >/dev/null
if [ -n "$CONFIG" ]; then
    # each file removed first, never written through: with uv a file in VENV may be a hard link
    # into the cache that other environments share
    (cd jupyter-config && find share etc -type f) | while read -r f; do
        mkdir -p "$VENV/$(dirname "$f")"
        rm -f "$VENV/$f"
        cp "jupyter-config/$f" "$VENV/$f"
    done
fi
