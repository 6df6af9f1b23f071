#!/usr/bin/env bash
# Fetches the Spring Boot / Spring Cloud dependencies from Maven Central (into ~/.m2), builds the jar,
# extracts it (target/app/) and records a class-data-sharing archive from one start that stops after
# the context refresh, with Consul switched off: spring-cloud.test.ts then only runs `java`, and
# each JVM starts in about half the time. Idempotent: a second run rebuilds from the cache.
set -euo pipefail
cd "$(dirname "$0")"
mvn -q -B dependency:go-offline
mvn -q -B package -DskipTests
rm -rf target/app
java -Djarmode=tools -jar target/beacon-spring-cloud.jar extract --destination target/app >/dev/null
# The same JVM flags as spring-app.ts: an archive recorded with other flags is ignored.
java -Xmx256m -XX:TieredStopAtLevel=1 -XX:ArchiveClassesAtExit=target/app/app.jsa -Xlog:cds=off -Xlog:cds+dynamic=off \
  -Dspring.context.exit=onRefresh -jar target/app/beacon-spring-cloud.jar \
  --spring.profiles.active=cds --spring.cloud.consul.enabled=false --spring.application.name=cds-training --server.port=0 >target/cds-training.log 2>&1 \
  || { cat target/cds-training.log; exit 1; }
test -s target/app/app.jsa
