# DTE Desktop — the two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test demo lint contract format servers test-tools clean help package wheelhouse \
        verify-wheelhouse selftest-frozen package-bullseye

help:
	@echo "make run    - create .venv, install, open the app on the demo database"
	@echo "make test   - create .venv, install .[test], start/verify databases, lint, import contract, pytest"
	@echo "make demo   - headless: demo catalog, a profile + HTML report, a masked export (out/demo)"
	@echo "make package - PyInstaller bundle + installer for this OS, offline self-test, SBOM, SHA256SUMS (dist/)"
	@echo "make package-bullseye - the Linux release: built and self-tested in Debian 11 chroots (glibc >= 2.31)"
	@echo "make wheelhouse PLATFORM=manylinux_2_34_x86_64|win_amd64|macosx_13_0_arm64 - offline wheels"
	@echo "make verify-wheelhouse [PLATFORM=…] - install from wheelhouse/PLATFORM in a fresh venv, no network"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

run: $(STAMP)
	@bash scripts/ensure_qt_libs.sh $(PY)
	@if [ "$$(uname -s)" = Linux ] && [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}$${QT_QPA_PLATFORM:-}" ]; then \
	  echo "make run: no display (DISPLAY/WAYLAND_DISPLAY unset): run it in a desktop session," \
	       "or over ssh -X; QT_QPA_PLATFORM=offscreen make run starts it without a screen" >&2; exit 1; fi
	$(VENV)/bin/dte-desktop

DEMO_OUT ?= out/demo

# The main job, headless: the demo catalog, a profile with its HTML report, a masked export.
demo: $(STAMP)
	$(VENV)/bin/dte demo
	$(VENV)/bin/dte profile "Demo (SQLite)" customers --mode auto --report $(DEMO_OUT)/customers-profile.html
	$(VENV)/bin/dte export "Demo (SQLite)" customers orders products --mask --partitions auto --out $(DEMO_OUT)
	cd $(DEMO_OUT) && sha256sum -c --quiet SHA256SUMS && echo "demo export verified: $(DEMO_OUT)"

servers:
	@bash scripts/ensure_servers.sh

test-tools:
	@bash scripts/ensure_test_tools.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check dte_desktop tests
	$(VENV)/bin/ruff format --check dte_desktop tests

contract: $(STAMP)
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff format dte_desktop tests
	$(VENV)/bin/ruff check --fix dte_desktop tests

test: $(STAMP) servers test-tools lint contract
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

# --- offline installer (README.md, "Offline installation") -----------------------------
# PLATFORM: a wheel platform tag. Linux needs glibc >= 2.34 for PySide6 6.11 wheels.
PLATFORM ?= manylinux_2_34_x86_64
# Offline rebuild: PIP_INSTALL_ARGS="--no-index --find-links wheelhouse/$(PLATFORM) --find-links wheelhouse/$(PLATFORM)/build-tools"
PIP_INSTALL_ARGS ?=
PACKAGE_STAMP := $(VENV)/.package-installed

PACKAGE_LOCK ?= installers/lock/linux-x86_64.lock

# Built from the hashed lock (issue 22 item 4): runtime dependencies and build tools at exact
# versions, each file checked against its SHA-256; nothing resolved at build time.
$(PACKAGE_STAMP): pyproject.toml $(PACKAGE_LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "the installer is built with Python 3.11")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet $(PIP_INSTALL_ARGS) --require-hashes --no-deps -r $(PACKAGE_LOCK)
	$(PY) -m pip install --quiet --no-index --no-deps --no-build-isolation -e .
	@touch $@

package: $(PACKAGE_STAMP)
	PY=$(PY) bash installers/package.sh

# The Linux release (issue 22 item 1): CPython 3.11 and the bundle built inside a Debian 11
# (glibc 2.31) debootstrap chroot, self-tested in a second, clean one; as root.
package-bullseye:
	bash installers/build_in_bullseye.sh all

selftest-frozen:
	bash installers/selftest_frozen.sh dist/dte-desktop

wheelhouse: $(PACKAGE_STAMP)
	$(PY) installers/wheelhouse.py --platform $(PLATFORM)

verify-wheelhouse:
	PYTHON=$(PYTHON) bash installers/verify_wheelhouse.sh wheelhouse/$(PLATFORM)

clean:
	rm -rf $(VENV) build dist wheelhouse .pytest_cache .ruff_cache
