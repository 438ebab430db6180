# One command to set up and run the demo, one to set up and run the tests.
VENV ?= .venv
PY := $(VENV)/bin/python
export KERAS_BACKEND := torch

.PHONY: setup demo test bench bench-noisy bench-peers clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

setup: $(PY)
	$(PY) -m pip install -q -c constraints.txt -e '.[all]'

demo: setup
	$(VENV)/bin/surefit demo --out demo-out

test: setup
	$(PY) -m pytest

bench: setup
	$(PY) bench/run.py

bench-noisy: setup
	$(PY) bench/noisy.py --jobs 2

bench-peers: setup
	$(PY) -m pip install -q -c constraints.txt -e '.[peers]'
	$(PY) bench/peers_run.py

clean:
	rm -rf $(VENV) demo-out .pytest_cache
