#!/usr/bin/env bash
# One training step at batch 32 on 3x32x32 input of ResNet-18 (small-input stem), MobileNetV2 (stride-1 first conv)
# and the ViT (patch 4, width 192, 6 layers, 3 heads), in Lamina (ZooStepBench) and in PyTorch 1.13 (zoo_step.py,
# the same architectures from torchvision), same machine, same run, at 1 and 2 threads.
# Usage: bench/zoo_train.sh [STEPS] [ROUNDS] [CHANNELS]   (default 20 timed steps after 5 warm-up steps, median per
# run; 3 rounds alternating Lamina and PyTorch; the best median of each side is compared; CHANNELS 3 or 1).
# PyTorch runs at 1 thread (OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1) and at its best 2-thread setting of
# OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1 and OMP_WAIT_POLICY=PASSIVE (see DESIGN.md).
# Prints every run, the ratio Lamina / PyTorch (below 1: Lamina is faster; the goal is 0.8 or less) and the share of
# the machine's 2-thread FMA peak (bench FmaPeak) that each Lamina step reaches (3 x forward FLOPs / step time).
# A benchmark: run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS="${1:-20}"
ROUNDS="${2:-3}"
CHANNELS="${3:-3}"
. tools/find-jdk.sh
export JAVA_HOME="$(find_jdk)"
if ! /usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null; then echo "needs Debian's python3-torch and python3-torchvision" >&2; exit 1; fi
if ! ls /usr/lib/x86_64-linux-gnu/openblas*/libblas.so.3 >/dev/null 2>&1; then
  echo "PyTorch would run on the reference BLAS: apt-get install -y libopenblas0-pthread first" >&2; exit 1
fi
./mvnw -q -B -ntp -DskipTests -pl bench -am package
OUT=$(mktemp -d)
echo "$(nproc) cores, $STEPS steps, $ROUNDS rounds, $CHANNELS channels, $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
java_() { "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar "$@" 2>/dev/null; }
torch() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "${@:2}" /usr/bin/python3 bench/zoo_step.py "$1" "$STEPS" "$CHANNELS"; }
pick() { sed -n 's/.*step: median \([0-9.]*\) ms.*/\1/p' "$@" | sort -g | head -n 1; }
PEAK=$(java_ dev.lamina.bench.FmaPeak | tee /dev/stderr | sed -n 's/.* threads \([0-9.]*\) GFLOP\/s$/\1/p')
MODELS="resnet18 mobilenet_v2 vit"
for r in $(seq "$ROUNDS"); do
  for m in $MODELS; do
    for th in 1 2; do java_ dev.lamina.bench.ZooStepBench "$m" "$STEPS" "$th" "$CHANNELS" | tee -a "$OUT/l-$m-$th"; done
    torch "$m" OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 | sed 's/^/[1 thread] /' | tee -a "$OUT/t-$m-1"
    torch "$m" OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1 | sed 's/^/[omp2 blas1] /' | tee -a "$OUT/t-$m-2"
    torch "$m" OMP_WAIT_POLICY=PASSIVE | sed 's/^/[passive] /' | tee -a "$OUT/t-$m-2"
  done
done
for m in $MODELS; do
  GF=$(sed -n 's/.*step GFLOP \([0-9.]*\).*/\1/p' "$OUT/t-$m-1" | head -n 1)
  for th in 1 2; do
    L=$(pick "$OUT/l-$m-$th"); T=$(pick "$OUT/t-$m-$th")
    echo "$m, $th thread(s) (best of $ROUNDS): lamina $L ms, torch $T ms, ratio lamina/torch = $(awk -v l="$L" -v t="$T" 'BEGIN{printf "%.2f", l/t}'), lamina $(awk -v g="$GF" -v l="$L" 'BEGIN{printf "%.0f", g/(l/1000)}') GFLOP/s"
  done
  L2=$(pick "$OUT/l-$m-2")
  echo "$m: the 2-thread Lamina step reaches $(awk -v g="$GF" -v l="$L2" -v p="$PEAK" 'BEGIN{printf "%.1f", 100*g/(l/1000)/p}')% of the ${PEAK} GFLOP/s FMA peak ($GF GFLOP per step)"
done
