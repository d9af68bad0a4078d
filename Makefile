# Weighted Losses course: the commands a student, an instructor and CI use.
# `make lab` and `make test` are the two that matter; both create .venv once
# and reinstall only when pyproject.toml or constraints.txt change.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 8888
JOBS   ?= 2

# nbval compares committed outputs; sanitize.cfg lists the few regexes for
# what truly varies between runs (see CONTRIBUTING.md).
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg

.PHONY: lab test test-lib test-notebooks exercises execute bench replicate test-browser clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -c constraints.txt -e ".[course,dev]"
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (wloss)" > /dev/null
	touch $(STAMP)

lab: $(STAMP)  ## start JupyterLab on the course (prints the URL, opens no browser)
	$(VENV)/bin/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) --ServerApp.root_dir=$(CURDIR) \
		$(if $(filter 0,$(shell id -u)),--allow-root)

# A Jupyter kernel occasionally dies at start-up when two start at once (a TCP port
# race in jupyter_client); each stage therefore re-runs only what failed, once. A real
# failure fails again: a notebook's failed cells re-run without their predecessors.
test: $(STAMP)  ## every test: library, notebook tooling, then nbval over lectures and solutions
	@status=0; \
	$(PY) -m pytest -n $(JOBS) tests --ignore=tests/browser \
	  || $(PY) -m pytest --last-failed --last-failed-no-failures none tests --ignore=tests/browser \
	  || status=1; \
	$(PY) -m pytest -n $(JOBS) --dist loadscope $(NBVAL) --junitxml=build/nbval.xml lectures solutions \
	  || $(PY) -m pytest --last-failed --last-failed-no-failures none $(NBVAL) lectures solutions \
	  || status=1; \
	exit $$status

test-notebooks: $(STAMP)  ## nbval only: re-run lectures and solutions, compare with committed outputs
	$(PY) -m pytest -n $(JOBS) --dist loadscope $(NBVAL) lectures solutions

test-lib: $(STAMP)  ## library and tooling tests only (fast)
	$(PY) -m pytest -n $(JOBS) tests --ignore=tests/browser

exercises: $(STAMP)  ## regenerate exercises/ from solutions/ (and stamp nbgrader metadata)
	$(PY) tools/make_exercises.py

execute: $(STAMP)  ## re-run lectures and solutions in place (after editing them), e.g. make execute NB=lectures/01_imbalance.ipynb
	$(PY) tools/execute_notebooks.py $(NB)

bench: $(STAMP)  ## speed as ratios measured side by side: losses vs F.cross_entropy, batched vs per-model training
	$(PY) benchmarks/bench_losses.py
	$(PY) benchmarks/bench_replicate.py

replicate: $(STAMP)  ## the full Tables I and II of the RWWCE paper
	$(PY) -m wloss.replicate table1 --out results
	$(PY) -m wloss.replicate table2 --out results

test-browser: $(STAMP)  ## run a lecture in JupyterLab in headless Chromium (needs: apt-get install chromium)
	$(PY) -m pytest -p no:cacheprovider tests/browser -v

clean:
	rm -rf $(VENV) .pytest_cache build lib/*.egg-info
