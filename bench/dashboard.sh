#!/usr/bin/env bash
# What recording and showing a run costs: epoch times of `lamina train` without and with --dashboard (default
# sampling), alternating, same data, same seed. Usage: bench/dashboard.sh [MODEL] [LIMIT] [EPOCHS] [ROUNDS]
# (defaults: cnn, 3000 training examples, 2 epochs, 2 rounds of each). Prints every epoch line, each run's own
# measure of its statistics' share of step time, and the median epoch time of each setting (first epochs, which
# include JIT warm-up, left out). Numbers from a machine other programs are using are noisy: say so when quoting.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="${1:-cnn}"; LIMIT="${2:-3000}"; EPOCHS="${3:-2}"; ROUNDS="${4:-2}"
OUT="$(mktemp -d)"; trap 'rm -rf "$OUT"' EXIT
./lamina --version >/dev/null
for r in $(seq "$ROUNDS"); do
  for mode in plain dashboard; do
    flags=""
    [ "$mode" = dashboard ] && flags="--dashboard=0 --run-dir $OUT/run-$r"
    ./lamina train --model "$MODEL" --limit "$LIMIT" --epochs "$EPOCHS" --no-progress $flags 2>/dev/null \
      | grep -E '^epoch |statistics took' | tee -a "$OUT/$mode.txt" | sed "s/^/$mode: /"
  done
done
for mode in plain dashboard; do
  grep -E '^epoch ' "$OUT/$mode.txt" | grep -v '^epoch 1/' | sed -E 's/.*  ([0-9.]+) s  .*/\1/' | sort -n \
    | awk -v m="$mode" '{a[NR]=$1} END {if (NR) printf "%s: median epoch %.2f s over %d epochs\n", m, (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2), NR}'
done
