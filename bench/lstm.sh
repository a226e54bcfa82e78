#!/usr/bin/env bash
# The char-LSTM workload of issue 5 in Lamina (LstmBench) and PyTorch (lstm_step.py), 2 threads then 1 thread each.
# Usage: bench/lstm.sh [SECONDS_PER_MEASUREMENT]. The machine should be idle; the cpu column suffers less when not.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/find-jdk.sh
export JAVA_HOME="$(find_jdk)"
[[ "${SKIP_BUILD:-0}" == 1 ]] || ./mvnw -q -B -ntp -pl bench -am -DskipTests package
S="${1:-3}"
for t in 2 1; do
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.lamina.bench.LstmBench "$S" "$t" 2>/dev/null
  OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/lstm_step.py "$S" "$t"
done
