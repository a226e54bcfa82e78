#!/usr/bin/env bash
# One MLP training epoch (784-256-128-10, Adam 1e-3, batch 64) in Lamina and in PyTorch, same machine, same run.
# Usage: bench/mlp_epoch.sh [DATA_DIR] [EPOCHS]   (default: the full Fashion-MNIST from Debian's
# dataset-fashion-mnist package, else the bundled subset; 3 epochs). Prints each epoch and the ratio of the
# best epoch times (Lamina / PyTorch; below 1 means Lamina is faster).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-/usr/share/datasets/fashion-mnist}"
[ -d "$DATA" ] || DATA=data/fashion-mnist-subset
EPOCHS="${2:-3}"
source <(sed -n '/^java_major()/,/^}/p;/^find_jdk()/,/^}/p' lamina)
export JAVA_HOME="$(find_jdk)"
./mvnw -q -B -ntp -DskipTests -pl bench -am package
OUT=$(mktemp -d)
echo "data: $DATA, $EPOCHS epochs, $(nproc) cores"
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.lamina.bench.MlpEpoch "$DATA" "$EPOCHS" 2>/dev/null | tee "$OUT/lamina"
# PyTorch's best setting here (see DESIGN.md): its own ops on 2 OpenMP threads, OpenBLAS on 1
OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/mlp_epoch.py "$DATA" "$EPOCHS" | tee "$OUT/torch"
best() { sed -n 's/.*epoch [0-9]*: \([0-9.]*\) s.*/\1/p' "$1" | sort -g | head -n 1; }
L=$(best "$OUT/lamina"); T=$(best "$OUT/torch")
echo "best epoch: lamina ${L} s, torch ${T} s, ratio lamina/torch = $(awk -v l="$L" -v t="$T" 'BEGIN{printf "%.2f", l/t}')"
