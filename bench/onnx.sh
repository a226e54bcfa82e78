#!/usr/bin/env bash
# Inference latency of real architectures in Lamina, ONNX Runtime (Java, com.microsoft.onnxruntime 1.22.0) and PyTorch
# eager, same machine, same run, same ONNX files (opset 17, random seeded weights; nothing downloaded).
# Usage: bench/onnx.sh [RUNS] [MODEL ...]    (default 30 runs; models: see MODELS in bench/onnx_models.py)
# Needs Debian's python3-torch, python3-torchvision and python3-onnx. The exported files go to bench/target/onnx-models.
# Prints per engine and thread count the median, p90 and minimum, then a table of medians with the ratios
# Lamina/ORT and Lamina/PyTorch and their geometric means. Engines run one after the other, never at once.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-30}"
shift || true
MODELS=("$@")
[ ${#MODELS[@]} -gt 0 ] || MODELS=(resnet18 resnet18_b8 resnet50 resnet50_b8 mobilenet_v2 efficientnet_b0 convnext_tiny bert_base gpt2_small fashion_cnn fashion_cnn_b256 char_lstm)
. tools/find-jdk.sh
export JAVA_HOME="$(find_jdk)"
if ! /usr/bin/python3 -c 'import torch, torchvision, onnx' 2>/dev/null; then
  echo "needs Debian's python3-torch python3-torchvision python3-onnx: apt-get install -y python3-torch python3-torchvision python3-onnx" >&2; exit 1
fi
if ! ls /usr/lib/x86_64-linux-gnu/openblas*/libblas.so.3 >/dev/null 2>&1; then
  # without it Debian's torch falls back to the reference BLAS and its times are 10-100x too slow to compare with
  echo "PyTorch would run on the reference BLAS: apt-get install -y libopenblas0-pthread first" >&2; exit 1
fi
./mvnw -q -B -ntp -Ponnx-bench -DskipTests -pl bench/onnx -am package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
CP="bench/onnx/target/lamina-bench-onnx-0.1.0-SNAPSHOT.jar:$(cat bench/onnx/target/classpath.txt)"
DIR=bench/target/onnx-models
OUT=$(mktemp -d)
echo "$(nproc) cores, $(date -u +%FT%TZ), $RUNS runs per engine"
for m in "${MODELS[@]}"; do
  # Export (kept between runs) and time PyTorch eager; OpenBLAS thread settings as in bench/epoch.sh.
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1 \
    /usr/bin/python3 bench/onnx_models.py "$DIR" "$m" --time 1,2 --runs "$RUNS" 2>/dev/null | tee -a "$OUT/all"
  for t in 1 2; do
    "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$CP" dev.lamina.bench.onnx.OnnxBench "$DIR" "$m" "$t" "$RUNS" 2>/dev/null | tee -a "$OUT/all"
  done
done
echo
awk '
  /^(lamina|ort|torch) / { split($0, a, " "); eng=a[1]; model=a[2]; t=a[4]; sub(":", "", t); med[eng, model, t]=a[6]; models[model]=1 }
  END {
    printf "%-18s %3s %10s %10s %10s %9s %9s\n", "model", "thr", "lamina ms", "ort ms", "torch ms", "lam/ort", "lam/torch"
    for (t = 1; t <= 2; t++) {
      n = 0; lo = 0; lt = 0; nt = 0; worst = 0
      for (m in models) {
        l = med["lamina", m, t]; o = med["ort", m, t]; p = med["torch", m, t]
        if (l == "" || o == "") continue
        r = l / o; n++; lo += log(r); if (r > worst) worst = r
        rt = (p == "" ? "" : sprintf("%.2f", l / p)); if (p != "") { nt++; lt += log(l / p) }
        printf "%-18s %3d %10.3f %10.3f %10s %9.2f %9s\n", m, t, l, o, p, r, rt
      }
      if (n) printf "%-18s %3d %32s %9.2f %9s   (worst lamina/ort %.2f)\n", "geometric mean", t, "", exp(lo / n), (nt ? sprintf("%.2f", exp(lt / nt)) : ""), worst
    }
  }' "$OUT/all"
