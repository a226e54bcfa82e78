#!/usr/bin/env bash
# JMH: the cnn model's two convolutions, forward and forward+backward, 1 and 2 threads (about 2 minutes).
# Extra arguments go to JMH, e.g. bench/conv.sh -p layer=conv2 -p threads=2. The machine should be idle.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/find-jdk.sh
export JAVA_HOME="$(find_jdk)"
[[ "${SKIP_BUILD:-0}" == 1 ]] || ./mvnw -q -B -ntp -pl bench -am -DskipTests package
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar ConvBenchmark -wi 3 -w 1s -i 5 -r 1s -f 1 "$@"
