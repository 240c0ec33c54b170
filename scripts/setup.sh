#!/usr/bin/env bash
# Creates the two virtual environments, reusing each while its requirement files are unchanged:
#   .venv       Python 3.11+  catalogue service, action server, tests
#   .venv-rasa  Python 3.10   Rasa Open Source 3.6
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

stamp_of() { cat "$@" pyproject.toml | sha256sum | cut -c1-16; }

is_python310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }

find_python310() {
  local candidate
  # A pyenv shim answers `command -v` but fails when its version is not selected: run it to be sure.
  if command -v python3.10 >/dev/null 2>&1 && is_python310 python3.10; then command -v python3.10; return 0; fi
  if command -v pyenv >/dev/null 2>&1 || [ -d "${PYENV_ROOT:-$HOME/.pyenv}" ]; then
    local root
    root="$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")"
    for candidate in $(ls -d "$root"/versions/3.10.* 2>/dev/null | sort -V -r); do
      if is_python310 "$candidate/bin/python3.10"; then echo "$candidate/bin/python3.10"; return 0; fi
    done
  fi
  if command -v uv >/dev/null 2>&1; then
    candidate="$(uv python find 3.10 2>/dev/null || true)"
    if [ -n "$candidate" ] && is_python310 "$candidate"; then echo "$candidate"; return 0; fi
  fi
  return 1
}

find_python311() {
  local candidate
  for candidate in python3 python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

setup_app() {
  local want; want="$(stamp_of requirements/app.txt requirements/app.lock)"
  if [ -f .venv/.stamp ] && [ "$(cat .venv/.stamp)" = "$want" ] && .venv/bin/python -c 'import service_catalog' 2>/dev/null; then
    return 0
  fi
  local py; py="$(find_python311)" || fail "Python 3.11 or newer is needed for .venv; install it (e.g. apt-get install python3) and re-run."
  say "creating .venv with $($py --version) (catalogue service, actions, tests)"
  [ -x .venv/bin/python ] || "$py" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  # torch first, pinned, so nothing resolves a CUDA build.
  .venv/bin/python -m pip install --progress-bar off "torch==2.13.0"
  .venv/bin/python -m pip install --progress-bar off -r requirements/app.txt -c requirements/app.lock
  .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
  echo "$want" > .venv/.stamp
}

setup_rasa() {
  local want; want="$(stamp_of requirements/rasa.txt requirements/rasa.lock)"
  if [ -f .venv-rasa/.stamp ] && [ "$(cat .venv-rasa/.stamp)" = "$want" ]; then
    return 0
  fi
  local py
  py="$(find_python310)" || fail "Rasa 3.6 needs Python 3.10, and none was found on PATH, under pyenv or through uv.
  Install one, then re-run:
    pyenv install 3.10.13          # with pyenv (https://github.com/pyenv/pyenv)
    uv python install 3.10         # or with uv
    apt-get install python3.10     # or from your distribution, where it has one"
  say "creating .venv-rasa with $($py --version) (Rasa 3.6.21; about 90 s)"
  [ -x .venv-rasa/bin/python ] || "$py" -m venv .venv-rasa
  .venv-rasa/bin/python -m pip install --quiet --upgrade "pip<24.1"
  .venv-rasa/bin/python -m pip install --progress-bar off -r requirements/rasa.txt -c requirements/rasa.lock
  echo "$want" > .venv-rasa/.stamp
}

case "${1:-all}" in
  app) setup_app ;;
  rasa) setup_rasa ;;
  all) setup_app; setup_rasa ;;
  *) fail "usage: scripts/setup.sh [app|rasa|all]" ;;
esac
