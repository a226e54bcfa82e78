#!/usr/bin/env bash
# One training step of the char-LSTM (embedding 64, LSTM 256) and of the 2-layer transformer LM (d_model 128, 4 heads,
# feed-forward 512), batch 32, sequence 64, Adam 1e-3, in Lamina and in PyTorch, same machine, same run.
# Usage: bench/seq.sh [STEPS] [ROUNDS]   (default 30 timed steps after 10 warm-up steps, median per run; 3 rounds,
# Lamina and PyTorch alternating, the best median of each side is compared).
# PyTorch is Debian's python3-torch with libopenblas0-pthread (the script refuses the reference BLAS).
# Prints every run, then the ratio Lamina / PyTorch's best 2-thread setting (below 1: Lamina is faster).
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS="${1:-30}"
ROUNDS="${2:-3}"
. tools/find-jdk.sh
export JAVA_HOME="$(find_jdk)"
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then echo "needs Debian's python3-torch: apt-get install -y python3-torch" >&2; exit 1; fi
if ! ls /usr/lib/x86_64-linux-gnu/openblas*/libblas.so.3 >/dev/null 2>&1; then
  echo "PyTorch would run on the reference BLAS: apt-get install -y libopenblas0-pthread first" >&2; exit 1
fi
./mvnw -q -B -ntp -DskipTests -pl bench -am package
OUT=$(mktemp -d)
echo "$(nproc) cores, $STEPS steps, $ROUNDS rounds, $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
lamina() { "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.lamina.bench.SeqBench "$@" 2>/dev/null; }
torch() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "${@:2}" /usr/bin/python3 bench/seq_step.py "$1" "$STEPS"; }
pick() { sed -n 's/.*step: median \([0-9.]*\) ms.*/\1/p' "$@" | sort -g | head -n 1; }
for r in $(seq "$ROUNDS"); do
  for m in lstm transformer; do
    lamina "$m" "$STEPS" | tee -a "$OUT/l-$m"
    torch "$m" OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1 | sed 's/^/[omp2 blas1] /' | tee -a "$OUT/t-$m"
    torch "$m" OMP_WAIT_POLICY=PASSIVE | sed 's/^/[passive] /' | tee -a "$OUT/t-$m"
  done
done
for m in lstm transformer; do
  L=$(pick "$OUT/l-$m"); T=$(pick "$OUT/t-$m")
  echo "$m step (best of $ROUNDS): lamina $L ms, torch $T ms (best setting), ratio lamina/torch = $(awk -v l="$L" -v t="$T" 'BEGIN{printf "%.2f", l/t}')"
done
