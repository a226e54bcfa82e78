#!/usr/bin/env bash
# Lamina on Apache Spark: the ring all-reduce alone (ms per call and GB/s by array size and rank count), then
# data-parallel training of the MLP and CNN with 1 and 2 workers: samples/s and each step split into compute and
# all-reduce. Prints markdown tables; lamina-spark/COST-MODEL.md explains how the numbers scale to larger clusters.
#   bench/spark.sh                                   local[2], the bundled Fashion-MNIST subset
#   bench/spark.sh --master 'local-cluster[2,1,2048]' separate executor JVMs (slower start, realistic loopback)
#   bench/spark.sh --models '' --sizes 1000000,16000000 --ranks 2,4,8   the all-reduce only
# Needs a quiet machine for meaningful numbers; options are SparkBenchmark's (see its class comment).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/tools/find-jdk.sh"
JAVA_HOME="$(find_jdk)"
export JAVA_HOME SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}" SPARK_SCALA_VERSION=2.13 SPARK_HOME="$ROOT/lamina-spark/target/spark-home"
cd "$ROOT"
./mvnw -B -q -ntp -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -pl lamina-cli -am package >&2
# shellcheck disable=SC2046
exec "$JAVA_HOME/bin/java" $(cat tools/spark-jvm-options) -Xmx6g \
  -cp "lamina-cli/target/lamina-cli.jar:$SPARK_HOME/jars/*" dev.lamina.spark.SparkBenchmark "$@"
