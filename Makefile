# The course's two commands:  make lab  (open the course)  and  make test  (run every test).
# make lab installs what a learner needs (the package with its `lab` extra) into .venv; make
# test and the maintainers' targets add the test, site and presenter tools to the same .venv
# (only what is missing is installed). Choose how torch is installed with TORCH=auto (default:
# CPU build, never replacing an installed torch), TORCH=system, or a pip requirement such as
# TORCH="torch --index-url <CUDA wheel index>". INSTALLER=pip installs without uv (see below).

PYTHON ?= python3
VENV ?= .venv
TORCH ?= auto
INSTALLER ?= auto
BIN := $(VENV)/bin
JOBS ?= 2
KERNEL_NAME := Python 3 (Deep Learning Workshop)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Editable installs write workshop_utils.egg-info into this folder: one at a time when make
# test builds environments in parallel (util-linux flock; where there is none, e.g. macOS,
# make lab still works and make test's parallel builds go unlocked).
FLOCK := $(shell command -v flock 2>/dev/null)
EDITABLE_LOCK := $(if $(FLOCK),flock $(CURDIR)/.cache/editable-install.lock)

.PHONY: env lab-env present-env site-env lab present test test-envs test-current test-oldest test-colab \
	test-fast check-ecosystem lint sync assets clean \
	bench release workshop site test-site a11y a11y-tools wheelhouse check-wheelhouse hub hub-env hub-remove-users \
	test-hub bench-hub pulse bench-pulse test-present-all

# --- The environments: one rule, one table row each -------------------------------------
# tools/make_env.sh makes an environment (if missing), installs torch (tools/install_torch.sh),
# then the row's packages, and registers its Jupyter kernel; a stamp file records that it is
# done, remade when one of the row's inputs changes. The installer is uv when it is on PATH or
# pip can install it (into .cache/uv-tool), else pip (INSTALLER=auto; INSTALLER=pip or uv to
# choose): with uv every environment's files are hard links into one cache, .cache/uv, so the
# four environments of make test hold torch and the packages they share once on disk.
#   NAME_VENV: the environment  NAME_STAMP: its stamp   NAME_INPUTS: what remakes it
#   NAME_KERNEL: the kernel's display name   NAME_INSTALL: what is installed (pip's syntax)
#   NAME_CONFIG: --config copies jupyter-config/ into it   NAME_COVERS: stamps it also fulfils
JUPYTER_CONFIG := $(shell find jupyter-config -type f)
COURSE_INPUTS := pyproject.toml $(JUPYTER_CONFIG)

# what a learner needs to open the course (make lab)
LAB_VENV := $(VENV)
LAB_STAMP := $(VENV)/.installed-lab
LAB_INPUTS := $(COURSE_INPUTS)
LAB_KERNEL := $(KERNEL_NAME)
LAB_INSTALL := -e ".[lab]"
LAB_CONFIG := --config

# the lesson in presenter mode (make present)
PRESENT_VENV := $(VENV)
PRESENT_STAMP := $(VENV)/.installed-present
PRESENT_INPUTS := $(COURSE_INPUTS)
PRESENT_KERNEL := $(KERNEL_NAME)
PRESENT_INSTALL := -e ".[lab,present]"
PRESENT_CONFIG := --config

# the course as a website (make site)
SITE_VENV := $(VENV)
SITE_STAMP := $(VENV)/.installed-site
SITE_INPUTS := $(COURSE_INPUTS)
SITE_KERNEL := $(KERNEL_NAME)
SITE_INSTALL := -e ".[lab,site]"
SITE_CONFIG := --config

# everything: the test tools too (make env; make test, lint, sync, release, bench, ...)
DEV_VENV := $(VENV)
DEV_STAMP := $(VENV)/.installed-dev
DEV_INPUTS := $(COURSE_INPUTS)
DEV_KERNEL := $(KERNEL_NAME)
DEV_INSTALL := -e ".[lab,test,site,present]"
DEV_CONFIG := --config
DEV_COVERS := $(LAB_STAMP) $(PRESENT_STAMP) $(SITE_STAMP)

# The oldest versions the package claims, with Colab's ipywidgets 7.7.1 and kernel stack
# (tests/constraints-oldest.txt): make test-oldest.
OLDEST ?= .venv-oldest
OLDEST_VENV := $(OLDEST)
OLDEST_STAMP := $(OLDEST)/.installed
OLDEST_INPUTS := pyproject.toml tests/constraints-oldest.txt
OLDEST_KERNEL := Python 3 (course, oldest)
OLDEST_INSTALL := --only-binary=:all: --no-binary=workshop-utils -c tests/constraints-oldest.txt -e ".[test]"

