# Weighted Losses course: the commands a student, an instructor and CI use.
# `make lab` and `make test` are the two that matter; both create .venv once
# and reinstall only when pyproject.toml or constraints.txt change, then make
# sure MNIST is here (found, or downloaded once and verified: tools/fetch_data.py).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 8888
JOBS   ?= 2

# nbval compares committed outputs; sanitize.cfg lists the few regexes for
# what truly varies between runs (see CONTRIBUTING.md).
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg

# The notebooks that train on MNIST. Without a copy (offline), `make test MNIST=skip`
# runs everything else and `make lab MNIST=skip` starts JupyterLab anyway.
MNIST ?= fetch
MNIST_NOTEBOOKS := lectures/08_replication.ipynb solutions/08_replication.ipynb
ifeq ($(MNIST),skip)
NB_LEFT_OUT := $(addprefix --ignore=,$(MNIST_NOTEBOOKS))
endif

# JupyterLab settings for the course's environment (no "Jupyter news?" prompt on first start)
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: lab data test test-lib test-notebooks exercises execute bench replicate test-browser book clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -c constraints.txt -e ".[course,dev,book]"
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (wloss)" > /dev/null
	touch $(STAMP)

$(LAB_SETTINGS): tools/jupyterlab-overrides.json $(STAMP)
	mkdir -p $(dir $@) && cp tools/jupyterlab-overrides.json $@

data: $(STAMP)  ## MNIST found and verified, or downloaded once into ~/.cache/wloss/mnist (WLOSS_DATA, WLOSS_MNIST_MIRROR)
ifeq ($(MNIST),skip)
	@echo "MNIST=skip: not looking for MNIST; left out: $(MNIST_NOTEBOOKS)"
else
	@$(PY) tools/fetch_data.py
endif

lab: $(STAMP) $(LAB_SETTINGS) data  ## start JupyterLab on the course (prints the URL, opens no browser)
	$(VENV)/bin/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) --ServerApp.root_dir=$(CURDIR) \
		$(if $(filter 0,$(shell id -u)),--allow-root)

# A Jupyter kernel occasionally dies at start-up when two start at once (a TCP port
# race in jupyter_client); each stage therefore re-runs only what failed, once. A real
# failure fails again: a notebook's failed cells re-run without their predecessors.
# Ends with a one-screen summary (tools/test_summary.py) read from the JUnit reports in build/.
test: $(STAMP) $(LAB_SETTINGS) data  ## every test: library, notebook tooling, then nbval over lectures and solutions
	@status=0; start=$$(date +%s); mkdir -p build; rm -f build/tests*.xml build/nbval*.xml; \
	$(PY) -m pytest -n $(JOBS) --junitxml=build/tests.xml tests --ignore=tests/browser \
	  || $(PY) -m pytest --last-failed --last-failed-no-failures none --junitxml=build/tests-retry.xml tests --ignore=tests/browser \
	  || status=1; \
	$(PY) -m pytest -n $(JOBS) --dist loadscope $(NBVAL) --junitxml=build/nbval.xml $(NB_LEFT_OUT) lectures solutions \
	  || $(PY) -m pytest --last-failed --last-failed-no-failures none $(NBVAL) --junitxml=build/nbval-retry.xml $(NB_LEFT_OUT) lectures solutions \
	  || status=1; \
	$(PY) tools/test_summary.py build/tests.xml,build/tests-retry.xml build/nbval.xml,build/nbval-retry.xml \
	  --seconds $$(( $$(date +%s) - start )) --status $$status $(if $(NB_LEFT_OUT),--left-out "$(MNIST_NOTEBOOKS) (MNIST=skip)"); \
	exit $$status

test-notebooks: $(STAMP) data  ## nbval only: re-run lectures and solutions, compare with committed outputs
	$(PY) -m pytest -n $(JOBS) --dist loadscope $(NBVAL) $(NB_LEFT_OUT) lectures solutions

test-lib: $(STAMP)  ## library and tooling tests only (fast)
	$(PY) -m pytest -n $(JOBS) tests --ignore=tests/browser

exercises: $(STAMP)  ## regenerate exercises/ from solutions/ (and stamp nbgrader metadata)
	$(PY) tools/make_exercises.py

execute: $(STAMP)  ## re-run lectures and solutions in place (after editing them), e.g. make execute NB=lectures/01_imbalance.ipynb
	$(PY) tools/execute_notebooks.py $(NB)

bench: $(STAMP)  ## speed as ratios measured side by side: losses vs F.cross_entropy, batched vs per-model training
	$(PY) benchmarks/bench_losses.py
	$(PY) benchmarks/bench_replicate.py

replicate: $(STAMP) data  ## the full Tables I and II of the RWWCE paper
	$(PY) -m wloss.replicate table1 --out results
	$(PY) -m wloss.replicate table2 --out results

test-browser: $(STAMP) $(LAB_SETTINGS) book  ## a lecture run in JupyterLab, and the website, in headless Chromium (needs: apt-get install chromium)
	$(PY) -m pytest -p no:cacheprovider tests/browser -v

book: $(STAMP)  ## the course as a website in build/book/html, from the committed outputs; fails on warnings, broken links, missing images
	$(PY) tools/build_book.py

clean:
	rm -rf $(VENV) .pytest_cache build lib/*.egg-info
