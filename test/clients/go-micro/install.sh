#!/usr/bin/env bash
# Fetches go-micro's modules from the Go module proxy and warms the build cache (safe to run twice).
set -euo pipefail
cd "$(dirname "$0")"
go mod download
go build -o /dev/null ./cmd/greeter
go test -c -o /dev/null .