# Colab's stack (tests/constraints-colab.txt) without the course: make test-colab installs the
# course there the way the notebooks' set-up cell does.
COLAB_ENV ?= .venv-colab
COLAB_PRESENT := scikit-learn pooch tqdm pillow mlxtend filelock nbclient nbformat
COLAB_VENV := $(COLAB_ENV)
COLAB_STAMP := $(COLAB_ENV)/.installed
COLAB_INPUTS := tests/constraints-colab.txt
COLAB_KERNEL := Python 3 (Colab stack)
COLAB_INSTALL := --only-binary=:all: -c tests/constraints-colab.txt \
	numpy matplotlib ipywidgets ipython ipykernel jupyter-client $(COLAB_PRESENT)

# the class hub's environment, also every learner's server there (make hub; see below)
HUB_ENV ?= .venv-hub
HUB_VENV := $(HUB_ENV)
HUB_STAMP := $(HUB_ENV)/.installed
HUB_INPUTS := $(COURSE_INPUTS)
HUB_KERNEL := $(KERNEL_NAME)
HUB_INSTALL := -e ".[lab,hub]"
HUB_CONFIG := --config

ENVIRONMENTS := LAB PRESENT SITE DEV OLDEST COLAB HUB

define env_rule
$($(1)_STAMP): $($(1)_INPUTS) tools/make_env.sh tools/install_torch.sh
	PYTHON="$(PYTHON)" TORCH="$(TORCH)" INSTALLER="$(INSTALLER)" EDITABLE_LOCK="$(EDITABLE_LOCK)" \
		tools/make_env.sh $($(1)_VENV) "$($(1)_KERNEL)" $($(1)_CONFIG) -- $($(1)_INSTALL)
	@touch $$@ $($(1)_COVERS)
endef
$(foreach e,$(ENVIRONMENTS),$(eval $(call env_rule,$(e))))

env: $(DEV_STAMP)
lab-env: $(LAB_STAMP)
present-env: $(PRESENT_STAMP)
site-env: $(SITE_STAMP)

# LAB_ARGS passes options to JupyterLab, e.g. LAB_ARGS="--no-browser --port 8899"
LAB_ARGS ?=
lab: lab-env
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS) notebooks/01_input_to_tensor.ipynb

# Presenter mode, for projecting: Voilà serves a demo-only copy of each lesson
# (tools/present.py writes them to presenter/ from the cells' tags): the text, the figures,
# the live explorers and the quiz, no code, no exercises, no cache messages. SCALE sizes it
# for the room: text at 14 px × SCALE (default 1.75: 24.5 px, for the back row at 1280×720),
# figures drawn SCALE times larger. Pages fill in as their cells run; a page's kernel stops
# when the page closes (or 60 s after a tab vanished). PRESENT_ARGS passes options to Voilà,
# e.g. PRESENT_ARGS="--no-browser --port=8867". instructors/notes.md: "Presenter mode".
SCALE ?= 1.75
PRESENT_ARGS ?=
present: present-env
	$(BIN)/python -m tools.present --serve --scale=$(SCALE) -- $(PRESENT_ARGS)

# every lesson projected (slow): fonts, overflow, no plumbing, times to first text and to complete
test-present-all: env
	COURSE_PRESENTER_SWEEP=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -p no:cacheprovider -s tests/browser/test_presenter.py

