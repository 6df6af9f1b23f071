#!/usr/bin/env bash
# Fetches the pinned Go api (go.mod/go.sum) from the Go module proxy and compiles the tests once, so
# go-api.test.ts only links and runs them. Safe to run twice.
set -euo pipefail
cd "$(dirname "$0")"
go mod download
go test -c -o /dev/null .
