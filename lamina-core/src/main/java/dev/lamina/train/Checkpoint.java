package dev.lamina.train;

import dev.lamina.io.CheckpointDirectory;
import dev.lamina.io.JsonCursor;
import dev.lamina.optim.OptimizerState;
import dev.lamina.optim.Scheduler;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a training run needs to continue exactly where it stopped, and its crash-safe on-disk form. No Java
 * serialization: tensors go to safetensors files (PyTorch names), everything else to a small JSON manifest.
 *
 * <h2>Layout</h2>
 * A checkpoint directory {@code DIR} holds complete checkpoints {@code DIR/ckpt-000000123/} (named by global step)
 * and a pointer file {@code DIR/latest} naming the current one. Each checkpoint holds
 * <ul>
 *   <li>{@code model.safetensors}: the model's state dict (parameters and buffers, PyTorch names and shapes);</li>
 *   <li>{@code optimizer.safetensors}: the optimizer's per-parameter buffers, named {@code PARAM/BUFFER}
 *       ({@code 1.weight/exp_avg}, {@code 1.weight/exp_avg_sq}, {@code 0.bias/momentum_buffer}), each with its
 *       parameter's shape;</li>
 *   <li>{@code best_weights.safetensors} (only with early stopping that restores the best weights, once there is a
 *       best epoch): the best epoch's state dict;</li>
 *   <li>{@code manifest.json}: format version, training progress (epoch, batches done in it, global step, the
 *       running sums of the unfinished epoch), optimizer step, learning rate and hyperparameters, scheduler
 *       position, early-stopping state, the state of every random generator, the metrics of the completed epochs,
 *       the configuration needed to rebuild the run (for the command line: model name, seed, optimizer...), and the
 *       size and SHA-256 of each of the other files.</li>
 * </ul>
 *
 * <h2>Atomicity</h2>
 * {@link #save} goes through {@link CheckpointDirectory}: a process killed at any moment leaves {@code latest}
 * naming a complete checkpoint, the new one or the previous one.
 *
 * <h2>Loading</h2>
 * {@link #load} trusts nothing: the pointer's name, the manifest's size, UTF-8 and JSON ({@link CheckpointDirectory}),
 * its format and version, every field's type and range, and each data file's presence, size and SHA-256 are checked, then the safetensors files
 * are read with {@link Safetensors}' own checks and every tensor's name and shape is checked against the manifest
 * and the model's state dict. Any problem is an {@link IOException} naming the file and what is wrong. Whether the
 * checkpoint fits a particular model and optimizer is checked when they load it (strictly: names and shapes).
 *
 * @param model               the model's state dict
 * @param optimizerParameters the model names of the optimizer's parameters, in the optimizer's order
 * @param optimizer           the optimizer's state
 * @param scheduler           the learning-rate scheduler's state, or null without one
 * @param earlyStopping       the early-stopping state, or null without early stopping
 * @param rngs                the state of every random generator of the run, by name
 * @param progress            where training stands
 * @param history             the completed epochs
 * @param bestEpoch           the history's best epoch (-1 without early stopping)
 * @param config              free-form settings to rebuild the run (the command line's flags), by name
 */
public record Checkpoint(Map<String, Tensor> model, List<String> optimizerParameters, OptimizerState optimizer,
                         Scheduler.State scheduler, EarlyStopping.State earlyStopping, Map<String, Rng.State> rngs,
                         Progress progress, List<EpochResult> history, int bestEpoch, Map<String, String> config) {

    /** The manifest format this class writes and reads. */
    public static final int FORMAT_VERSION = 1;
    public static final String FORMAT = "lamina-checkpoint";
    public static final String MANIFEST = CheckpointDirectory.MANIFEST;
    public static final String MODEL_FILE = "model.safetensors";
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    public static final String BEST_WEIGHTS_FILE = "best_weights.safetensors";
    /** The pointer file in a checkpoint directory that names the current checkpoint. */
    public static final String LATEST = CheckpointDirectory.LATEST;
    /** Checkpoints kept by {@link #save(Path)}: the new one and the one before it. */
    public static final int DEFAULT_KEEP = CheckpointDirectory.DEFAULT_KEEP;

    /**
     * Where a run stands. A checkpoint is taken either after a step in the middle of an epoch ({@code batch} steps
     * of epoch {@code epoch} done, {@code 0 < batch < batchesPerEpoch}) or at an epoch boundary, after the
     * epoch's validation, scheduler step and early-stopping check ({@code epoch} is then the next epoch and
     * {@code batch} 0; {@code epoch == epochs + 1} once the last epoch is done).
     *
     * @param epochs          epochs the run was asked for
     * @param epoch           the epoch in progress, from 1
     * @param batch           steps done in that epoch
     * @param batchesPerEpoch batches per epoch of the training loader (checked on resume)
     * @param batchSize       the training loader's batch size (checked on resume)
     * @param samplesPerEpoch examples per epoch of the training loader (checked on resume)
     * @param globalStep      optimizer steps done by the trainer over the whole run
     * @param stop            why the run ended ({@code History.Stop} name: {@code RUNNING} while it goes on,
     *                        {@code COMPLETED}, {@code EARLY_STOPPING})
     * @param lossSum         the unfinished epoch's sum of batch loss × batch size
     * @param seen            the unfinished epoch's examples so far
     * @param correct         the unfinished epoch's correctly classified examples so far
     * @param classification  whether every batch so far looked like classification
     * @param epochLr         the learning rate of the unfinished epoch
     * @param epochSeconds    training time spent in the unfinished epoch so far
     */
    public record Progress(int epochs, int epoch, int batch, int batchesPerEpoch, int batchSize, long samplesPerEpoch,
                           long globalStep, String stop, double lossSum, long seen, long correct, boolean classification,
                           double epochLr, double epochSeconds) {
    }

    public Checkpoint {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(optimizerParameters, "optimizerParameters");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(rngs, "rngs");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(config, "config");
        if (optimizerParameters.size() != optimizer.buffers().size()) {
            throw new IllegalArgumentException("Checkpoint: " + optimizerParameters.size() + " optimizer parameter names for the state of "
                    + optimizer.buffers().size() + " parameters");
        }
        for (String p : optimizerParameters) {
            if (!model.containsKey(p)) throw new IllegalArgumentException("Checkpoint: optimizer parameter '" + p + "' is not in the model's state dict");
        }
        model = Collections.unmodifiableMap(new LinkedHashMap<>(model));
        optimizerParameters = List.copyOf(optimizerParameters);
        rngs = Collections.unmodifiableMap(new LinkedHashMap<>(rngs));
        history = List.copyOf(history);
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
    }

    // ------------------------------------------------------------------------------------------------ saving

    /** Saves into {@code dir} keeping {@value #DEFAULT_KEEP} checkpoints; see {@link #save(Path, int)}. */
    public Path save(Path dir) throws IOException {
        return save(dir, DEFAULT_KEEP);
    }

    /**
     * Saves this checkpoint as a new {@code ckpt-STEP} directory under {@code dir} (created if needed), makes
     * {@code dir/latest} name it, and then deletes older checkpoints so that {@code keep} remain (0 keeps all),
     * along with any debris of interrupted saves ({@link CheckpointDirectory#save}). One process at a time may save
     * into a directory.
     *
     * @return the new checkpoint's directory
     */
    public Path save(Path dir, int keep) throws IOException {
        return save(dir, keep, CheckpointDirectory.Stage.NONE);
    }

    Path save(Path dir, int keep, CheckpointDirectory.Stage stage) throws IOException {
        List<CheckpointDirectory.TensorFile> files = new ArrayList<>();
        files.add(new CheckpointDirectory.TensorFile(MODEL_FILE, "model", model));
        Map<String, Tensor> opt = new LinkedHashMap<>();
        for (int i = 0; i < optimizerParameters.size(); i++) {
            String p = optimizerParameters.get(i);
            int[] shape = model.get(p).shape();
            for (Map.Entry<String, float[]> e : optimizer.buffers().get(i).entrySet()) opt.put(p + "/" + e.getKey(), Tensor.of(e.getValue(), shape));
        }
        files.add(new CheckpointDirectory.TensorFile(OPTIMIZER_FILE, "optimizer", opt));
        if (earlyStopping != null && earlyStopping.bestWeights() != null) {
            Map<String, Tensor> best = new LinkedHashMap<>();
            for (Map.Entry<String, float[]> e : earlyStopping.bestWeights().entrySet()) {
                Tensor t = model.get(e.getKey());
                int[] shape = t != null && t.numel() == e.getValue().length ? t.shape() : new int[] {e.getValue().length};
                best.put(e.getKey(), Tensor.of(e.getValue(), shape));
            }
            files.add(new CheckpointDirectory.TensorFile(BEST_WEIGHTS_FILE, "best-weights", best));
        }
        return CheckpointDirectory.save(dir, progress.globalStep(), files, manifest(), keep, stage);
    }

    /** The manifest without its "files" (which {@link CheckpointDirectory#save} adds). */
    private Map<String, Object> manifest() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("version", (long) FORMAT_VERSION);
        m.put("created", Instant.now().toString());
        m.put("config", new LinkedHashMap<>(config));

        Progress p = progress;
        Map<String, Object> pm = new LinkedHashMap<>();
        pm.put("epochs", (long) p.epochs());
        pm.put("epoch", (long) p.epoch());
        pm.put("batch", (long) p.batch());
        pm.put("batches_per_epoch", (long) p.batchesPerEpoch());
        pm.put("batch_size", (long) p.batchSize());
        pm.put("samples_per_epoch", p.samplesPerEpoch());
        pm.put("global_step", p.globalStep());
        pm.put("stop", p.stop());
        pm.put("epoch_loss_sum", p.lossSum());
        pm.put("epoch_seen", p.seen());
        pm.put("epoch_correct", p.correct());
        pm.put("epoch_classification", p.classification());
        pm.put("epoch_lr", p.epochLr());
        pm.put("epoch_seconds", p.epochSeconds());
        m.put("progress", pm);

        Map<String, Object> om = new LinkedHashMap<>();
        om.put("type", optimizer.type());
        om.put("step", optimizer.step());
        om.put("lr", optimizer.lr());
        om.put("hyperparameters", new LinkedHashMap<String, Object>(optimizer.hyperparameters()));
        om.put("parameters", new ArrayList<Object>(optimizerParameters));
        m.put("optimizer", om);

        if (scheduler != null) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("epoch", (long) scheduler.epoch());
            sm.put("base_lr", scheduler.baseLr());
            m.put("scheduler", sm);
        } else {
            m.put("scheduler", null);
        }

        if (earlyStopping != null) {
            Map<String, Object> em = new LinkedHashMap<>();
            em.put("best", earlyStopping.best());
            em.put("best_epoch", (long) earlyStopping.bestEpoch());
            em.put("wait", (long) earlyStopping.waited());
            em.put("best_weights", earlyStopping.bestWeights() != null);
            m.put("early_stopping", em);
        } else {
            m.put("early_stopping", null);
        }

        Map<String, Object> rm = new LinkedHashMap<>();
        for (Map.Entry<String, Rng.State> e : rngs.entrySet()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("seed", hex(e.getValue().seed()));
            s.put("counter", hex(e.getValue().counter()));
            s.put("spare_gaussian", e.getValue().spareGaussian());
            rm.put(e.getKey(), s);
        }
        m.put("rngs", rm);

        Map<String, Object> hm = new LinkedHashMap<>();
        hm.put("best_epoch", (long) bestEpoch);
        List<Object> epochs = new ArrayList<>();
        for (EpochResult r : history) epochs.add(epochJson(r));
        hm.put("epochs", epochs);
        m.put("history", hm);
        return m;
    }

    private static Map<String, Object> epochJson(EpochResult r) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("epoch", (long) r.epoch());
        e.put("train_loss", r.trainLoss());
        e.put("train_accuracy", r.trainAccuracy());
        e.put("lr", r.lr());
        e.put("epoch_seconds", r.epochSeconds());
        e.put("eval_seconds", r.evalSeconds());
        e.put("train_samples", r.trainSamples());
        Evaluation v = r.validation();
        if (v == null) {
            e.put("validation", null);
        } else {
            Map<String, Object> vm = new LinkedHashMap<>();
            vm.put("loss", v.loss());
            vm.put("accuracy", v.accuracy());
            vm.put("samples", (long) v.samples());
            if (v.confusion() == null) {
                vm.put("confusion", null);
            } else {
                List<Object> rows = new ArrayList<>();
                for (long[] row : v.confusion().counts()) {
                    List<Object> l = new ArrayList<>();
                    for (long c : row) l.add(c);
                    rows.add(l);
                }
                vm.put("confusion", rows);
            }
            e.put("validation", vm);
        }
        return e;
    }

    private static String hex(long v) {
        return "0x" + HexFormat.of().toHexDigits(v);
    }

    /**
     * The checkpoint directory {@code path} stands for: {@code path} itself when it holds a manifest, else the
     * checkpoint its {@code latest} pointer names ({@link CheckpointDirectory#locate}).
     */
    public static Path locate(Path path) throws IOException {
        return CheckpointDirectory.locate(path);
    }

    /** Loads the checkpoint {@code path} stands for ({@link #locate}), checking everything (see the class comment). */
    public static Checkpoint load(Path path) throws IOException {
        CheckpointDirectory.Opened opened = CheckpointDirectory.open(path);
        Path dir = opened.dir();
        String src = opened.source();
        JsonCursor root = opened.manifest();
        String format = root.get("format").string();
        if (!format.equals(FORMAT)) throw new IOException(src + ": not a Lamina checkpoint manifest (format \"" + JsonCursor.printable(format) + "\")");
        long version = root.get("version").longValue();
        if (version != FORMAT_VERSION) {
            throw new IOException(src + ": checkpoint format version " + version + (version > FORMAT_VERSION
                    ? " was written by a newer Lamina; this one reads version " + FORMAT_VERSION
                    : " is not supported; this Lamina reads version " + FORMAT_VERSION));
        }
        root.allowOnly("format", "version", "created", "config", "progress", "optimizer", "scheduler", "early_stopping", "rngs", "history", "files");

        JsonCursor files = root.get("files");
        Set<String> known = Set.of(MODEL_FILE, OPTIMIZER_FILE, BEST_WEIGHTS_FILE);
        for (String f : files.keys()) {
            if (!known.contains(f)) throw files.error("unknown file \"" + JsonCursor.printable(f) + "\"");
        }
        Map<String, Tensor> model = opened.read(MODEL_FILE);
        Map<String, Tensor> optTensors = opened.read(OPTIMIZER_FILE);

        Map<String, String> config = new LinkedHashMap<>();
        JsonCursor cfg = root.get("config");
        for (String k : cfg.keys()) config.put(k, cfg.get(k).string());

        JsonCursor pm = root.get("progress");
        pm.allowOnly("epochs", "epoch", "batch", "batches_per_epoch", "batch_size", "samples_per_epoch", "global_step", "stop",
                "epoch_loss_sum", "epoch_seen", "epoch_correct", "epoch_classification", "epoch_lr", "epoch_seconds");
        int epochs = pm.get("epochs").intIn(1, Integer.MAX_VALUE);
        int batches = pm.get("batches_per_epoch").intIn(1, Integer.MAX_VALUE);
        Progress progress = new Progress(epochs, pm.get("epoch").intIn(1, Integer.MAX_VALUE), pm.get("batch").intIn(0, batches - 1),
                batches, pm.get("batch_size").intIn(1, Integer.MAX_VALUE), pm.get("samples_per_epoch").longIn(1, Long.MAX_VALUE),
                pm.get("global_step").longIn(0, Long.MAX_VALUE), pm.get("stop").oneOf("RUNNING", "COMPLETED", "EARLY_STOPPING"),
                pm.get("epoch_loss_sum").doubleValue(), pm.get("epoch_seen").longIn(0, Long.MAX_VALUE),
                pm.get("epoch_correct").longIn(0, Long.MAX_VALUE), pm.get("epoch_classification").bool(),
                pm.get("epoch_lr").doubleValue(), pm.get("epoch_seconds").doubleValue());

        JsonCursor om = root.get("optimizer");
        om.allowOnly("type", "step", "lr", "hyperparameters", "parameters");
        List<String> params = new ArrayList<>();
        for (JsonCursor n : om.get("parameters").list()) {
            String p = n.string();
            if (!model.containsKey(p)) throw n.error("optimizer parameter \"" + JsonCursor.printable(p) + "\" is not in " + MODEL_FILE);
            if (params.contains(p)) throw n.error("optimizer parameter \"" + JsonCursor.printable(p) + "\" is listed twice");
            params.add(p);
        }
        List<Map<String, float[]>> buffers = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) buffers.add(new LinkedHashMap<>());
        String optSrc = dir.resolve(OPTIMIZER_FILE).toString();
        for (Map.Entry<String, Tensor> e : optTensors.entrySet()) {
            String key = e.getKey();
            int slash = key.lastIndexOf('/');
            int index = slash < 0 ? -1 : params.indexOf(key.substring(0, slash));
            if (index < 0) {
                throw new IOException(optSrc + ": tensor \"" + JsonCursor.printable(key) + "\" is not PARAMETER/BUFFER for a parameter listed in the manifest");
            }
            int[] expected = model.get(params.get(index)).shape();
            if (!Arrays.equals(expected, e.getValue().shape())) {
                throw new IOException(optSrc + ": tensor \"" + JsonCursor.printable(key) + "\" has shape " + Shape.str(e.getValue().shape())
                        + " but its parameter has shape " + Shape.str(expected));
            }
            buffers.get(index).put(key.substring(slash + 1), e.getValue().toArray());
        }
        Map<String, Double> hyper = new LinkedHashMap<>();
        JsonCursor hn = om.get("hyperparameters");
        for (String k : hn.keys()) hyper.put(k, hn.get(k).doubleValue());
        OptimizerState optimizer = new OptimizerState(om.get("type").string(), om.get("step").longIn(0, Long.MAX_VALUE),
                om.get("lr").doubleValue(), hyper, buffers);

        Scheduler.State scheduler = null;
        JsonCursor sn = root.get("scheduler");
        if (!sn.isNull()) {
            sn.allowOnly("epoch", "base_lr");
            scheduler = new Scheduler.State(sn.get("epoch").intIn(0, Integer.MAX_VALUE), sn.get("base_lr").doubleValue());
        }

        EarlyStopping.State early = null;
        JsonCursor en = root.get("early_stopping");
        boolean bestFileListed = files.has(BEST_WEIGHTS_FILE);
        if (!en.isNull()) {
            en.allowOnly("best", "best_epoch", "wait", "best_weights");
            boolean hasBest = en.get("best_weights").bool();
            if (hasBest != bestFileListed) {
                throw en.error(hasBest ? "best weights are announced but " + BEST_WEIGHTS_FILE + " is not listed in \"files\""
                        : BEST_WEIGHTS_FILE + " is listed but no best weights are announced");
            }
            Map<String, float[]> best = null;
            if (hasBest) {
                best = new LinkedHashMap<>();
                String bestSrc = dir.resolve(BEST_WEIGHTS_FILE).toString();
                for (Map.Entry<String, Tensor> e : opened.read(BEST_WEIGHTS_FILE).entrySet()) {
                    Tensor m = model.get(e.getKey());
                    if (m == null) throw new IOException(bestSrc + ": tensor \"" + JsonCursor.printable(e.getKey()) + "\" is not in " + MODEL_FILE);
                    if (!Arrays.equals(m.shape(), e.getValue().shape())) {
                        throw new IOException(bestSrc + ": tensor \"" + JsonCursor.printable(e.getKey()) + "\" has shape " + Shape.str(e.getValue().shape())
                                + ", in " + MODEL_FILE + " " + Shape.str(m.shape()));
                    }
                    best.put(e.getKey(), e.getValue().toArray());
                }
            }
            early = new EarlyStopping.State(en.get("best").doubleValue(), en.get("best_epoch").intIn(-1, Integer.MAX_VALUE),
                    en.get("wait").intIn(0, Integer.MAX_VALUE), best);
        } else if (bestFileListed) {
            throw files.error(BEST_WEIGHTS_FILE + " is listed but the run has no early stopping");
        }

        Map<String, Rng.State> rngs = new LinkedHashMap<>();
        JsonCursor rn = root.get("rngs");
        for (String k : rn.keys()) {
            JsonCursor s = rn.get(k);
            s.allowOnly("seed", "counter", "spare_gaussian");
            rngs.put(k, new Rng.State(s.get("seed").hexLong(), s.get("counter").hexLong(), s.get("spare_gaussian").doubleValue()));
        }

        JsonCursor hm = root.get("history");
        hm.allowOnly("best_epoch", "epochs");
        List<EpochResult> history = new ArrayList<>();
        for (JsonCursor e : hm.get("epochs").list()) history.add(epochFromJson(e, history.size() + 1));
        if (progress.epoch() != history.size() + 1) {
            throw pm.error("epoch " + progress.epoch() + " is in progress but the history holds " + history.size() + " epochs");
        }
        int bestEpoch = hm.get("best_epoch").intIn(-1, history.size());

        try {
            return new Checkpoint(model, params, optimizer, scheduler, early, rngs, progress, history, bestEpoch, config);
        } catch (IllegalArgumentException e) {
            throw new IOException(src + ": " + e.getMessage(), e);
        }
    }

    private static EpochResult epochFromJson(JsonCursor e, int expectedEpoch) throws IOException {
        e.allowOnly("epoch", "train_loss", "train_accuracy", "lr", "epoch_seconds", "eval_seconds", "train_samples", "validation");
        int epoch = e.get("epoch").intIn(expectedEpoch, expectedEpoch);
        Evaluation validation = null;
        JsonCursor v = e.get("validation");
        if (!v.isNull()) {
            v.allowOnly("loss", "accuracy", "samples", "confusion");
            ConfusionMatrix cm = null;
            JsonCursor c = v.get("confusion");
            if (!c.isNull()) {
                List<JsonCursor> rows = c.list();
                if (rows.isEmpty()) throw c.error("a confusion matrix needs at least one class");
                long[][] counts = new long[rows.size()][];
                for (int a = 0; a < rows.size(); a++) {
                    List<JsonCursor> row = rows.get(a).list();
                    if (row.size() != rows.size()) throw rows.get(a).error("row of " + row.size() + " counts in a " + rows.size() + "-class matrix");
                    counts[a] = new long[row.size()];
                    for (int p = 0; p < row.size(); p++) counts[a][p] = row.get(p).longIn(0, Integer.MAX_VALUE);
                }
                cm = ConfusionMatrix.of(counts);
            }
            validation = new Evaluation(v.get("loss").doubleValue(), v.get("accuracy").doubleValue(), cm,
                    v.get("samples").intIn(0, Integer.MAX_VALUE));
        }
        return new EpochResult(epoch, e.get("train_loss").doubleValue(), e.get("train_accuracy").doubleValue(), validation,
                e.get("lr").doubleValue(), e.get("epoch_seconds").doubleValue(), e.get("eval_seconds").doubleValue(),
                e.get("train_samples").longIn(0, Long.MAX_VALUE));
    }
}
