# The course's two commands:  make lab  (open the course)  and  make test  (run every test).
# Both create or refresh the environment in .venv first. Choose how torch is installed with
# TORCH=auto (default: CPU build, never replacing an installed torch), TORCH=system, or a
# pip requirement such as TORCH="torch --index-url <CUDA wheel index>".

PYTHON ?= python3
VENV ?= .venv
TORCH ?= auto
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JOBS ?= 2
export MPLBACKEND := Agg
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: env lab test lint sync assets clean bench

env: $(STAMP)

$(STAMP): pyproject.toml tools/install_torch.sh
	@test -x $(BIN)/python || $(PYTHON) -m venv $(if $(filter system,$(TORCH)),--system-site-packages) $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	tools/install_torch.sh $(BIN)/python "$(TORCH)"
	$(BIN)/python -m pip install -q -e ".[lab,test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (course)" >/dev/null
	@touch $@

# LAB_ARGS passes options to JupyterLab, e.g. LAB_ARGS="--no-browser --port 8899"
LAB_ARGS ?=
lab: env
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS) notebooks/01_input_to_tensor.ipynb

test: env
	$(BIN)/python -m ruff check .
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope --nbval-lax --nbval-current-env \
		-p no:cacheprovider tests notebooks

lint: env
	$(BIN)/python -m ruff check .

sync: env
	$(BIN)/python tools/sync_notebooks.py

assets: env
	$(BIN)/python -m workshop_utils.figures assets

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

bench: env
	$(BIN)/python benchmarks/run.py
