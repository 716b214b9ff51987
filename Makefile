# restride developer entry points. Needs only python3, pip and make.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
# Two installs from two hash-pinned locks: `run` needs only what the app needs
# (requirements-runtime.lock); `test` and the other developer targets need the whole
# toolchain too (requirements.lock). The runtime lock is solved within the full one, so the
# same package has the same version in both and switching between them reinstalls nothing.
STAMP  := $(VENV)/.installed
RUNTIME_STAMP := $(VENV)/.installed-runtime
LINT_PATHS := src tests benchmarks
# Extra flags for `make lock`, e.g. `make lock LOCK_FLAGS=--upgrade`.
LOCK_FLAGS ?=
# Where `make run` listens, e.g. `make run PORT=8080`.
PORT ?= 8000
LOCK_COMMON := --generate-hashes --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	--no-emit-index-url --custom-compile-command "make lock" --quiet

.PHONY: venv runtime run test lock fmt clean

venv: $(STAMP)
runtime: $(RUNTIME_STAMP)

# The bare interpreter; `lock` needs only this, so a broken lock can still be regenerated.
$(PY):
	$(PYTHON) -m venv $(VENV)

# The app alone, for `make run`; a venv with the whole toolchain already has it.
$(RUNTIME_STAMP): requirements-runtime.lock pyproject.toml | $(PY)
	@if [ -f $(STAMP) ] && [ $(STAMP) -nt requirements.lock ] && [ $(STAMP) -nt pyproject.toml ]; then \
		echo "restride: the full install is there and current; it has all the app needs"; \
	else \
		$(PIP) install --require-hashes -r requirements-runtime.lock && \
		$(PIP) install --no-deps --no-build-isolation -e .; \
	fi
	touch $@

$(STAMP): requirements.lock pyproject.toml | $(PY)
	$(PIP) install --require-hashes -r requirements.lock
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $@

# The web app on SQLite (created in the user data folder on first run) with the seed's runner C
# (three months in, and on day one) and a demo therapist one click away on the sign-in page:
# open the address it prints.
run: $(RUNTIME_STAMP)
	$(VENV)/bin/restride serve --demo --port $(PORT)

test: venv
	$(PY) -m ruff check $(LINT_PATHS)
	$(PY) -m ruff format --check $(LINT_PATHS)
	$(PY) -m mypy
	$(PY) -m pytest

# uv is installed ad hoc into the venv for this target only; it is not part of either lock.
# The runtime lock is solved with the full lock as constraints, so the two never disagree.
lock: | $(PY)
	test -x $(VENV)/bin/uv || $(PIP) install uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --extra build $(LOCK_COMMON) \
		$(LOCK_FLAGS) -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra build $(LOCK_COMMON) \
		--constraint requirements.lock -o requirements-runtime.lock
	@if grep -nE 'https?://|index-url|find-links' requirements.lock requirements-runtime.lock; then \
		echo "a lock contains a URL; refusing" >&2; exit 1; fi

fmt: venv
	$(PY) -m ruff format $(LINT_PATHS)
	$(PY) -m ruff check --fix $(LINT_PATHS)

clean:
	rm -rf $(VENV) build dist src/*.egg-info *.egg-info \
		.pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
