package dev.lamina.spark;

import dev.lamina.train.Checkpoint;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The body of each task of the training barrier stage: gathers its rows, exchanges its ring address and the
 * checkpoint it sees with the other tasks (one {@code allGather}, the stage's only use of Spark's barrier
 * coordinator), joins the ring and runs {@link ReplicaLoop} to the end of the run. When Spark retries the stage after
 * a failure, every new task finds the latest checkpoint and continues from it.
 */
final class BarrierTask extends AbstractFunction1<Iterator<Sample>, Iterator<ReplicaReport>> implements Serializable {
    private static final long serialVersionUID = 1L;
    private final SparkTrainConfig cfg;
    private final EpochPlan plan;

    BarrierTask(SparkTrainConfig cfg, EpochPlan plan) {
        this.cfg = cfg;
        this.plan = plan;
    }

    @Override
    public Iterator<ReplicaReport> apply(Iterator<Sample> rows) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId();
        String host = SparkEnv.get().blockManager().blockManagerId().host();
        VectorModuleCheck.require("executor " + SparkEnv.get().executorId() + " on " + host);
        try {
            LocalRows data = gather(CollectionConverters.asJava(rows));
            RingAllReduce.Listener listener = RingAllReduce.listen(host);
            String seen = cfg.checkpointDir() == null ? "" : latest(Path.of(cfg.checkpointDir()));
            String[] messages = ctx.allGather(listener.address() + "|" + seen);
            List<String> addresses = new ArrayList<>();
            List<String> checkpoints = new ArrayList<>();
            for (String m : messages) {
                int bar = m.indexOf('|');
                addresses.add(m.substring(0, bar));
                checkpoints.add(m.substring(bar + 1));
            }
            Path resume = chooseCheckpoint(checkpoints);
            try (RingAllReduce ring = RingAllReduce.connect(listener, rank, addresses, ctx::isInterrupted, cfg.ringTimeoutMillis()).bfloat16(cfg.bf16Wire())) {
                ReplicaReport report = new ReplicaLoop(cfg, plan, rank, data, ring).run(resume);
                return CollectionConverters.asScala(List.of(report).iterator());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("rank " + rank + " (stage attempt " + ctx.stageAttemptNumber() + "): " + e.getMessage(), e);
        }
    }

    /** The rows of this partition in index order (the shuffle that dealt them may deliver them in any order). */
    private LocalRows gather(java.util.Iterator<Sample> it) {
        List<Sample> list = new ArrayList<>();
        it.forEachRemaining(list::add);
        list.sort(Comparator.comparingLong(Sample::index));
        int f = cfg.featureLength();
        float[] x = new float[list.size() * f], y = new float[list.size()];
        for (int i = 0; i < list.size(); i++) {
            System.arraycopy(list.get(i).features(), 0, x, i * f, f);
            y[i] = list.get(i).label();
        }
        return new LocalRows(x, y, f);
    }

    /** The checkpoint {@code dir/latest} names (its directory name), or "" when there is none. */
    static String latest(Path dir) throws IOException {
        if (!Files.exists(dir.resolve(Checkpoint.LATEST))) return "";
        return Checkpoint.locate(dir).getFileName().toString();
    }

    /**
     * The checkpoint every rank continues from: the oldest any rank saw (a rank 0 of the failed attempt may still have
     * been saving a newer one), or none when no rank saw one.
     *
     * @throws IllegalStateException when some ranks see checkpoints and others do not: the directory is not shared
     */
    private Path chooseCheckpoint(List<String> seen) {
        boolean any = seen.stream().anyMatch(s -> !s.isEmpty()), all = seen.stream().noneMatch(String::isEmpty);
        if (!any) return null;
        if (!all) {
            throw new IllegalStateException("checkpoint directory " + cfg.checkpointDir() + ": ranks see different checkpoints " + seen
                    + "; it must be one directory every executor reaches (a shared file system)");
        }
        String oldest = seen.stream().min(Comparator.comparingLong(BarrierTask::stepOf)).orElseThrow();
        return Path.of(cfg.checkpointDir()).resolve(oldest);
    }

    private static long stepOf(String name) {
        String digits = name.substring("ckpt-".length());
        int dash = digits.indexOf('-');
        return Long.parseLong(dash < 0 ? digits : digits.substring(0, dash));
    }
}
