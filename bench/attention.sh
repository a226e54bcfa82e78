#!/usr/bin/env bash
# Forward + backward of transformer encoder layers (d_model 128, 4 heads, ff 512, seq 64, batch 32, causal) in
# Lamina and in PyTorch, same machine, same run: 2 threads against PyTorch's OMP_WAIT_POLICY=PASSIVE 2-thread
# setting, then 1 thread against 1 thread. Usage: bench/attention.sh [LAYERS] [SECONDS]. The machine should be idle.
set -euo pipefail
cd "$(dirname "$0")/.."
LAYERS="${1:-1}"
SECONDS_EACH="${2:-5}"
. tools/find-jdk.sh
export JAVA_HOME="$(find_jdk)"
[[ "${SKIP_BUILD:-0}" == 1 ]] || ./mvnw -q -B -ntp -DskipTests -pl bench -am package
lamina() { "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.lamina.bench.EncoderLayerBench "$LAYERS" "$1" "$SECONDS_EACH" 2>/dev/null; }
torch() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$@" /usr/bin/python3 bench/encoder_layer.py "$LAYERS" "$SECONDS_EACH"; }
lamina 2
torch OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE
lamina 1
torch OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