# tests/ includes tests/browser: every notebook in JupyterLab + Debian's Chromium (skipped,
# saying how to install it, where chromium is missing); screenshots and slider latencies
# go to tests/_artifacts/screenshots/.
# The whole suite: the current environment (with the browser tests, the site and presenter
# smoke tests), then the oldest one, Colab's path and the class hub. The stages share one
# course cache that starts empty, as on a fresh machine (never the user's own cache): lesson
# 05 trains once, lessons 06-10 load the weights shipped with the package.
# Two rounds, each run in parallel with its output kept together per stage (-O): the test
# environments are built while test-current runs (pip and npm mostly wait on the disk), then
# the oldest-versions suite runs beside the Colab and hub checks (mostly waiting on servers).
# -O needs GNU make 4 (macOS ships 3.81: there the stages' output interleaves)
# make test holds a lock (.cache/make-test.lock) for its whole run: a second make test in this
# clone waits. Its course cache is a folder of its own, .cache/make-test-run-<time>-<pid>,
# removed when the run passes and kept (its path printed) when it fails; the next run removes
# the ones left behind.
OUTPUT_SYNC := $(if $(filter output-sync,$(.FEATURES)),-O)
TEST_RUN_PREFIX := $(CURDIR)/.cache/make-test-run-
test:
	@mkdir -p .cache
	@exec 9>.cache/make-test.lock; \
	if [ -n "$(FLOCK)" ]; then flock -n 9 || { echo "another make test is running in this clone, waiting"; flock 9; }; \
	else echo "no flock here: make test runs without its lock"; fi; \
	for old in "$(TEST_RUN_PREFIX)"* .cache/make-test-course-cache; do \
		if [ -d "$$old" ]; then echo "removing $$old, left by an earlier make test"; rm -rf "$$old"; fi; done; \
	run="$(TEST_RUN_PREFIX)$$(date -u +%Y%m%dT%H%M%S)-$$$$"; mkdir -p "$$run"; \
	echo "make test: course cache $$run"; \
	if WORKSHOP_CACHE="$$run" $(MAKE) --no-print-directory -j4 $(OUTPUT_SYNC) test-current test-envs 9>&- && \
	   WORKSHOP_CACHE="$$run" $(MAKE) --no-print-directory -j3 $(OUTPUT_SYNC) test-oldest test-colab test-hub 9>&-; \
	then rm -rf "$$run"; echo "make test: every stage passed"; \
	else echo "make test FAILED (see above); its course cache is kept in $$run"; exit 1; fi

# ruff runs once, as tests/test_repo.py::test_ruff_is_clean (make lint runs it alone)
test-current: env a11y-tools
	$(BIN)/python -m workshop_utils.check
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n $(JOBS) --dist loadscope --durations=15 --nbval-lax --nbval-current-env \
		-p no:cacheprovider --ignore=tests/ecosystem tests notebooks

# The edit-test loop: unit, property, checker and slider-sweep tests; no notebook runs, no
# browser, no second environment (everything marked `slow` is left out).
test-fast: env
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n $(JOBS) --dist loadscope -p no:cacheprovider \
		-m "not slow" --ignore=tests/ecosystem tests

# What today's package index would do to the course (changes with third-party releases, so
# not part of make test): pip's resolver against Colab's versions.
check-ecosystem: env
	$(BIN)/python -m pytest -p no:cacheprovider tests/ecosystem

# The oldest versions the package claims (.venv-oldest, see the table above): unit tests and
# every notebook (not the repository checks of test_repo.py, test_makefile.py, test_release.py
# and test_deploy.py, which do not depend on versions).
test-oldest: $(OLDEST_STAMP)
	OMP_NUM_THREADS=1 COURSE_OLDEST_ENV=1 $(OLDEST)/bin/python -m pytest -n $(JOBS) --dist loadscope --nbval-lax \
		--nbval-current-env -p no:cacheprovider --ignore=tests/browser --ignore=tests/ecosystem \
		--ignore=tests/test_repo.py --ignore=tests/test_makefile.py --ignore=tests/test_release.py --ignore=tests/test_deploy.py \
		tests notebooks

# Colab's path (.venv-colab: Colab's stack without the course); the test installs the package
# the way the notebooks' set-up cell does, from the git ref the notebooks name (a local copy
# made a git repository), and runs a notebook there.
test-colab: env $(COLAB_STAMP)
	COURSE_COLAB_PYTHON=$(COLAB_ENV)/bin/python $(BIN)/python -m pytest -p no:cacheprovider \
		tests/test_colab_path.py

lint: env
	$(BIN)/python -m ruff check .

sync: env
	$(BIN)/python -m tools.sync_notebooks

# make release VERSION=0.2.0: bump the version, CHANGELOG entry, sync notebooks and badges
# to the new ref, commit, annotated tag v0.2.0 (tools/release.py; nothing is pushed)
release: env
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=x.y.z"; exit 2; }
	$(BIN)/python -m tools.release $(VERSION)

# make workshop: fill workshop.toml (date, venue, instructors, contact, where learners run,
# which schedule) first; it writes CODE_OF_CONDUCT.md's contact, instructors/schedule.md's
# clock times and the learners' invitation, build/invitation.md (tools/workshop.py). It
# exits 1 while workshop.toml still has FIXME values and 2 on a wrong one, naming them.
workshop: lab-env
	$(BIN)/python -m tools.workshop

