#!/usr/bin/env bash
# py-consul's suite: a venv in this folder with the pinned client and pytest, from PyPI. Safe to run twice.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
# Warm-up: import the client once so the first test run does not compile it.
.venv/bin/python -c 'import consul, pytest'
