package dev.lamina.spark;

import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.train.Checkpoint;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.nn.Module;
import dev.lamina.train.Trainer;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real multi-process cluster: Spark's {@code local-cluster[2,1,1024]} (a master and two workers in this JVM, each
 * worker launching its executor as a separate JVM from {@code target/spark-home/jars}). One executor is killed in the
 * middle of an epoch: Spark retries the barrier stage, every task resumes from the latest checkpoint, and the run ends
 * as the uninterrupted one does.
 */
@Tag("cluster")
class LocalClusterFaultTest {
    static final int ROWS = 3000, EPOCHS = 3, EVERY = 10;

    /** A local-cluster session whose executors get {@code executorJavaOptions} and this JVM's class path (Lamina's classes). */
    static SparkSession cluster(String executorJavaOptions) {
        SparkSession.getActiveSession().foreach(s -> {
            s.stop();
            return null;
        });
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return SparkSession.builder().master("local-cluster[2,1,1024]").appName("lamina-cluster-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.executor.extraJavaOptions", executorJavaOptions)
                .config("spark.executor.extraClassPath", classPath)
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    static SparkTrainConfig config(Path checkpoints) {
        return SparkTrainConfig.builder(ModelFactory.named("mlp")).workers(2).batchPerWorker(32).epochs(EPOCHS).seed(5)
                .checkpoints(checkpoints.toString(), EVERY).ringTimeoutMillis(60_000).build();
    }

    static double testAccuracy(Module model) throws Exception {
        Dataset test = SparkTestData.fashion().test();
        return Trainer.evaluate(model, new CrossEntropyLoss(), new DataLoader(test, 500, false, false, null)).accuracy();
    }

    /** This JVM's executor processes (the in-process workers' children), found by their main class in /proc/PID/cmdline (the JDK's view truncates it). */
    static List<ProcessHandle> executors() {
        return ProcessHandle.current().descendants().filter(p -> {
            try {
                return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"))).contains("CoarseGrainedExecutorBackend");
            } catch (java.io.IOException e) {
                return false;
            }
        }).toList();
    }

    @Test
    void killingAnExecutorMidEpochRetriesTheStageFromTheLatestCheckpointAndEndsAsTheUninterruptedRun(@TempDir Path tmp) throws Exception {
        SparkSession spark = cluster(System.getProperty("lamina.spark.jvmFlags"));
        try {
            Dataset train = SparkTestData.fashion().train().head(ROWS);
            var df = SparkTestData.frame(spark, train, ROWS).cache();
            df.count();

            Module clean = uninterrupted(train, config(tmp.resolve("clean")));
            int stepsPerEpoch = (int) RankPartitioner.rowsOf(ROWS, 2, 1) / 32;

            Path dir = tmp.resolve("killed");
            AtomicLong stepAtKill = new AtomicLong(-1);
            AtomicReference<String> killed = new AtomicReference<>();
            Thread killer = new Thread(() -> {
                try {
                    while (true) {
                        Path latest = dir.resolve(Checkpoint.LATEST);
                        if (Files.exists(latest)) {
                            long step = Checkpoint.load(dir).progress().globalStep();
                            if (step >= stepsPerEpoch + EVERY) {
                                Optional<ProcessHandle> victim = executors().stream().findFirst();
                                if (victim.isPresent()) {
                                    stepAtKill.set(step);
                                    killed.set(victim.get().pid() + "");
                                    victim.get().destroyForcibly();
                                    return;
                                }
                            }
                        }
                        Thread.sleep(20);
                    }
                } catch (Exception e) {
                    killed.set("killer failed: " + e);
                }
            }, "executor-killer");
            killer.setDaemon(true);
            killer.start();
            long start = System.nanoTime();
            SparkTrainResult resumed = SparkTrainer.fit(df, config(dir));
            killer.join(1000);
            double seconds = (System.nanoTime() - start) / 1e9;

            assertTrue(stepAtKill.get() > 0, "no executor was killed: " + killed.get());
            assertTrue(resumed.resumedFromStep() >= stepAtKill.get(), "the retried stage started from step " + resumed.resumedFromStep()
                    + ", not from the checkpoint of step " + stepAtKill.get() + " or later");
            long total = (long) EPOCHS * stepsPerEpoch;
            assertEquals(total - resumed.resumedFromStep(), resumed.steps());
            Checkpoint last = Checkpoint.load(dir);
            assertEquals(total, last.progress().globalStep(), "the last checkpoint is the end of the run");
            assertEquals("COMPLETED", last.progress().stop());
            assertEquals(EPOCHS, last.history().size(), "every epoch's metrics survived the kill");
            try (var names = Files.list(dir)) {
                long kept = names.filter(p -> p.getFileName().toString().startsWith("ckpt-")).count();
                assertEquals(ReplicaLoop.KEEP, kept, "checkpoints in " + dir);
            }

            double a = testAccuracy(clean), b = testAccuracy(resumed.model());
            System.out.printf("local-cluster: uninterrupted test accuracy %.4f, killed executor %s at step >= %d, resumed from step %d: %.4f (%.1f s)%n",
                    a, killed.get(), stepAtKill.get(), resumed.resumedFromStep(), b, seconds);
            assertTrue(Math.abs(a - b) <= 0.005, "accuracy " + b + " after the kill against " + a + " uninterrupted");
            assertArrayEqualsWeights(clean, resumed.model());
        } finally {
            spark.stop();
        }
    }

    /**
     * The uninterrupted run, computed without the cluster (its executors take half a minute each to start here): the
     * two replicas of {@link ReplicaLoop} on two threads with a loopback ring, on the rows the cluster run deals to each
     * rank, exactly what the barrier tasks run.
     */
    static Module uninterrupted(Dataset train, SparkTrainConfig cfg) throws Exception {
        float[] x = train.features().toArray(), y = train.targets().toArray();
        long[] rows = {RankPartitioner.rowsOf(ROWS, 2, 0), RankPartitioner.rowsOf(ROWS, 2, 1)};
        EpochPlan plan = new EpochPlan(rows, cfg.batchPerWorker(), cfg.seed(), cfg.uneven());
        List<RingAllReduce.Listener> listeners = List.of(RingAllReduce.listen("127.0.0.1"), RingAllReduce.listen("127.0.0.1"));
        List<String> addresses = List.of(listeners.get(0).address(), listeners.get(1).address());
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<ReplicaReport>> reports = new java.util.ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int rank = r;
                reports.add(pool.submit(() -> {
                    int n = (int) rows[rank];
                    float[] fx = new float[n * 784], fy = new float[n];
                    for (int i = 0; i < n; i++) {
                        System.arraycopy(x, (i * 2 + rank) * 784, fx, i * 784, 784);
                        fy[i] = y[i * 2 + rank];
                    }
                    try (RingAllReduce ring = RingAllReduce.connect(listeners.get(rank), rank, addresses, () -> false, 60_000)) {
                        return new ReplicaLoop(cfg, plan, rank, new LocalRows(fx, fy, 784), ring).run(null);
                    }
                }));
            }
            byte[] weights = reports.get(0).get().weights();
            reports.get(1).get();
            Module m = cfg.model().create(new dev.lamina.tensor.Rng(cfg.seed()));
            m.loadStateDict(StateDictBytes.read(weights), true);
            return m;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Resuming is exact, so the weights match bit for bit (a stronger statement than the accuracy bound). */
    static void assertArrayEqualsWeights(Module a, Module b) {
        for (var e : a.stateDict().entrySet()) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(e.getValue().toArray(), b.stateDict().get(e.getKey()).toArray(), e.getKey());
        }
    }
}