assets: env
	$(BIN)/python -m workshop_utils.figures assets

# (.cache/uv, the package cache the environments are linked from, is kept: rm -rf .cache/uv)
clean:
	rm -rf $(VENV) $(OLDEST) $(COLAB_ENV) $(HUB_ENV) .hub .pytest_cache .ruff_cache

# The course as a website (Sphinx + MyST-NB + sphinx-book-theme) in build/site: the notebooks
# executed with the course cache ($$WORKSHOP_CACHE or the default one), code folded, explorer
# pictures and frame players; build time and size go to benchmarks/RESULTS.md. Serve the folder
# with any static server, e.g. python -m http.server -d build/site
site: site-env
	$(BIN)/python -m tools.build_site --out build/site --report build/site-report.json \
		--results benchmarks/RESULTS.md

# Every page of the built site in headless Chromium (tools/site_audit.py)
test-site: env a11y-tools
	COURSE_SITE_DIR=$(CURDIR)/build/site COURSE_AXE_JS=$(CURDIR)/$(A11Y_DIR)/node_modules/axe-core/axe.min.js \
		$(BIN)/python -m pytest -p no:cacheprovider tests/browser/test_site_in_browser.py -k built_site

# Accessibility, measured with axe-core (WCAG 2.2 AA) in Debian's Chromium, offline: every page
# of the site (built first), presenter mode (Voilà) and one lesson run in JupyterLab; writes
# build/a11y-report.json and the accessibility section of benchmarks/RESULTS.md, and fails on a
# serious or critical violation in the course's own content. axe-core comes from npm at the
# version locked in tools/a11y/package-lock.json (make a11y-tools: Node.js >= 18 and npm).
# A11Y_ARGS e.g. "--presenter-lessons 01,06 --lab-lesson 02_weights_and_biases.ipynb"
A11Y_DIR ?= .a11y
A11Y_ARGS ?=
$(A11Y_DIR)/node_modules/.installed: tools/a11y/package.json tools/a11y/package-lock.json
	@command -v npm >/dev/null || { echo "make a11y needs Node.js >= 18 and npm (Debian: apt-get install nodejs npm)"; exit 2; }
	mkdir -p $(A11Y_DIR)
	cp tools/a11y/package.json tools/a11y/package-lock.json $(A11Y_DIR)/
	npm ci --prefix $(A11Y_DIR) --no-audit --no-fund --loglevel=error
	@touch $@

a11y-tools: $(A11Y_DIR)/node_modules/.installed

a11y: env site a11y-tools
	COURSE_AXE_JS=$(CURDIR)/$(A11Y_DIR)/node_modules/axe-core/axe.min.js $(BIN)/python -m tools.a11y_audit \
		--site build/site --report build/a11y-report.json --results benchmarks/RESULTS.md $(A11Y_ARGS)

bench: env
	$(BIN)/python -m benchmarks.run

# For a room with weak Wi-Fi (not part of make test: it downloads about a gigabyte):
# every wheel the lean learner install needs -- the package with its `lab` extra and a CPU
# torch, no test tools -- in one folder, for this machine's platform and Python. Wheels for
# another platform: WHEEL_ARGS="--platform win_amd64 --python-version 3.11" (learners/setup.md).
# Learners then install with  pip install --no-index --find-links wheelhouse "workshop_utils[lab]"
WHEELHOUSE ?= wheelhouse
WHEEL_ARGS ?=
wheelhouse:
	tools/wheelhouse.sh $(PYTHON) $(WHEELHOUSE) $(WHEEL_ARGS)

# The proof: a fresh environment installed from the folder alone (no package index, and no
# pip configuration that could add other folders), then the learner's setup check run there
# with an empty course cache, outside the source tree so that the installed copy is checked.
WHEELHOUSE_VENV ?= .venv-wheelhouse
check-wheelhouse:
	@test -d $(WHEELHOUSE) || { echo "no $(WHEELHOUSE)/ here: run make wheelhouse first"; exit 2; }
	rm -rf $(WHEELHOUSE_VENV)
	$(PYTHON) -m venv $(WHEELHOUSE_VENV)
	env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null \
		$(WHEELHOUSE_VENV)/bin/python -m pip install -q --no-index --find-links $(WHEELHOUSE) "workshop_utils[lab]"
	cd $(WHEELHOUSE_VENV) && WORKSHOP_CACHE="$(CURDIR)/$(WHEELHOUSE_VENV)/course-cache" bin/python -m workshop_utils.check

