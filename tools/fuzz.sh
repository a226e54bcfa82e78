#!/usr/bin/env bash
# Coverage-guided fuzzing of Lamina's file readers with Jazzer (libFuzzer for the JVM), one target after another.
#
#   tools/fuzz.sh [SECONDS] [TARGET...]     SECONDS per target (default 60); TARGET: npy safetensors manifest onnx
#
# Targets (test-scoped, fuzzerTestOneInput(byte[])):
#   npy          dev.lamina.fuzz.NpyFuzzTarget                   Npy.read(InputStream)           may throw IOException
#   safetensors  dev.lamina.fuzz.SafetensorsFuzzTarget           Safetensors.readAll(temp file)  may throw IOException
#   manifest     dev.lamina.fuzz.CheckpointManifestFuzzTarget    Checkpoint.load(temp checkpoint, manifest.json = input)
#                                                                                                may throw IOException
#   onnx         dev.lamina.onnx.fuzz.OnnxFuzzTarget             OnnxModel.parse(byte[]) then run  may throw OnnxException
# Anything else that escapes (any other exception, an OutOfMemoryError, a StackOverflowError, an input running
# longer than 20 s) is a finding: Jazzer stops that target and saves the input and a Java reproducer under
# target/fuzz/findings/TARGET/; the script goes on with the next target and exits 1 at the end.
#
# Jazzer 0.24.0 (com.code-intelligence:jazzer from Maven Central) shades ASM 9.7, which cannot read Java 25 class
# files; tools/fuzz/pom.xml builds ASM 9.9.1 relocated to Jazzer's shaded package, put first on the class path,
# so instrumentation works (guided: edge coverage of dev.lamina.** and onnx.**, plus comparison hooks).
# The corpus (target/fuzz/corpus/TARGET) is seeded from the test fixtures and grows across runs. Full logs:
# target/fuzz/TARGET.log. Not part of ./lamina test.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/tools/find-jdk.sh"
JDK="$(find_jdk)" || { echo "fuzz.sh: needs a JDK 25 or newer" >&2; exit 1; }
export JAVA_HOME="$JDK"
cd "$ROOT"

SECONDS_PER_TARGET="${1:-60}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(npy safetensors manifest onnx)
case "$SECONDS_PER_TARGET" in ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number, got '$SECONDS_PER_TARGET'" >&2; exit 2;; esac

OUT="$ROOT/target/fuzz"
mkdir -p "$OUT"
echo "fuzz.sh: building (test classes, Jazzer, relocated ASM)..." >&2
./mvnw -B -ntp -q -DskipTests -pl lamina-onnx -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=runtime -Dmdep.outputFile="$OUT/deps.classpath" >"$OUT/build.log" 2>&1 \
  || { cat "$OUT/build.log" >&2; exit 1; }
./mvnw -B -ntp -q -f tools/fuzz/pom.xml package >>"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 1; }

# deps.classpath was written twice (lamina-core, then lamina-onnx): the last one holds protobuf-java and lamina-core
LAMINA_CP="lamina-core/target/classes:lamina-core/target/test-classes:lamina-onnx/target/classes:lamina-onnx/target/test-classes:$(cat "$OUT/deps.classpath")"
JAZZER_CP="tools/fuzz/target/jazzer-asm-9.9.1.jar:$(cat tools/fuzz/target/jazzer.classpath)"
JVM=("$JAVA_HOME/bin/java" -Xmx2g -XX:+EnableDynamicAgentLoading --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector)

seed() { # seed TARGET DIR: copies the fixture files that suit TARGET into DIR
  local f
  case "$1" in
    npy) for f in lamina-core/src/test/resources/fixtures/st_dtypes/*.npy; do cp "$f" "$2/"; done ;;
    safetensors) cp lamina-core/src/test/resources/fixtures/st_dtypes/all.safetensors "$2/" ;;
    manifest) "${JVM[@]}" -cp "$LAMINA_CP" dev.lamina.fuzz.CheckpointManifestFuzzTarget "$2" >/dev/null 2>&1 ;;
    onnx) for f in lamina-onnx/src/test/resources/fixtures/*/model.onnx; do cp "$f" "$2/$(basename "$(dirname "$f")").onnx"; done ;;
  esac
}

status=0
for t in "${TARGETS[@]}"; do
  case "$t" in
    npy) cls=dev.lamina.fuzz.NpyFuzzTarget ;;
    safetensors) cls=dev.lamina.fuzz.SafetensorsFuzzTarget ;;
    manifest) cls=dev.lamina.fuzz.CheckpointManifestFuzzTarget ;;
    onnx) cls=dev.lamina.onnx.fuzz.OnnxFuzzTarget ;;
    *) echo "fuzz.sh: unknown target '$t' (npy safetensors manifest onnx)" >&2; exit 2 ;;
  esac
  corpus="$OUT/corpus/$t"; findings="$OUT/findings/$t"; log="$OUT/$t.log"
  mkdir -p "$corpus" "$findings"
  seed "$t" "$corpus"
  rc=0
  "${JVM[@]}" -cp "$JAZZER_CP:$LAMINA_CP" com.code_intelligence.jazzer.Jazzer \
    --target_class="$cls" --instrumentation_includes='dev.lamina.**:onnx.**' \
    --reproducer_path="$findings" -artifact_prefix="$findings/" \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
    "$corpus" >"$log" 2>&1 || rc=$?
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  secs="$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)"
  cov="$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1)"
  unsupported="$(grep -c 'Unsupported class file major version' "$log" || true)"
  if [ "$unsupported" != 0 ]; then
    echo "fuzz.sh: $t: instrumentation failed on $unsupported classes (see $log)" >&2; status=1
  fi
  if [ "$rc" = 0 ]; then
    echo "$t: ${runs:-?} executions in ${secs:-?} s, ${cov:-no coverage line}, corpus $(ls "$corpus" | wc -l) files, no findings"
  else
    status=1
    if grep -q -E '^== Java Exception|^==[0-9]+== ERROR|libFuzzer: (timeout|out-of-memory)' "$log"; then
      echo "$t: FINDING (exit $rc) after ${runs:-?} executions: $(grep -m1 -E '^== Java Exception|^==[0-9]+== ERROR' "$log")"
    else
      echo "$t: Jazzer failed to run (exit $rc), no finding recorded; see $log"
    fi
    grep -m1 -A6 -E '^== Java Exception' "$log" | sed 's/^/    /' || true
    echo "    input and reproducer: $findings/   log: $log"
  fi
done
exit "$status"
