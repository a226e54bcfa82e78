package dev.lamina.dashboard;

import dev.lamina.io.AtomicFiles;
import dev.lamina.nn.Module;
import dev.lamina.optim.Optimizer;
import dev.lamina.tensor.Tensor;
import dev.lamina.train.BatchResult;
import dev.lamina.train.Callback;
import dev.lamina.train.ConfusionMatrix;
import dev.lamina.train.EpochResult;
import dev.lamina.train.History;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link Callback} that writes a run directory while a {@link dev.lamina.train.Trainer} trains: the record log
 * ({@link RunLog}, appended after every step), {@value RunLog#SETTINGS} and a TensorBoard event file. Every step
 * records loss, learning rate, gradient norm and throughput; every {@link #statsEvery sampled} step the per-layer
 * histograms and update ratios ({@link LayerStatistics}); every epoch the epoch's metrics and confusion matrix;
 * checkpoints, a change of the sampling interval and how training ended as events. The time spent here is measured
 * and reported as a share of the step time ({@link #statsShare()}). The record log gets a line per step, appended
 * in groups at least every 0.1 s ({@link RunLog#write}) and at every epoch, event and sampled step; training that
 * stops by an exception, and a process stopped by Ctrl-C or a kill signal (a shutdown hook), lose nothing; a
 * {@code kill -9} loses at most the last 0.1 s. The TensorBoard file gathers its events and is appended once a second
 * and when training ends.
 *
 * <pre>{@code
 * try (RunRecorder run = new RunRecorder(Path.of("runs/cnn-1"), model, optimizer).probe(firstBatch).classes(names)) {
 *     trainer.callback(run);
 *     trainer.fit(loader, validation, epochs);
 * }
 * }</pre>
 * The directory opens in the dashboard ({@code lamina dashboard runs/cnn-1}) and in TensorBoard. Files are
 * closed when training ends (or by {@link #close}).
 */
public final class RunRecorder implements Callback, Closeable {
    private final Path dir;
    private final Module model;
    private final Optimizer optimizer;
    private final RunLog log;
    private final TensorBoardWriter tensorBoard;
    private final Map<String, Object> settings = new LinkedHashMap<>();
    private Tensor probe;
    private String[] classes;
    private SamplingPolicy sampling = SamplingPolicy.of(0);
    private LayerStatistics stats;
    private long stepsRecorded;
    private long step, beginNanos, lastNanos, costNanos, stepNanos, epochStartCost, epochStartStep;
    private double beginWall;
    private int epoch, lastBatch, batches;
    private boolean closed;
    /** TensorBoard events are appended at most this often (the record log after every step). */
    private static final long TENSORBOARD_FLUSH_NANOS = 1_000_000_000L;
    private long tensorBoardFlushed = System.nanoTime();

    /**
     * Creates {@code dir} (it must not hold a run yet) and opens its files.
     *
     * @throws IOException naming the directory when it cannot be written or already holds a run
     */
    public RunRecorder(Path dir, Module model, Optimizer optimizer) throws IOException {
        this.dir = dir;
        this.model = java.util.Objects.requireNonNull(model, "model");
        this.optimizer = java.util.Objects.requireNonNull(optimizer, "optimizer");
        Files.createDirectories(dir);
        if (Files.exists(dir.resolve(RunLog.FILE))) {
            throw new IOException("run directory " + dir + " already holds a run (" + RunLog.FILE + "); give a new directory");
        }
        this.log = new RunLog(dir);
        this.tensorBoard = new TensorBoardWriter(dir);
        this.shutdownHook = new Thread(this::closeQuietly, "lamina-run-recorder-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    private final Thread shutdownHook;

    /** On Ctrl-C or a kill signal: appends what is gathered. */
    private void closeQuietly() {
        try {
            close();
        } catch (IOException | RuntimeException e) {
            // the process is ending; nothing to tell
        }
    }

    /** The run directory. */
    public Path dir() {
        return dir;
    }

    /** Settings shown on the dashboard and stored in {@value RunLog#SETTINGS} (the command line, the data...). */
    public RunRecorder settings(Map<String, ?> values) {
        settings.putAll(values);
        return this;
    }

    /** A fixed batch of inputs [N, ...] whose layer outputs give the activation histograms; none without it. */
    public RunRecorder probe(Tensor inputs) {
        this.probe = inputs;
        return this;
    }

    /** Class names, for the confusion matrix. */
    public RunRecorder classes(String[] names) {
        this.classes = names.clone();
        return this;
    }

    /**
     * Per-layer statistics every {@code steps} optimizer steps; 0 (the default) starts at every
     * {@value SamplingPolicy#AUTO_START} and doubles the interval while collecting costs more than 4% of step time.
     */
    public RunRecorder statsEvery(int steps) {
        this.sampling = SamplingPolicy.of(steps);
        return this;
    }

    /**
     * For a run resumed from a checkpoint: its optimizer steps before this {@code fit} ({@code Checkpoint.Progress
     * .globalStep()}), so that step numbers continue the saved run's.
     */
    public RunRecorder resumedAfter(long steps) {
        if (steps < 0) throw new IllegalArgumentException("steps before the resumed run must be >= 0, got " + steps);
        this.step = steps;
        return this;
    }

    /** The current sampling interval in steps. */
    public int samplingInterval() {
        return sampling.every();
    }

    /** The share of step time spent collecting and writing statistics so far (NaN before the first step). */
    public double statsShare() {
        return stepNanos == 0 ? Double.NaN : (double) costNanos / stepNanos;
    }

    @Override
    public void onTrainBegin(int epochs, int batchesPerEpoch, long samplesPerEpoch) {
        long t0 = System.nanoTime();
        stats = new LayerStatistics(model, probe);
        beginNanos = lastNanos = t0;
        beginWall = System.currentTimeMillis() / 1000.0;
        batches = batchesPerEpoch;
        Map<String, Object> s = new LinkedHashMap<>(settings);
        s.put("started", Instant.now().toString());
        s.put("model_class", model.getClass().getSimpleName());
        s.put("parameters", model.parameterCount());
        List<Object> layers = new ArrayList<>();
        model.namedParameters().forEach((k, t) -> layers.add(Map.of("name", k, "shape", shape(t), "numel", (long) t.numel())));
        s.put("parameter_tensors", layers);
        s.put("stats_every", sampling.automatic() ? "auto (from " + SamplingPolicy.AUTO_START + " steps)" : sampling.every() + " steps");
        s.put("activation_probe", probe == null ? "none" : probe.size(0) + " training examples, evaluation mode");
        if (classes != null) s.put("classes", List.of(classes));
        s.put("epochs", (long) epochs);
        s.put("tensorboard_file", tensorBoard.path().getFileName().toString());
        write(() -> {
            AtomicFiles.write(dir.resolve(RunLog.SETTINGS), (JsonLine.of(s) + "\n").getBytes(StandardCharsets.UTF_8));
            Map<String, Object> r = record("begin");
            r.put("epochs", (long) epochs);
            r.put("batches_per_epoch", (long) batchesPerEpoch);
            r.put("samples_per_epoch", samplesPerEpoch);
            r.put("wall", beginWall);
            r.put("stats_every", (long) sampling.every());
            if (step > 0) r.put("resumed_after", step);
            log.write(r);
        });
        if (sampling.isSampleStep(step + 1)) stats.snapshot();
        lastNanos = System.nanoTime();
    }

    @Override
    public void onEpochBegin(int epoch) {
        this.epoch = epoch;
        epochStartCost = costNanos;
        epochStartStep = stepNanos;
        lastNanos = System.nanoTime();   // validation and epoch-end work are not step time
    }

    @Override
    public void onBatchEnd(BatchResult b) {
        long start = System.nanoTime();
        long thisStep = start - lastNanos;
        step++;
        stepsRecorded++;
        lastBatch = b.batch();
        boolean sampled = sampling.isSampleStep(step);
        double gradNorm = stats.gradientNorm();
        double time = (start - beginNanos) / 1e9, wall = beginWall + time;
        Map<String, Object> r = record("step");
        r.put("epoch", (long) b.epoch());
        r.put("batch", (long) b.batch());
        r.put("batches", (long) b.batches());
        r.put("time", time);
        r.put("loss", b.loss());
        r.put("mean_loss", b.meanLoss());
        r.put("lr", optimizer.lr());
        r.put("grad_norm", gradNorm);
        r.put("samples_per_second", thisStep > 0 ? b.size() / (thisStep / 1e9) : Double.NaN);
        LayerStatistics.Sample sample = sampled ? stats.sample() : null;
        write(() -> {
            log.write(r);
            tensorBoard.scalar("train/loss", step, wall, b.loss());
            tensorBoard.scalar("train/lr", step, wall, optimizer.lr());
            tensorBoard.scalar("train/grad_norm", step, wall, gradNorm);
            if (sample != null) {
                writeSample(sample, time, wall);
                log.flush();
            }
        });
        if (sampling.isSampleStep(step + 1)) stats.snapshot();
        long end = System.nanoTime();
        long cost = end - start;
        costNanos += cost;
        stepNanos += end - lastNanos;
        sampling.step(end - lastNanos, cost, sampled);
        if (sampled) {
            double share = sampling.adapt();
            if (!Double.isNaN(share)) {
                String message = String.format(Locale.ROOT, "statistics took %.1f%% of step time: histograms every %d steps from now on (thinned from every %d)",
                        100 * share, sampling.every(), sampling.every() / 2);
                write(() -> log.write(event("sampling", message)));
                if (sampling.isSampleStep(step + 1)) stats.snapshot();
            }
        }
        lastNanos = System.nanoTime();
    }

    private void writeSample(LayerStatistics.Sample sample, double time, double wall) throws IOException {
        Map<String, Object> r = record("layers");
        r.put("epoch", (long) epoch);
        r.put("time", time);
        r.put("every", (long) sampling.every());
        r.put("hist", sample.histograms());
        r.put("update_ratio", sample.updateRatios());
        log.write(r);
        for (Map<String, Object> h : sample.histograms()) {
            String tag = switch ((String) h.get("kind")) {
                case "weight" -> "weights/";
                case "gradient" -> "gradients/";
                default -> "activations/";
            } + h.get("name");
            tensorBoard.histogram(tag, step, wall, histogramOf(h));
        }
        for (Map.Entry<String, Object> e : sample.updateRatios().entrySet()) {
            tensorBoard.scalar("update_ratio/" + e.getKey(), step, wall, (Double) e.getValue());
        }
    }

    private static Histogram histogramOf(Map<String, Object> h) {
        return new Histogram((double[]) h.get("edges"), (long[]) h.get("counts"), (Double) h.get("mean"), (Double) h.get("std"),
                (Double) h.get("zeros"), (Long) h.get("non_finite"), (Long) h.get("n"));
    }

    @Override
    public void onEpochEnd(EpochResult e) {
        long start = System.nanoTime();
        double time = (start - beginNanos) / 1e9, wall = beginWall + time;
        Map<String, Object> r = record("epoch");
        r.put("epoch", (long) e.epoch());
        r.put("time", time);
        r.put("train_loss", e.trainLoss());
        r.put("train_accuracy", e.trainAccuracy());
        r.put("val_loss", e.valLoss());
        r.put("val_accuracy", e.valAccuracy());
        r.put("val_macro_f1", e.valMacroF1());
        r.put("lr", e.lr());
        r.put("epoch_seconds", e.epochSeconds());
        r.put("eval_seconds", e.evalSeconds());
        r.put("samples_per_second", e.samplesPerSecond());
        ConfusionMatrix cm = e.validation() == null ? null : e.validation().confusion();
        if (cm != null) r.put("confusion", cm.counts());
        r.put("stats_share", statsShare());
        long epochSteps = stepNanos - epochStartStep;
        r.put("stats_share_epoch", epochSteps == 0 ? Double.NaN : (double) (costNanos - epochStartCost) / epochSteps);
        r.put("stats_every", (long) sampling.every());
        write(() -> {
            log.write(r);
            log.flush();
            tensorBoard.scalar("epoch/train_loss", step, wall, e.trainLoss());
            tensorBoard.scalar("epoch/train_accuracy", step, wall, e.trainAccuracy());
            tensorBoard.scalar("epoch/val_loss", step, wall, e.valLoss());
            tensorBoard.scalar("epoch/val_accuracy", step, wall, e.valAccuracy());
            tensorBoard.scalar("epoch/samples_per_second", step, wall, e.samplesPerSecond());
            if (cm != null) {
                ConfusionImage img = ConfusionImage.of(cm.counts());
                tensorBoard.image("epoch/confusion", step, wall, img.height(), img.width(), 1, img.png());
            }
        });
    }

    @Override
    public void onCheckpoint(Path checkpoint) {
        write(() -> {
            log.write(event("checkpoint", "checkpoint saved: " + checkpoint));
            log.flush();
        });
    }

    @Override
    public void onTrainEnd(History history) {
        String share = String.format(Locale.ROOT, "statistics took %.2f%% of step time (histograms every %d steps)", 100 * statsShare(), sampling.every());
        String message = switch (history.stopReason()) {
            case COMPLETED -> "training completed after " + history.size() + " epochs; " + share;
            case EARLY_STOPPING -> "stopped early after epoch " + history.size() + " (no improvement for the patience); best epoch " + history.bestEpoch() + "; " + share;
            case NON_FINITE_LOSS -> "stopped: a NaN or infinite loss, output or gradient in epoch " + epoch + ", batch " + Math.min(lastBatch + 1, batches)
                    + " (step " + (step + 1) + "); the optimizer did not apply that step";
            case FAILED -> "training failed in epoch " + epoch + " after step " + step;
            case RUNNING -> "training ended";
        };
        String kind = switch (history.stopReason()) {
            case EARLY_STOPPING -> "early_stopping";
            case NON_FINITE_LOSS -> "non_finite";
            case FAILED -> "failed";
            default -> "completed";
        };
        Map<String, Object> r = event(kind, message);
        r.put("stats_share", statsShare());
        write(() -> log.write(r));
        try {
            close();
        } catch (IOException e) {
            throw new UncheckedIOException("run directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private Map<String, Object> record(String type) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("type", type);
        r.put("step", step);
        return r;
    }

    private Map<String, Object> event(String kind, String message) {
        Map<String, Object> r = record("event");
        r.put("event", kind);
        r.put("epoch", (long) epoch);
        r.put("time", (System.nanoTime() - beginNanos) / 1e9);
        r.put("message", message);
        return r;
    }

    private interface Io {
        void run() throws IOException;
    }

    private synchronized void write(Io io) {
        if (closed) return;
        try {
            io.run();
            long now = System.nanoTime();
            if (now - tensorBoardFlushed > TENSORBOARD_FLUSH_NANOS) {
                tensorBoard.flush();
                tensorBoardFlushed = now;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("run directory " + dir + ": writing failed: " + AtomicFiles.reason(e, dir), e);
        }
    }

    private static List<Object> shape(Tensor t) {
        List<Object> s = new ArrayList<>();
        for (int d : t.shape()) s.add((long) d);
        return s;
    }

    /**
     * Closes the files and, when not a single step was recorded (the run never started: its dashboard could not
     * start, say), removes them again and the directory if that leaves it empty.
     */
    public void discardIfEmpty() throws IOException {
        close();
        if (stepsRecorded > 0) return;
        Files.deleteIfExists(dir.resolve(RunLog.FILE));
        Files.deleteIfExists(dir.resolve(RunLog.SETTINGS));
        Files.deleteIfExists(tensorBoard.path());
        try (var left = Files.list(dir)) {
            if (left.findAny().isEmpty()) Files.delete(dir);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
        try (log; tensorBoard) {
            // both closed, the first failure reported
        }
    }
}
