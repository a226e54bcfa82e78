package dev.lamina.cli;

import picocli.CommandLine.Option;

/** The options of {@code lamina train --spark}: where to run and how to split the work. */
final class SparkOptions {
    @Option(names = "--spark", paramLabel = "MASTER", description = "Train on Apache Spark (synchronous data parallelism: one barrier stage, gradients all-reduced over TCP every step): a master URL such as local[2], local-cluster[2,1,2048] or spark://host:7077; under spark-submit its --master wins. --batch-size is then the global batch, split evenly over --workers. Needs Spark on the class path (the lamina launcher adds it).")
    String master;

    @Option(names = "--workers", paramLabel = "N", description = "With --spark: model replicas (Spark tasks) training together; default 2.")
    Integer workers;

    @Option(names = "--average-every", paramLabel = "K", description = "With --spark: local SGD, each worker steps on its own gradients and the workers' weights are averaged every K steps (K times fewer all-reduces, usually lower accuracy); default: gradients summed every step.")
    Integer averageEvery;

    @Option(names = "--bf16-gradients", description = "With --spark: send gradients as bfloat16 (half the bytes, 8-bit mantissa).")
    boolean bf16;

    @Option(names = "--uneven", paramLabel = "pad|drop", description = "With --spark: when the workers' shares differ in batch count, repeat samples (pad) or skip the rest (drop); default drop.")
    String uneven;

    /**
     * Runs {@code t} on Spark, or says how to get Spark onto the class path when it is missing. (This class names no
     * Spark type, so {@code lamina train} without {@code --spark} never needs Spark.)
     */
    int start(TrainCommand t) throws java.io.IOException {
        try {
            Class.forName("org.apache.spark.sql.SparkSession");
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("--spark needs Apache Spark 4.2 on the class path: run through the ./lamina launcher (it adds lamina-spark/target/spark-home/jars),"
                    + " or submit lamina-cli.jar with spark-submit --class dev.lamina.cli.Main");
        }
        return new SparkTraining(t, this).run();
    }
}
