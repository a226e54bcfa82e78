package dev.lamina.io;

import dev.lamina.optim.OptimizerState;
import dev.lamina.optim.Scheduler;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;
import dev.lamina.train.ConfusionMatrix;
import dev.lamina.train.EarlyStopping;
import dev.lamina.train.EpochResult;
import dev.lamina.train.Evaluation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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
 * {@link #save} writes a new checkpoint into a fresh hidden directory {@code DIR/.tmp-ckpt-...}, forcing every
 * file and the directory to disk; renames it to its final name; then replaces {@code DIR/latest} atomically (a
 * temporary file, forced, renamed over it) and forces {@code DIR}; only then does it delete checkpoints beyond the
 * number to keep. A process killed at any moment therefore leaves {@code latest} naming a complete checkpoint: the
 * new one or the previous one. Debris of an interrupted save (a temporary directory, a renamed checkpoint that
 * {@code latest} never came to name) is ignored by {@link #load} and removed by the next save.
 *
 * <h2>Loading</h2>
 * {@link #load} trusts nothing: the pointer's name, the manifest's size, UTF-8, JSON, format and version, every
 * field's type and range, and each data file's presence, size and SHA-256 are checked, then the safetensors files
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
    public static final String MANIFEST = "manifest.json";
    public static final String MODEL_FILE = "model.safetensors";
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    public static final String BEST_WEIGHTS_FILE = "best_weights.safetensors";
    /** The pointer file in a checkpoint directory that names the current checkpoint. */
    public static final String LATEST = "latest";
    /** Checkpoints kept by {@link #save(Path)}: the new one and the one before it. */
    public static final int DEFAULT_KEEP = 2;

    private static final String TMP_PREFIX = ".tmp-ckpt-";
    private static final Pattern NAME = Pattern.compile("ckpt-(\\d{9,19})(?:-(\\d{1,9}))?");
    private static final long MAX_MANIFEST_BYTES = 64L << 20;
    private static final int MAX_POINTER_BYTES = 256;

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

    /** Called at each stage of {@link #save}; tests use it to fail or to photograph the directory mid-save. */
    @FunctionalInterface
    interface Stage {
        void reached(String stage) throws IOException;
    }

    /** Saves into {@code dir} keeping {@value #DEFAULT_KEEP} checkpoints; see {@link #save(Path, int)}. */
    public Path save(Path dir) throws IOException {
        return save(dir, DEFAULT_KEEP);
    }

    /**
     * Saves this checkpoint as a new {@code ckpt-STEP} directory under {@code dir} (created if needed), makes
     * {@code dir/latest} name it, and then deletes older checkpoints so that {@code keep} remain (0 keeps all),
     * along with any debris of interrupted saves. See the class comment for why a crash at any moment leaves a
     * loadable checkpoint. One process at a time may save into a directory.
     *
     * @return the new checkpoint's directory
     */
    public Path save(Path dir, int keep) throws IOException {
        return save(dir, keep, s -> { });
    }

    Path save(Path dir, int keep, Stage stage) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (keep < 0) throw new IllegalArgumentException("Checkpoint.save: keep must be >= 0, got " + keep);
        Path root = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new IOException("cannot create the checkpoint directory " + dir + ": " + AtomicFiles.reason(e, dir), e);
        }
        removeDebris(root);
        Path tmp = root.resolve(TMP_PREFIX + String.format("%09d", progress.globalStep()) + "-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
        try {
            Files.createDirectory(tmp);
        } catch (IOException e) {
            throw new IOException("cannot save a checkpoint into " + dir + ": " + AtomicFiles.reason(e, tmp), e);
        }
        boolean complete = false;
        try {
            stage.reached("tmp-created");

            Map<String, Object> files = new LinkedHashMap<>();
            Safetensors.write(tmp.resolve(MODEL_FILE), model);
            files.put(MODEL_FILE, fileEntry(tmp.resolve(MODEL_FILE)));
            stage.reached("model");

            Map<String, Tensor> opt = new LinkedHashMap<>();
            for (int i = 0; i < optimizerParameters.size(); i++) {
                String p = optimizerParameters.get(i);
                int[] shape = model.get(p).shape();
                for (Map.Entry<String, float[]> e : optimizer.buffers().get(i).entrySet()) {
                    opt.put(p + "/" + e.getKey(), Tensor.of(e.getValue(), shape));
                }
            }
            Safetensors.write(tmp.resolve(OPTIMIZER_FILE), opt);
            files.put(OPTIMIZER_FILE, fileEntry(tmp.resolve(OPTIMIZER_FILE)));
            stage.reached("optimizer");

            if (earlyStopping != null && earlyStopping.bestWeights() != null) {
                Map<String, Tensor> best = new LinkedHashMap<>();
                for (Map.Entry<String, float[]> e : earlyStopping.bestWeights().entrySet()) {
                    Tensor t = model.get(e.getKey());
                    int[] shape = t != null && t.numel() == e.getValue().length ? t.shape() : new int[] {e.getValue().length};
                    best.put(e.getKey(), Tensor.of(e.getValue(), shape));
                }
                Safetensors.write(tmp.resolve(BEST_WEIGHTS_FILE), best);
                files.put(BEST_WEIGHTS_FILE, fileEntry(tmp.resolve(BEST_WEIGHTS_FILE)));
                stage.reached("best-weights");
            }

            writeAtomically(tmp.resolve(MANIFEST), ManifestJson.write(manifest(files)).getBytes(StandardCharsets.UTF_8));
            stage.reached("manifest");
            forceDirectory(tmp);
            stage.reached("synced");
            complete = true;
        } finally {
            if (!complete) {
                try {
                    deleteTree(tmp);
                } catch (IOException ignored) {
                    // the original failure matters; the next save removes the debris
                }
            }
        }

        String latest;
        try {
            latest = readPointer(root);
        } catch (IOException malformed) {
            latest = null; // replaced below
        }
        String name = String.format("ckpt-%09d", progress.globalStep());
        for (int k = 1; name.equals(latest) || (Files.exists(root.resolve(name), LinkOption.NOFOLLOW_LINKS) && !deleteTree(root.resolve(name))); k++) {
            name = String.format("ckpt-%09d-%d", progress.globalStep(), k);
        }
        Path target = root.resolve(name);
        AtomicFiles.move(tmp, target);
        forceDirectory(root);
        stage.reached("renamed");

        writeAtomically(root.resolve(LATEST), (name + "\n").getBytes(StandardCharsets.US_ASCII));
        stage.reached("latest");

        prune(root, name, keep);
        stage.reached("pruned");
        return target;
    }

    private static Map<String, Object> fileEntry(Path file) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bytes", Files.size(file));
        m.put("sha256", sha256(file));
        return m;
    }

    private Map<String, Object> manifest(Map<String, Object> files) {
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

        m.put("files", files);
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

    /** Removes the temporary directories and pointer files of interrupted saves (renamed orphans are left to {@link #prune}). */
    private static void removeDebris(Path root) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.startsWith(TMP_PREFIX) || (n.startsWith("." + LATEST + ".") && n.endsWith(".tmp"))) deleteTree(p);
            }
        }
    }

    /** Keeps the new checkpoint and the {@code keep - 1} newest older ones (by step); deletes the rest. */
    private static void prune(Path root, String current, int keep) throws IOException {
        if (keep == 0) return;
        long currentStep = stepOf(current);
        List<String> older = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.equals(current) || !NAME.matcher(n).matches()) continue;
                if (stepOf(n) > currentStep) {
                    deleteTree(p); // a later checkpoint of an abandoned continuation: this run resumed before it
                } else {
                    older.add(n);
                }
            }
        }
        older.sort(Comparator.comparingLong(Checkpoint::stepOf).thenComparingInt(Checkpoint::suffixOf).reversed());
        for (int i = keep - 1; i < older.size(); i++) deleteTree(root.resolve(older.get(i)));
    }

    private static long stepOf(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) return -1;
        try {
            return Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static int suffixOf(String name) {
        Matcher m = NAME.matcher(name);
        return m.matches() && m.group(2) != null ? Integer.parseInt(m.group(2)) : 0;
    }

    /** Deletes a file or directory tree; true when it is gone. */
    private static boolean deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return true;
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.walk(p)) {
                for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
            }
        } else {
            Files.deleteIfExists(p);
        }
        return !Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }

    /** Writes {@code bytes} to a temporary file beside {@code target}, forces it, renames it over {@code target}, forces the directory. */
    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        AtomicFiles.write(target, bytes);
    }

    private static void forceDirectory(Path dir) {
        AtomicFiles.forceDirectory(dir);
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) md.update(buf, 0, r);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    // ------------------------------------------------------------------------------------------------ loading

    /**
     * The checkpoint directory {@code path} stands for: {@code path} itself when it holds a {@code manifest.json},
     * else the checkpoint that {@code path/latest} names.
     *
     * @throws IOException when there is neither, or the pointer is invalid or names a missing directory
     */
    public static Path locate(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        if (!Files.isDirectory(path)) throw new NoSuchFileException(path + ": no such checkpoint directory");
        if (Files.exists(path.resolve(MANIFEST), LinkOption.NOFOLLOW_LINKS)) return path;
        String name = readPointer(path);
        if (name == null) {
            throw new IOException(path + ": no checkpoint here (neither a " + MANIFEST + " nor a '" + LATEST + "' pointer)");
        }
        Path target = path.resolve(name);
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(path.resolve(LATEST) + " names " + name + ", which does not exist in " + path);
        }
        return target;
    }

    /** The name in {@code dir/latest}, or null when there is no such file; a malformed pointer is an error. */
    private static String readPointer(Path dir) throws IOException {
        Path p = dir.resolve(LATEST);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return null;
        long size = Files.size(p);
        if (size > MAX_POINTER_BYTES) throw new IOException(p + ": " + size + " bytes is too large for a checkpoint pointer");
        String name = new String(Files.readAllBytes(p), StandardCharsets.US_ASCII).strip();
        if (!NAME.matcher(name).matches()) {
            throw new IOException(p + ": does not name a checkpoint (expected ckpt-NNNNNNNNN, got \"" + printable(name) + "\")");
        }
        return name;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        return sb.length() > 60 ? sb.substring(0, 60) + "..." : sb.toString();
    }

    /** Loads the checkpoint {@code path} stands for ({@link #locate}), checking everything (see the class comment). */
    public static Checkpoint load(Path path) throws IOException {
        Path dir = locate(path);
        Path manifestPath = dir.resolve(MANIFEST);
        String src = manifestPath.toString();
        if (!Files.isRegularFile(manifestPath)) throw new IOException(src + ": missing (the checkpoint is incomplete)");
        long size = Files.size(manifestPath);
        if (size > MAX_MANIFEST_BYTES) throw new IOException(src + ": " + size + " bytes exceeds the limit of " + MAX_MANIFEST_BYTES);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(manifestPath))).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(src + ": not valid UTF-8", e);
        }
        Node root = new Node(ManifestJson.parse(text, src), src, "");
        String format = root.get("format").string();
        if (!format.equals(FORMAT)) throw new IOException(src + ": not a Lamina checkpoint manifest (format \"" + printable(format) + "\")");
        long version = root.get("version").longValue();
        if (version != FORMAT_VERSION) {
            throw new IOException(src + ": checkpoint format version " + version + (version > FORMAT_VERSION
                    ? " was written by a newer Lamina; this one reads version " + FORMAT_VERSION
                    : " is not supported; this Lamina reads version " + FORMAT_VERSION));
        }
        root.allowOnly("format", "version", "created", "config", "progress", "optimizer", "scheduler", "early_stopping", "rngs", "history", "files");

        Node files = root.get("files");
        Set<String> known = Set.of(MODEL_FILE, OPTIMIZER_FILE, BEST_WEIGHTS_FILE);
        for (String f : files.keys()) {
            if (!known.contains(f)) throw files.error("unknown file \"" + printable(f) + "\"");
        }
        Map<String, Tensor> model = readVerified(dir, files, MODEL_FILE);
        Map<String, Tensor> optTensors = readVerified(dir, files, OPTIMIZER_FILE);

        Map<String, String> config = new LinkedHashMap<>();
        Node cfg = root.get("config");
        for (String k : cfg.keys()) config.put(k, cfg.get(k).string());

        Node pm = root.get("progress");
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

        Node om = root.get("optimizer");
        om.allowOnly("type", "step", "lr", "hyperparameters", "parameters");
        List<String> params = new ArrayList<>();
        for (Node n : om.get("parameters").list()) {
            String p = n.string();
            if (!model.containsKey(p)) throw n.error("optimizer parameter \"" + printable(p) + "\" is not in " + MODEL_FILE);
            if (params.contains(p)) throw n.error("optimizer parameter \"" + printable(p) + "\" is listed twice");
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
                throw new IOException(optSrc + ": tensor \"" + printable(key) + "\" is not PARAMETER/BUFFER for a parameter listed in the manifest");
            }
            int[] expected = model.get(params.get(index)).shape();
            if (!Arrays.equals(expected, e.getValue().shape())) {
                throw new IOException(optSrc + ": tensor \"" + printable(key) + "\" has shape " + Shape.str(e.getValue().shape())
                        + " but its parameter has shape " + Shape.str(expected));
            }
            buffers.get(index).put(key.substring(slash + 1), e.getValue().toArray());
        }
        Map<String, Double> hyper = new LinkedHashMap<>();
        Node hn = om.get("hyperparameters");
        for (String k : hn.keys()) hyper.put(k, hn.get(k).doubleValue());
        OptimizerState optimizer = new OptimizerState(om.get("type").string(), om.get("step").longIn(0, Long.MAX_VALUE),
                om.get("lr").doubleValue(), hyper, buffers);

        Scheduler.State scheduler = null;
        Node sn = root.get("scheduler");
        if (!sn.isNull()) {
            sn.allowOnly("epoch", "base_lr");
            scheduler = new Scheduler.State(sn.get("epoch").intIn(0, Integer.MAX_VALUE), sn.get("base_lr").doubleValue());
        }

        EarlyStopping.State early = null;
        Node en = root.get("early_stopping");
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
                for (Map.Entry<String, Tensor> e : readVerified(dir, files, BEST_WEIGHTS_FILE).entrySet()) {
                    Tensor m = model.get(e.getKey());
                    if (m == null) throw new IOException(bestSrc + ": tensor \"" + printable(e.getKey()) + "\" is not in " + MODEL_FILE);
                    if (!Arrays.equals(m.shape(), e.getValue().shape())) {
                        throw new IOException(bestSrc + ": tensor \"" + printable(e.getKey()) + "\" has shape " + Shape.str(e.getValue().shape())
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
        Node rn = root.get("rngs");
        for (String k : rn.keys()) {
            Node s = rn.get(k);
            s.allowOnly("seed", "counter", "spare_gaussian");
            rngs.put(k, new Rng.State(s.get("seed").hexLong(), s.get("counter").hexLong(), s.get("spare_gaussian").doubleValue()));
        }

        Node hm = root.get("history");
        hm.allowOnly("best_epoch", "epochs");
        List<EpochResult> history = new ArrayList<>();
        for (Node e : hm.get("epochs").list()) history.add(epochFromJson(e, history.size() + 1));
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

    private static EpochResult epochFromJson(Node e, int expectedEpoch) throws IOException {
        e.allowOnly("epoch", "train_loss", "train_accuracy", "lr", "epoch_seconds", "eval_seconds", "train_samples", "validation");
        int epoch = e.get("epoch").intIn(expectedEpoch, expectedEpoch);
        Evaluation validation = null;
        Node v = e.get("validation");
        if (!v.isNull()) {
            v.allowOnly("loss", "accuracy", "samples", "confusion");
            ConfusionMatrix cm = null;
            Node c = v.get("confusion");
            if (!c.isNull()) {
                List<Node> rows = c.list();
                if (rows.isEmpty()) throw c.error("a confusion matrix needs at least one class");
                long[][] counts = new long[rows.size()][];
                for (int a = 0; a < rows.size(); a++) {
                    List<Node> row = rows.get(a).list();
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

    /** Checks a listed file's presence, size and SHA-256 before reading it as safetensors. */
    private static Map<String, Tensor> readVerified(Path dir, Node files, String name) throws IOException {
        Path file = dir.resolve(name);
        if (!files.has(name)) throw files.error("the checkpoint must list " + name);
        Node f = files.get(name);
        f.allowOnly("bytes", "sha256");
        long bytes = f.get("bytes").longIn(0, Long.MAX_VALUE);
        String sha = f.get("sha256").string();
        if (!Files.isRegularFile(file)) throw new IOException(file + ": missing (the checkpoint is incomplete or was altered)");
        long actual = Files.size(file);
        if (actual != bytes) {
            throw new IOException(file + ": " + actual + " bytes, the manifest says " + bytes + (actual < bytes ? " (truncated)" : ""));
        }
        String actualSha = sha256(file);
        if (!actualSha.equalsIgnoreCase(sha)) {
            throw new IOException(file + ": SHA-256 " + actualSha + " differs from the manifest's " + printable(sha) + " (the file is corrupt)");
        }
        return Safetensors.read(file);
    }

    /** A manifest value with its path, for typed access with clear errors. */
    private record Node(Object value, String src, String path) {
        IOException error(String what) {
            return new IOException(src + ": " + (path.isEmpty() ? "" : path + ": ") + what);
        }

        private String type() {
            return switch (value) {
                case null -> "null";
                case Map<?, ?> m -> "an object";
                case List<?> l -> "an array";
                case String s -> "a string";
                case Boolean b -> "a boolean";
                default -> "a number";
            };
        }

        Map<?, ?> map() throws IOException {
            if (!(value instanceof Map<?, ?> m)) throw error("expected an object, got " + type());
            return m;
        }

        boolean has(String key) throws IOException {
            return map().containsKey(key);
        }

        Node get(String key) throws IOException {
            Map<?, ?> m = map();
            if (!m.containsKey(key)) throw error("missing field \"" + key + "\"");
            return new Node(m.get(key), src, path.isEmpty() ? key : path + "." + key);
        }

        List<String> keys() throws IOException {
            List<String> out = new ArrayList<>();
            for (Object k : map().keySet()) out.add((String) k);
            return out;
        }

        void allowOnly(String... keys) throws IOException {
            Set<String> allowed = Set.of(keys);
            for (String k : keys()) if (!allowed.contains(k)) throw error("unknown field \"" + printable(k) + "\"");
        }

        List<Node> list() throws IOException {
            if (!(value instanceof List<?> l)) throw error("expected an array, got " + type());
            List<Node> out = new ArrayList<>();
            for (int i = 0; i < l.size(); i++) out.add(new Node(l.get(i), src, path + "[" + i + "]"));
            return out;
        }

        boolean isNull() {
            return value == null;
        }

        String string() throws IOException {
            if (!(value instanceof String s)) throw error("expected a string, got " + type());
            return s;
        }

        String oneOf(String... options) throws IOException {
            String s = string();
            if (!List.of(options).contains(s)) throw error("expected one of " + List.of(options) + ", got \"" + printable(s) + "\"");
            return s;
        }

        boolean bool() throws IOException {
            if (!(value instanceof Boolean b)) throw error("expected true or false, got " + type());
            return b;
        }

        long longIn(long min, long max) throws IOException {
            if (!(value instanceof Long l)) throw error("expected an integer, got " + (value instanceof Double d ? d.toString() : type()));
            if (l < min || l > max) throw error(l + " is out of range [" + min + ", " + max + "]");
            return l;
        }

        long longValue() throws IOException {
            return longIn(Long.MIN_VALUE, Long.MAX_VALUE);
        }

        int intIn(int min, int max) throws IOException {
            return (int) longIn(min, max);
        }

        double doubleValue() throws IOException {
            return switch (value) {
                case Long l -> l;
                case Double d -> d;
                case String s when s.equals("NaN") -> Double.NaN;
                case String s when s.equals("Infinity") -> Double.POSITIVE_INFINITY;
                case String s when s.equals("-Infinity") -> Double.NEGATIVE_INFINITY;
                case null, default -> throw error("expected a number, got " + type());
            };
        }

        long hexLong() throws IOException {
            String s = string();
            if (!s.matches("0x[0-9a-f]{16}")) throw error("expected 0x and 16 hex digits, got \"" + printable(s) + "\"");
            return Long.parseUnsignedLong(s.substring(2), 16);
        }
    }
}
