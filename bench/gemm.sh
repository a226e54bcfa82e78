#!/usr/bin/env bash
# Builds the benchmarks and runs GemmBenchmark (JMH) with a short configuration, then prints GFLOP/s
# per shape and thread count. Extra arguments go to JMH and override the defaults below, e.g.
#   bench/gemm.sh -p shape=sq1024 -p threads=2 -i 10
# Whole run: about 3 minutes on 2 cores. SKIP_BUILD=1 reuses bench/target/benchmarks.jar.
# The machine should be otherwise idle: two-thread numbers collapse when another process takes a core.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/find-jdk.sh
export JAVA_HOME="$(find_jdk)"
JAVA="$JAVA_HOME/bin/java"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -q -pl bench -am -DskipTests package
fi
exec "$JAVA" --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.lamina.bench.GemmReport \
  -wi 4 -w 1s -i 5 -r 1s -f 1 "$@"
