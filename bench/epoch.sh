#!/usr/bin/env bash
# Training epochs of a named model (mlp or cnn: Adam 1e-3, batch 64) in Lamina and in PyTorch, same machine,
# same run; for cnn also eval-mode inference (batch-1 latency, batch-256 throughput).
# Usage: bench/epoch.sh MODEL [DATA_DIR] [EPOCHS]   (default data: the full Fashion-MNIST of Debian's
# dataset-fashion-mnist package, else the bundled subset; default epochs: 3).
# PyTorch is Debian's python3-torch; install libopenblas0-pthread too, or its GEMMs run on the reference BLAS
# (about 10x slower, an unfair comparison): the script refuses to compare in that case.
# Prints every run, then the best epoch times and the ratio Lamina / PyTorch (below 1: Lamina is faster), for
# 2 threads against PyTorch's best 2-thread setting and for 1 thread against 1 thread.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="${1:?usage: bench/epoch.sh mlp|cnn [DATA_DIR] [EPOCHS]}"
DATA="${2:-/usr/share/datasets/fashion-mnist}"
[ -d "$DATA" ] || DATA=data/fashion-mnist-subset
EPOCHS="${3:-3}"
EXTRA=""
[ "$MODEL" = cnn ] && EXTRA=--inference
. tools/find-jdk.sh
export JAVA_HOME="$(find_jdk)"
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then echo "needs Debian's python3-torch: apt-get install -y python3-torch" >&2; exit 1; fi
if ! ls /usr/lib/x86_64-linux-gnu/openblas*/libblas.so.3 >/dev/null 2>&1; then
  echo "PyTorch would run on the reference BLAS: apt-get install -y libopenblas0-pthread first" >&2; exit 1
fi
./mvnw -q -B -ntp -DskipTests -pl bench -am package
OUT=$(mktemp -d)
echo "model $MODEL, data $DATA, $EPOCHS epochs, $(nproc) cores, $(date -u +%FT%TZ)"
lamina() { "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.lamina.bench.ModelBench "$MODEL" "$DATA" "$EPOCHS" "$@" 2>/dev/null; }
# OPENBLAS_CORETYPE/L2_SIZE, set on some machines here for old OpenBLAS builds, slow a current one: unset for torch.
torch() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$@" /usr/bin/python3 bench/train_epoch.py "$MODEL" "$DATA" "$EPOCHS" $EXTRA; }
lamina 2 $EXTRA | tee "$OUT/lamina2"
lamina 1 | tee "$OUT/lamina1"
torch OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1 | sed 's/^/[omp2 blas1] /' | tee "$OUT/torch_a"
torch OMP_WAIT_POLICY=PASSIVE | sed 's/^/[passive] /' | tee "$OUT/torch_b"
EXTRA="" torch OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 | sed 's/^/[1 thread] /' | tee "$OUT/torch1"
pick() { sed -n "s/.*$1 \\([0-9.]*\\) $2.*/\\1/p" "${@:4}" | sort -g | "$3" -n 1; }
ratio() { awk -v l="$1" -v t="$2" 'BEGIN{printf "%.2f", l/t}'; }
L2=$(pick "epoch [0-9]*:" s head "$OUT/lamina2"); T2=$(pick "epoch [0-9]*:" s head "$OUT/torch_a" "$OUT/torch_b")
L1=$(pick "epoch [0-9]*:" s head "$OUT/lamina1"); T1=$(pick "epoch [0-9]*:" s head "$OUT/torch1")
echo "best epoch, 2 threads: lamina ${L2} s, torch ${T2} s (best setting), ratio lamina/torch = $(ratio "$L2" "$T2")"
echo "best epoch, 1 thread:  lamina ${L1} s, torch ${T1} s, ratio lamina/torch = $(ratio "$L1" "$T1")"
if [ -n "$EXTRA" ]; then
  LL=$(pick "latency: median" us head "$OUT/lamina2"); TL=$(pick "latency: median" us head "$OUT/torch_a" "$OUT/torch_b")
  LT=$(pick "throughput: median" images tail "$OUT/lamina2"); TT=$(pick "throughput: median" images tail "$OUT/torch_a" "$OUT/torch_b")
  echo "batch-1 latency: lamina ${LL} us, torch ${TL} us (best setting), ratio lamina/torch = $(ratio "$LL" "$TL")"
  echo "batch-256 throughput: lamina ${LT} images/s, torch ${TT} images/s (best setting), ratio lamina/torch = $(ratio "$LT" "$TT")"
fi
