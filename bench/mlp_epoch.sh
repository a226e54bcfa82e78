#!/usr/bin/env bash
# One MLP training epoch (784-256-128-10, Adam 1e-3, batch 64) in Lamina and in PyTorch, same machine, same run.
# Usage: bench/mlp_epoch.sh [DATA_DIR] [EPOCHS]   (default: the full Fashion-MNIST from Debian's
# dataset-fashion-mnist package, else the bundled subset; 3 epochs).
# PyTorch is Debian's python3-torch; install libopenblas0-pthread too, or its GEMMs run on the reference BLAS
# (about 10x slower, an unfair comparison): the script refuses to compare in that case.
# Prints every epoch, then the best epoch times and the ratio Lamina / PyTorch (below 1: Lamina is faster),
# for 2 threads against PyTorch's best 2-thread setting and for 1 thread against 1 thread.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-/usr/share/datasets/fashion-mnist}"
[ -d "$DATA" ] || DATA=data/fashion-mnist-subset
EPOCHS="${2:-3}"
. tools/find-jdk.sh
export JAVA_HOME="$(find_jdk)"
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then echo "needs Debian's python3-torch: apt-get install -y python3-torch" >&2; exit 1; fi
if ! ls /usr/lib/x86_64-linux-gnu/openblas*/libblas.so.3 >/dev/null 2>&1; then
  echo "PyTorch would run on the reference BLAS: apt-get install -y libopenblas0-pthread first" >&2; exit 1
fi
./mvnw -q -B -ntp -DskipTests -pl bench -am package
OUT=$(mktemp -d)
echo "data: $DATA, $EPOCHS epochs, $(nproc) cores, $(date -u +%FT%TZ)"
lamina() { "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.lamina.bench.ModelBench mlp "$DATA" "$EPOCHS" "$1" 2>/dev/null; }
# OPENBLAS_CORETYPE/L2_SIZE, set on some machines here for old OpenBLAS builds, slow a current one: unset for torch.
torch() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$@" /usr/bin/python3 bench/mlp_epoch.py "$DATA" "$EPOCHS"; }
lamina 2 | tee "$OUT/lamina2"
lamina 1 | tee "$OUT/lamina1"
torch OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1 | sed 's/^/[omp2 blas1] /' | tee "$OUT/torch_a"
torch OMP_WAIT_POLICY=PASSIVE | sed 's/^/[passive] /' | tee "$OUT/torch_b"
torch OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 | sed 's/^/[1 thread] /' | tee "$OUT/torch1"
best() { cat "$@" | sed -n 's/.*epoch [0-9]*: \([0-9.]*\) s.*/\1/p' | sort -g | head -n 1; }
ratio() { awk -v l="$1" -v t="$2" 'BEGIN{printf "%.2f", l/t}'; }
L2=$(best "$OUT/lamina2"); T2=$(best "$OUT/torch_a" "$OUT/torch_b"); L1=$(best "$OUT/lamina1"); T1=$(best "$OUT/torch1")
echo "best epoch, 2 threads: lamina ${L2} s, torch ${T2} s (best setting), ratio lamina/torch = $(ratio "$L2" "$T2")"
echo "best epoch, 1 thread:  lamina ${L1} s, torch ${T1} s, ratio lamina/torch = $(ratio "$L1" "$T1")"
