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

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup run readme lab test test-lab labs grade-demo test-labs bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "affectkit needs Python >= 3.10, found " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -c 'import torch' 2>/dev/null || $(PY) -m pip install -q $(PIP_ARGS) "$(TORCH)"
	$(PY) -m pip install -q $(PIP_ARGS) -e ".[dev]"
	@touch $(STAMP)

## run: execute every notebook (lab profile) into build/, render HTML, write build/index.html
run: $(STAMP)
	$(PY) -m affectkit.runner --profile lab --out build

## readme: regenerate the README's results section from build/results (after `make run`)
readme: $(STAMP)
	$(PY) -m affectkit.report build/results README.md

## lab: JupyterLab on the notebooks
lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/ $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

## test: unit tests + every notebook in the smoke profile
test: $(STAMP)
	$(PY) -m pytest -q -n 2 --dist loadgroup --durations=12

## test-lab: every notebook in the lab profile, its findings asserted
test-lab: $(STAMP)
	$(PY) -m pytest -q -m lab --durations=40

## bench: the speed numbers of benchmarks/RESULTS.md: lab training steps (naive vs today), two tables (one after the other vs side by side) and every lab notebook
bench: $(STAMP)
	$(PY) benchmarks/speed.py --notebooks

## labs: the student release of the graded course labs in labs/release/ (installs nbgrader: the labs extra)
labs: $(LABS_STAMP)
	$(PY) labs/course.py release

## grade-demo: a throw-away course that autogrades the shipped submissions and prints the grades
grade-demo: $(LABS_STAMP)
	$(PY) labs/course.py grade-demo

## test-labs: each lab graded with nbgrader (full marks, a clean release, partial marks for the mistakes)
test-labs: $(LABS_STAMP)
	$(PY) -m pytest -q -m labs

$(LABS_STAMP): $(STAMP)
	$(PY) -m pip install -q $(PIP_ARGS) -e ".[dev,labs]"
	@touch $(LABS_STAMP)

clean:
	rm -rf build results labs/release labs/gradebook.db
