# restride developer entry points. Needs only python3, pip and make.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed
LINT_PATHS := src tests benchmarks
# Extra flags for `make lock`, e.g. `make lock LOCK_FLAGS=--upgrade`.
LOCK_FLAGS ?=

.PHONY: venv run test lock fmt clean

venv: $(STAMP)

# The bare interpreter; `lock` needs only this, so a broken lock can still be regenerated.
$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock pyproject.toml | $(PY)
	$(PIP) install --require-hashes -r requirements.lock
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $@

# The web app on SQLite (created in the user data folder on first run) with the seed's runner C
# and a demo therapist one click away on the sign-in page: open the address it prints.
run: venv
	$(VENV)/bin/restride serve --demo

test: venv
	$(PY) -m ruff check $(LINT_PATHS)
	$(PY) -m ruff format --check $(LINT_PATHS)
	$(PY) -m mypy
	$(PY) -m pytest

# uv is installed ad hoc into the venv for this target only; it is not part of the lock.
lock: | $(PY)
	test -x $(VENV)/bin/uv || $(PIP) install uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes \
		--python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
		--no-emit-index-url --custom-compile-command "make lock" --quiet \
		$(LOCK_FLAGS) -o requirements.lock
	@if grep -nE 'https?://|index-url|find-links' requirements.lock; then \
		echo "requirements.lock contains a URL; refusing" >&2; exit 1; fi

fmt: venv
	$(PY) -m ruff format $(LINT_PATHS)
	$(PY) -m ruff check --fix $(LINT_PATHS)

clean:
	rm -rf $(VENV) build dist src/*.egg-info *.egg-info \
		.pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