# --- Teach it to a class: a local JupyterHub (README, "Teach it to a class") -------------
# .venv-hub: the environment of the hub *and* of every learner's server (the course, JupyterLab,
# JupyterHub, nbgitpuller, the idle culler, repo2docker for the Binder check); .hub/: the
# hub's state (git-ignored): configurable-http-proxy from npm (deploy/local/package-lock.json),
# the course as a git repository for nbgitpuller, the learners' home folders, the database.
HUB_DIR ?= .hub
HUB_PORT ?= 8000

$(HUB_DIR)/node_modules/.installed: deploy/local/package.json deploy/local/package-lock.json
	@command -v npm >/dev/null || { echo "make hub needs Node.js >= 18 and npm (Debian: apt-get install nodejs npm)"; exit 2; }
	mkdir -p $(HUB_DIR)
	cp deploy/local/package.json deploy/local/package-lock.json $(HUB_DIR)/
	npm ci --prefix $(HUB_DIR) --no-audit --no-fund --loglevel=error
	@touch $@

hub-env: $(HUB_STAMP) $(HUB_DIR)/node_modules/.installed

# The environments of make test's second round (built during its first; see test:).
test-envs: $(OLDEST_STAMP) $(COLAB_STAMP) hub-env

# make hub [HUB_PORT=8000] [HUB_IP=127.0.0.1] [INSTRUCTORS=name1,name2] [INSTRUCTOR_PASSWORD=...]:
# the hub on http://$(HUB_IP):$(HUB_PORT) (deploy/local/jupyterhub_config.py). Learners set their
# password at first login; INSTRUCTORS (default: instructor) are admins and the group
# "instructors", with INSTRUCTOR_PASSWORD (else one made, kept in $(HUB_DIR)/instructor-password
# and printed). As root, each learner's server runs as a system user of its own (course-<name>;
# `make hub-remove-users` deletes them); otherwise learners share your account and the hub
# stays on 127.0.0.1. Prints the nbgitpuller link (the release branch the README names).
HUB_IP ?= 127.0.0.1
hub: hub-env
	$(HUB_ENV)/bin/python deploy/local/run_hub.py --dir $(HUB_DIR) --port $(HUB_PORT) --ip $(HUB_IP)

hub-remove-users:
	$(HUB_ENV)/bin/python deploy/local/run_hub.py --dir $(HUB_DIR) --remove-users

# The hub test (part of make test), one hub start: two learners log in with their own passwords,
# click the link twice (and again after editing), run lesson 01; "Ada " cannot enter ada's account;
# the instructor administers; as root, learners cannot read each other's files or the hub's secrets.
test-hub: env hub-env
	COURSE_HUB_PYTHON=$(HUB_ENV)/bin/python COURSE_HUB_NODE_MODULES=$(HUB_DIR)/node_modules \
		OMP_NUM_THREADS=1 $(BIN)/python -m pytest -p no:cacheprovider tests/test_hub.py tests/test_pulse_hub.py \
		tests/test_deploy.py::test_instructors_snippet_seeds_passwords_admins_and_group

# The class load test: benchmarks/hub_results.json, the hub section of benchmarks/RESULTS.md
# and the README's sizing table. HUB_BENCH_ARGS e.g. "--sizes 2,4 --quick" for a short run.
HUB_BENCH_ARGS ?=
bench-hub: hub-env
	$(HUB_ENV)/bin/python -m benchmarks.hub_load --node-modules $(HUB_DIR)/node_modules $(HUB_BENCH_ARGS)

# --- The class pulse (workshop_utils/pulse; instructors/notes.md, learners/privacy.md) ------
# make pulse: the service for a room of laptops, on 127.0.0.1 by default; it prints, once, the
# room code line learners set and the instructor's dashboard link. PULSE_ARGS="--lan" binds it
# to this machine's LAN address for the room (also --port, --stuck-after, --csv-at-exit FILE).
# On make hub the pulse runs as a hub service (deploy/local/jupyterhub_config.py, last block).
PULSE_ARGS ?=
pulse: lab-env
	$(BIN)/python -m workshop_utils.pulse $(PULSE_ARGS)

# Its load test: 300 simulated learners on loopback for 2 minutes (stops by itself); writes
# benchmarks/pulse_results.json and the pulse section of benchmarks/RESULTS.md.
PULSE_BENCH_ARGS ?=
bench-pulse: env
	$(BIN)/python -m benchmarks.pulse_load $(PULSE_BENCH_ARGS)
