#!/usr/bin/env bash
# HAProxy's suite: Debian's haproxy package, from apt when it is missing. Safe to run twice.
set -euo pipefail
if ! command -v haproxy >/dev/null; then
  apt-get update
  # The package's own service is not wanted here: the test starts haproxy itself.
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends haproxy
fi
# Warm-up: the binary runs.
haproxy -v >/dev/null
