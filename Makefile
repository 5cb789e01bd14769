# affectkit: the two commands a newcomer needs are `make run` and `make test`.
# Every target creates or refreshes .venv on first use (Python >= 3.10).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.affectkit-installed
LABS_STAMP := $(VENV)/.affectkit-labs-installed
# The CPU build of torch is installed before anything that depends on torch;
# a bare `torch` requirement would pull a multi-GB CUDA build. A torch already
# in .venv (e.g. a CUDA build you installed on a GPU machine) is kept.
TORCH    ?= torch==2.13.0
PIP_ARGS ?=
# The exact versions CI tested (every package, torch included), for a whole term:
# `make setup` installs them by default; `make setup LOCK=` takes the newest that
# pyproject.toml allows (as `pip install -e .` does); `make lock` re-resolves the file.
LOCK     ?= requirements-lock.txt
LOCKED   := $(VENV)/lock-constraints.txt
LOCK_VENV := .venv-lock
# `make test-lowest`: the lowest versions pyproject.toml allows, in an environment of its own
LOWEST   := .venv-lowest
LOWEST_NOTEBOOK ?= 05_dg_moment_matching

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup lock run readme lab test test-lab test-lowest labs grade-demo test-labs lab-handouts bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "affectkit needs Python >= 3.10, found " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -c 'import torch' 2>/dev/null || $(PY) -m pip install -q $(PIP_ARGS) "$(TORCH)"
	@$(LOCK_TO_CONSTRAINTS)
	$(PY) -m pip install -q $(PIP_ARGS) -c $(LOCKED) -e ".[dev]"
	@touch $(STAMP)

# The lock as pip constraints ($(LOCKED)): they pin every package the install needs and add
# none. Without the lock's torch line (torch is installed first, above, so a torch already in
# .venv is kept); empty where LOCK is empty or the lock was made for another Python (its
# wheels need not exist there).
define LOCK_TO_CONSTRAINTS
want=$$(sed -n 's/^# python: *//p' $(LOCK) 2>/dev/null); have=$$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
if [ -z "$(LOCK)" ]; then : > $(LOCKED); \
elif [ "$$want" = "$$have" ]; then grep -v '^torch==' $(LOCK) > $(LOCKED); \
else echo "$(LOCK) was made for Python $$want, .venv has $$have: installing the newest versions pyproject.toml allows"; : > $(LOCKED); fi
endef

## lock: re-resolve requirements-lock.txt in a fresh environment: the newest versions pyproject.toml allows (dev and labs extras), torch = $(TORCH)
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install -q $(PIP_ARGS) "$(TORCH)"
	$(LOCK_VENV)/bin/python -m pip install -q $(PIP_ARGS) -e ".[dev,labs]"
	{ echo "# The exact set CI tests and \`make setup\` installs (pip constraints; made by \`make lock\`)."; \
	  echo "# Made on $$(uname -s) $$(uname -m) for this Python (make setup uses it only there):"; \
	  echo "# python: $$($(LOCK_VENV)/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')"; \
	  echo "# torch: the CPU build, installed first by make setup ($(TORCH)); its line here is that version."; \
	  $(LOCK_VENV)/bin/python -m pip freeze --exclude-editable | grep -v '^[#-]' | sed -e 's/^torch==\([^+]*\)+.*/torch==\1/'; } > $(LOCK).new
	mv $(LOCK).new $(LOCK)
	rm -rf $(LOCK_VENV)

## run: execute every notebook (lab profile) into build/, render HTML, write build/index.html
run: $(STAMP)
	$(PY) -m affectkit.tools.runner --profile lab --out build

## readme: regenerate the README's results section from build/results (after `make run`)
readme: $(STAMP)
	$(PY) -m affectkit.tools.report build/results README.md

## lab: JupyterLab on the notebooks
lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/ $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

## test: lint (ruff: pyflakes, import order, bugbear), unit tests + every notebook in the smoke profile
test: $(STAMP)
	$(PY) -m ruff check affectkit tests benchmarks labs
	$(PY) -m pytest -q -n 2 --dist loadgroup --durations=12

## test-lowest: the unit tests and notebook $(LOWEST_NOTEBOOK) (smoke) in .venv-lowest, with the lowest version pyproject.toml allows of every direct dependency (torch: $(TORCH), the one offline build)
test-lowest:
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/python -m pip install -q $(PIP_ARGS) "$(TORCH)"
	$(LOWEST)/bin/python -c "$$LOWEST_BOUNDS" "$(TORCH)" > $(LOWEST)/lowest-constraints.txt
	$(LOWEST)/bin/python -m pip install -q $(PIP_ARGS) -c $(LOWEST)/lowest-constraints.txt -e ".[dev]"
	$(LOWEST)/bin/python -m pip check
	@echo "installed at their lower bounds:" $$(cat $(LOWEST)/lowest-constraints.txt)
	PATH=$(CURDIR)/$(LOWEST)/bin:$$PATH $(LOWEST)/bin/python -m pytest -q -rs -n 2 --dist loadgroup --durations=5 \
	    -k "not test_smoke_run and not test_smoke_reproducible or test_smoke_run and $(LOWEST_NOTEBOOK)"

# Every direct dependency (and the dev extra) at its lower bound, as pip constraints:
# `name>=X` -> `name==X` (so X must be a release), torch -> $(TORCH).
define LOWEST_BOUNDS
import re, sys, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
for spec in project["dependencies"] + project["optional-dependencies"]["dev"]:
    name, lower = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*>=\s*([^,;\s]+).*", spec).groups()
    print(sys.argv[1] if name == "torch" else f"{name}=={lower}")
endef
export LOWEST_BOUNDS

## test-lab: every notebook in the lab profile, its findings asserted
test-lab: $(STAMP)
	$(PY) -m pytest -q -m lab --durations=40

## bench: the speed numbers of benchmarks/RESULTS.md: lab training steps (naive vs today), two tables (one after the other vs side by side) and every lab notebook
bench: $(STAMP)
	$(PY) benchmarks/speed.py --notebooks

## labs: the student release of the graded course labs in labs/release/ (installs nbgrader: the labs extra)
labs: $(LABS_STAMP)
	$(PY) labs/course.py release

## grade-demo: a throw-away course that autogrades the shipped submissions and prints each function's points
grade-demo: $(LABS_STAMP)
	$(PY) labs/course.py grade-demo

## lab-handouts: the teaching team's pages in build/handouts/: per lab a student page (objectives, time per part, pre-lab quiz) and a grader's sheet (model answers, rubrics, named mistakes, late penalty)
lab-handouts: $(STAMP)
	$(PY) labs/handouts.py

## test-labs: each lab graded with nbgrader (full marks, a clean release, the kit's own code earns 0, one wrong function costs its own points, redefined checks change nothing)
test-labs: $(LABS_STAMP)
	$(PY) -m pytest -q -m labs

$(LABS_STAMP): $(STAMP)
	$(PY) -m pip install -q $(PIP_ARGS) -c $(LOCKED) -e ".[dev,labs]"
	@touch $(LABS_STAMP)

clean:
	rm -rf build results labs/release labs/gradebook.db
