#!/usr/bin/env bash
# Fetches the Spring Boot / Spring Cloud dependencies from Maven Central (into ~/.m2) and builds the
# app's jar, so spring-cloud.test.ts only runs `java -jar`. Idempotent: a second run rebuilds from cache.
set -euo pipefail
cd "$(dirname "$0")"
mvn -q -B dependency:go-offline
mvn -q -B package -DskipTests
