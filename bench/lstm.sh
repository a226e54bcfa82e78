#!/usr/bin/env bash
# The char-LSTM workload of issue 5 in Lamina (LstmBench) and PyTorch (lstm_step.py), 2 threads then 1 thread each.
# Usage: bench/lstm.sh [SECONDS_PER_MEASUREMENT]. The machine should be idle; the cpu column suffers less when not.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/find-jdk.sh
export JAVA_HOME="$(find_jdk)"
[[ "${SKIP_BUILD:-0}" == 1 ]] || ./mvnw -q -B -ntp -pl bench -am -DskipTests package
S="${1:-3}"
# torch: OMP_WAIT_POLICY=PASSIVE is its best setting for LSTM steps on 2 cores (DESIGN.md); 1 thread: both pools at 1
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.lamina.bench.LstmBench "$S" 2 2>/dev/null
OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/lstm_step.py "$S" 2
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.lamina.bench.LstmBench "$S" 1 2>/dev/null
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/lstm_step.py "$S" 1
