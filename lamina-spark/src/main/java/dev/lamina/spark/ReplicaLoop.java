package dev.lamina.spark;

import dev.lamina.train.Checkpoint;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.loss.Loss;
import dev.lamina.loss.MSELoss;
import dev.lamina.nn.Module;
import dev.lamina.optim.Optimizer;
import dev.lamina.optim.OptimizerState;
import dev.lamina.optim.Scheduler;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;
import dev.lamina.train.EpochResult;
import dev.lamina.train.History;
import dev.lamina.train.Metrics;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop of one replica (one Spark task; tests also run it on threads): every step it computes the
 * gradients of its own micro-batch, sums them with every other replica's through the {@link RingAllReduce}, divides
 * by the number of workers and applies the same optimizer step as every other replica. Since each loss is a mean over
 * the worker's batch, the averaged gradient is the gradient of the mean over the global batch: N workers with batch b
 * compute what one process computes with batch N·b, up to float rounding (BatchNorm excepted: its batch statistics
 * are each worker's own, as with Horovod without SyncBatchNorm).
 *
 * <p>Dropout and other layer generators are reseeded every step from (seed, rank, step), so a replica restarted from
 * a checkpoint draws what the lost one would have drawn. Layer buffers (BatchNorm's running statistics) are averaged
 * over the workers before each checkpoint and at the end.
 *
 * <p>Rank 0 saves {@link Checkpoint}s (the format {@code Trainer} and {@code lamina train --resume} use) into the
 * run's checkpoint directory.
 */
public final class ReplicaLoop {
    /** Checkpoints kept in the directory: the newest three. */
    static final int KEEP = 3;
    private final SparkTrainConfig cfg;
    private final EpochPlan plan;
    private final int rank;
    private final LocalRows data;
    private final RingAllReduce ring;
    private final Module model;
    private final Optimizer optimizer;
    private final Scheduler scheduler;
    private final Loss loss;
    private final List<String> paramNames = new ArrayList<>();
    private final List<Tensor> params = new ArrayList<>();
    private final List<Tensor> buffers = new ArrayList<>();
    private final List<Rng> layerRngs;
    /** The all-reduce buffer: every gradient, flat in parameter order, then the batch's loss sum and correct count. */
    private final float[] exchange;
    /** {@link #exchange} as a tensor of the parameters' backend (its storage, no copy), for copying gradients in and out. */
    private final Tensor exchangeTensor;
    private final int gradientLength;
    private final List<EpochResult> history = new ArrayList<>();
    private double computeSeconds, commSeconds;
    private String lastCheckpoint;

    /**
     * @param data the rank's rows; their count must be {@code plan.rows()[rank]}
     */
    public ReplicaLoop(SparkTrainConfig cfg, EpochPlan plan, int rank, LocalRows data, RingAllReduce ring) {
        if (data.rows() != plan.rows()[rank]) throw new IllegalArgumentException("rank " + rank + " holds " + data.rows() + " rows, the plan says " + plan.rows()[rank]);
        this.cfg = cfg;
        this.plan = plan;
        this.rank = rank;
        this.data = data;
        this.ring = ring;
        this.model = cfg.model().create(new Rng(cfg.seed()));
        Map<Tensor, Boolean> isParam = new IdentityHashMap<>();
        model.namedParameters().forEach((k, t) -> {
            paramNames.add(k);
            params.add(t);
            isParam.put(t, Boolean.TRUE);
        });
        model.stateDict().values().forEach(t -> {
            if (!isParam.containsKey(t)) buffers.add(t);
        });
        this.optimizer = cfg.newOptimizer(params);
        this.scheduler = cfg.newScheduler(optimizer);
        this.loss = cfg.isClassifier() ? new CrossEntropyLoss() : new MSELoss();
        this.layerRngs = new ArrayList<>(model.namedRngs().values());
        int n = 0;
        for (Tensor p : params) n += p.numel();
        this.gradientLength = n;
        this.exchange = new float[n + 2];
        this.exchangeTensor = host(exchange);
    }

    /** {@code values} as a 1-D tensor of the parameters' backend over the same array (a backend's wrap takes no copy). */
    private Tensor host(float[] values) {
        return params.isEmpty() ? Tensor.of(values, values.length) : params.getFirst().backend().wrap(values, values.length);
    }

    /** The region [offset, offset + numel) of the 1-D tensor {@code flat}, as a contiguous tape-free view of {@code shape}. */
    private static Tensor region(Tensor flat, int offset, int[] shape) {
        return Tensor.view(flat, offset, shape, Shape.contiguousStrides(shape));
    }

    public Module model() {
        return model;
    }

    /** Trains from {@code resume} (a checkpoint directory, or null for a fresh start) to the end of the run. */
    public ReplicaReport run(Path resume) throws IOException {
        int steps = plan.stepsPerEpoch(), epochs = cfg.epochs();
        int startEpoch = 1, startStep = 0;
        long globalStep = 0, resumedFrom = -1;
        double lossSum = 0, correct = 0;
        long seen = 0;
        if (resume != null) {
            Checkpoint c = Checkpoint.load(resume);
            checkFits(c, resume);
            model.loadStateDict(c.model(), true);
            optimizer.loadStateDict(c.optimizer());
            if (scheduler != null) scheduler.loadStateDict(c.scheduler());
            Checkpoint.Progress p = c.progress();
            startEpoch = p.epoch();
            startStep = p.batch();
            globalStep = p.globalStep();
            resumedFrom = globalStep;
            lossSum = p.lossSum();
            seen = p.seen();
            correct = p.correct();
            history.addAll(c.history());
        }
        double[] epochLoss = new double[epochs], epochAccuracy = new double[epochs];
        Arrays.fill(epochLoss, Double.NaN);
        Arrays.fill(epochAccuracy, Double.NaN);
        long startGlobal = globalStep;
        model.train();
        for (int epoch = startEpoch; epoch <= epochs; epoch++) {
            int[] order = plan.order(epoch, rank);
            long epochStart = System.nanoTime();
            for (int step = epoch == startEpoch ? startStep : 0; step < steps; step++) {
                trainStep(plan.batch(order, step), epoch, step, globalStep);
                globalStep++;
                lossSum += exchange[gradientLength];
                correct += exchange[gradientLength + 1];
                seen += (long) plan.batchPerWorker() * (localSgd() ? 1 : plan.world());
                if (cfg.checkpointDir() != null && cfg.checkpointEvery() > 0 && globalStep % cfg.checkpointEvery() == 0 && step + 1 < steps) {
                    checkpoint(new Checkpoint.Progress(epochs, epoch, step + 1, steps, plan.batchPerWorker() * plan.world(), plan.samplesPerEpoch(), globalStep,
                            History.Stop.RUNNING.name(), lossSum, seen, (long) correct, cfg.isClassifier(), optimizer.lr(), 0));
                }
            }
            if (localSgd()) {
                double[] totals = epochTotals(lossSum, correct);
                lossSum = totals[0];
                correct = totals[1];
                seen *= plan.world();
            }
            double accuracy = cfg.isClassifier() ? correct / seen : Double.NaN;
            history.add(new EpochResult(epoch, lossSum / seen, accuracy, null, optimizer.lr(), (System.nanoTime() - epochStart) / 1e9, 0, seen));
            if (scheduler != null) scheduler.step();
            lossSum = 0;
            correct = 0;
            seen = 0;
            if (cfg.checkpointDir() != null) {
                checkpoint(new Checkpoint.Progress(epochs, epoch + 1, 0, steps, plan.batchPerWorker() * plan.world(), plan.samplesPerEpoch(), globalStep,
                        epoch == epochs ? History.Stop.COMPLETED.name() : History.Stop.RUNNING.name(), 0, 0, 0, true, optimizer.lr(), 0));
            }
        }
        if (localSgd()) averageReplicas(true);
        else averageBuffers();
        model.eval();
        for (EpochResult r : history) {
            epochLoss[r.epoch() - 1] = r.trainLoss();
            epochAccuracy[r.epoch() - 1] = r.trainAccuracy();
        }
        byte[] weights = rank == 0 ? StateDictBytes.of(model) : new byte[0];
        return new ReplicaReport(rank, epochLoss, epochAccuracy, globalStep - startGlobal, resumedFrom, computeSeconds, commSeconds,
                ring.bytesSent(), weights, lastCheckpoint);
    }

    private void trainStep(int[] idx, int epoch, int step, long globalStep) throws IOException {
        long t0 = System.nanoTime();
        for (int k = 0; k < layerRngs.size(); k++) layerRngs.get(k).setState(layerRngState(cfg.seed(), rank, globalStep, k));
        model.zeroGrad();
        optimizer.zeroGrad();
        Tensor x = data.features(idx), y = data.labels(idx, cfg.isClassifier());
        Tensor out = model.forward(x);
        Tensor l = loss.forward(out, y);
        float value = l.item();
        l.backward();
        int o = 0;
        for (int i = 0; i < params.size(); i++) {
            Tensor g = params.get(i).grad();
            if (g == null) throw new IllegalStateException("rank " + rank + ": parameter " + paramNames.get(i) + " got no gradient; every parameter must take part in the loss");
            g.backend().copyInto_(g, region(exchangeTensor, o, g.shape()));
            o += g.numel();
        }
        exchange[gradientLength] = value * idx.length;
        exchange[gradientLength + 1] = cfg.isClassifier() ? countCorrect(out, y) : 0;
        long t1 = System.nanoTime();
        if (!localSgd()) ring.sum(exchange);
        long t2 = System.nanoTime();
        float summedLoss = exchange[gradientLength];
        if (!Float.isFinite(summedLoss)) {
            throw new IllegalStateException("training stopped in epoch " + epoch + ", step " + (step + 1) + ": the summed loss over the workers is " + summedLoss
                    + "; no step was applied (try a lower learning rate)");
        }
        float scale = localSgd() ? 1f : 1f / plan.world();
        o = 0;
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i), g = p.grad();
            int n = g.numel();
            for (int j = 0; j < n; j++) {
                if (!Float.isFinite(exchange[o + j])) {
                    throw new IllegalStateException("training stopped in epoch " + epoch + ", step " + (step + 1) + ": the summed gradient of " + paramNames.get(i)
                            + " holds " + exchange[o + j] + "; no step was applied");
                }
            }
            if (g.isContiguous()) {
                for (int j = 0; j < n; j++) exchange[o + j] *= scale;
                g.backend().copyInto_(region(exchangeTensor, o, g.shape()), g);
            } else {
                float[] v = new float[n];
                for (int j = 0; j < n; j++) v[j] = exchange[o + j] * scale;
                p.setGrad(Tensor.of(v, g.shape()));
            }
            o += n;
        }
        optimizer.step();
        long t3 = System.nanoTime();
        computeSeconds += ((t1 - t0) + (t3 - t2)) / 1e9;
        commSeconds += (t2 - t1) / 1e9;
        if (localSgd() && (globalStep + 1) % cfg.averageEvery() == 0) averageReplicas(false);
    }

    private boolean localSgd() {
        return cfg.averageEvery() > 0;
    }

    /**
     * Local SGD: replaces every replica's parameters and buffers (and with {@code withOptimizer} its optimizer state)
     * by their mean over the workers. Every K steps only the weights are averaged; before a checkpoint and at the end
     * the optimizer state too, so that all replicas are then identical and a resumed run continues exactly.
     */
    private void averageReplicas(boolean withOptimizer) throws IOException {
        if (plan.world() == 1) return;
        long t = System.nanoTime();
        int n = gradientLength;
        OptimizerState state = withOptimizer ? optimizer.stateDict() : new OptimizerState("none", 0, 0, Map.of(), List.of());
        for (Map<String, float[]> m : state.buffers()) for (float[] b : m.values()) n += b.length;
        float[] all = new float[n];
        Tensor allTensor = host(all);
        int o = 0;
        for (Tensor p : params) {
            p.backend().copyInto_(p, region(allTensor, o, p.shape()));
            o += p.numel();
        }
        for (Map<String, float[]> m : state.buffers()) {
            for (float[] b : m.values()) {
                System.arraycopy(b, 0, all, o, b.length);
                o += b.length;
            }
        }
        ring.sum(all);
        float scale = 1f / plan.world();
        o = 0;
        for (Tensor p : params) {
            for (int j = 0; j < p.numel(); j++) all[o + j] *= scale;
            p.copyFrom_(region(allTensor, o, p.shape()));
            o += p.numel();
        }
        List<Map<String, float[]>> averaged = new ArrayList<>();
        for (Map<String, float[]> m : state.buffers()) {
            Map<String, float[]> a = new LinkedHashMap<>();
            for (var e : m.entrySet()) {
                float[] b = new float[e.getValue().length];
                for (int j = 0; j < b.length; j++) b[j] = all[o + j] * scale;
                o += b.length;
                a.put(e.getKey(), b);
            }
            averaged.add(a);
        }
        if (withOptimizer) optimizer.loadStateDict(new OptimizerState(state.type(), state.step(), state.lr(), state.hyperparameters(), averaged));
        commSeconds += (System.nanoTime() - t) / 1e9;
        averageBuffers();
    }

    /** Local SGD: the sum over the workers of this epoch's loss sum and correct count (the other ranks' are not exchanged per step). */
    private double[] epochTotals(double lossSum, double correct) throws IOException {
        if (!localSgd() || plan.world() == 1) return new double[] {lossSum, correct};
        float[] v = {(float) lossSum, (float) correct};
        ring.sum(v);
        return new double[] {v[0], v[1]};
    }

    /** The state layer generator {@code k} (in {@link Module#namedRngs()} order) starts step {@code globalStep} from on {@code rank}. */
    public static Rng.State layerRngState(long seed, int rank, long globalStep, int k) {
        long z = seed ^ (globalStep * 0x9E3779B97F4A7C15L) ^ ((long) rank << 40) ^ ((long) k << 56);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new Rng.State(seed, z ^ (z >>> 31), Double.NaN);
    }

    private static float countCorrect(Tensor out, Tensor y) {
        int[] predicted = Metrics.argmax(out);
        float[] actual = y.toArray();
        int c = 0;
        for (int i = 0; i < predicted.length; i++) if (predicted[i] == actual[i]) c++;
        return c;
    }

    /** Replaces every layer buffer (BatchNorm running statistics) by its mean over the workers. */
    private void averageBuffers() throws IOException {
        if (buffers.isEmpty() || plan.world() == 1) return;
        int n = 0;
        for (Tensor b : buffers) n += b.numel();
        float[] all = new float[n];
        Tensor allTensor = host(all);
        int o = 0;
        for (Tensor b : buffers) {
            b.backend().copyInto_(b, region(allTensor, o, b.shape()));
            o += b.numel();
        }
        long t = System.nanoTime();
        ring.sum(all);
        commSeconds += (System.nanoTime() - t) / 1e9;
        o = 0;
        for (Tensor b : buffers) {
            if (!b.isContiguous()) throw new IllegalStateException("rank " + rank + ": a layer buffer of shape " + Arrays.toString(b.shape()) + " is not contiguous");
            for (int j = 0; j < b.numel(); j++) all[o + j] /= plan.world();
            b.copyFrom_(region(allTensor, o, b.shape()));
            o += b.numel();
        }
    }

    private void checkpoint(Checkpoint.Progress progress) throws IOException {
        if (localSgd()) averageReplicas(true);
        else averageBuffers();
        if (rank != 0) return;
        Map<String, Tensor> weights = new LinkedHashMap<>();
        model.stateDict().forEach((k, t) -> weights.put(k, Tensor.of(t.toArray(), t.shape())));
        Map<String, Rng.State> rngs = new LinkedHashMap<>();
        rngs.put("global", Rng.global().state());
        Checkpoint c = new Checkpoint(weights, paramNames, optimizer.stateDict(), scheduler == null ? null : scheduler.stateDict(), null, rngs, progress, history, -1, cfg.checkpointConfig());
        lastCheckpoint = c.save(Path.of(cfg.checkpointDir()), KEEP).toString();
    }

    /** Refuses a checkpoint of another run (other model, workers, batch, seed...), naming each difference. */
    private void checkFits(Checkpoint c, Path where) {
        List<String> problems = new ArrayList<>();
        cfg.checkpointConfig().forEach((k, v) -> {
            String saved = c.config().get(k);
            if (!v.equals(saved)) problems.add(k + " is " + v + ", the checkpoint's " + saved);
        });
        if (c.progress().batchesPerEpoch() != plan.stepsPerEpoch()) {
            problems.add(plan.stepsPerEpoch() + " steps per epoch, the checkpoint's " + c.progress().batchesPerEpoch() + " (the data changed)");
        }
        if (c.progress().epoch() > cfg.epochs() + 1 || (c.progress().batch() > 0 && c.progress().epoch() > cfg.epochs())) {
            problems.add("asked for " + cfg.epochs() + " epochs but the checkpoint is at epoch " + c.progress().epoch());
        }
        if (!problems.isEmpty()) throw new IllegalArgumentException("cannot resume from " + where + ": " + String.join("; ", problems));
    }
}
