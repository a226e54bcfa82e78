package dev.lamina.train;

import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.nn.Dropout;
import dev.lamina.nn.Linear;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.Sequential;
import dev.lamina.optim.Adam;
import dev.lamina.optim.AdamW;
import dev.lamina.optim.LrSchedule;
import dev.lamina.optim.Optimizer;
import dev.lamina.optim.OptimizerState;
import dev.lamina.optim.RMSprop;
import dev.lamina.optim.SGD;
import dev.lamina.optim.Scheduler;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import dev.lamina.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Saving and loading checkpoints: exact round trips, crash safety of the directory switch, and rejection of damaged files. */
class CheckpointTest {
    @TempDir
    Path tmp;

    private static final Tensor X = Tensor.randn(new Rng(3), 10, 6);
    private static final Tensor Y = Tensor.of(new float[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0}, 10);

    private static Sequential model(long seed) {
        Rng rng = new Rng(seed);
        return new Sequential(new Linear(6, 8, true, rng), new ReLU(), new Dropout(0.25, rng.split()), new Linear(8, 3, true, rng));
    }

    private static Optimizer optimizer(String kind, Sequential m, double lr) {
        return switch (kind) {
            case "sgd" -> new SGD(m.parameters(), lr);
            case "sgd-momentum" -> new SGD(m.parameters(), lr).momentum(0.9).dampening(0.1).weightDecay(0.01);
            case "sgd-nesterov" -> new SGD(m.parameters(), lr).momentum(0.8).nesterov(true);
            case "adam" -> new Adam(m.parameters(), lr);
            case "adam-amsgrad" -> new Adam(m.parameters(), lr).amsgrad(true).betas(0.8, 0.95).eps(1e-6).weightDecay(0.01);
            case "adamw" -> new AdamW(m.parameters(), lr, 0.1);
            case "rmsprop" -> new RMSprop(m.parameters(), lr);
            case "rmsprop-centered" -> new RMSprop(m.parameters(), lr).centered(true).momentum(0.7).alpha(0.9).weightDecay(0.01);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static void step(Sequential m, Optimizer opt) {
        opt.zeroGrad();
        new CrossEntropyLoss().forward(m.forward(X), Y).backward();
        opt.step();
    }

    private static Checkpoint checkpoint(Sequential m, Optimizer opt, Scheduler sched, EarlyStopping es, Map<String, Rng> rngs, long step,
                                         List<EpochResult> history) {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        m.stateDict().forEach((k, t) -> weights.put(k, Tensor.of(t.toArray(), t.shape())));
        Map<String, Rng.State> states = new LinkedHashMap<>();
        rngs.forEach((k, r) -> states.put(k, r.state()));
        List<String> params = new ArrayList<>(m.namedParameters().keySet());
        Checkpoint.Progress p = new Checkpoint.Progress(3, history.size() + 1, 1, 4, 10, 40, step, "RUNNING", 1.25, 10, 7, true, opt.lr(), 0.5);
        return new Checkpoint(weights, params, opt.stateDict(), sched == null ? null : sched.stateDict(), es == null ? null : es.state(),
                states, p, history, es == null ? -1 : es.bestEpoch(), Map.of("model", "test", "seed", "3"));
    }

    private static Checkpoint simple(long step) {
        Sequential m = model(1);
        Optimizer opt = optimizer("adam", m, 1e-2);
        for (int i = 0; i < 2; i++) step(m, opt);
        return checkpoint(m, opt, null, null, Map.of("global", new Rng(5)), step, List.of());
    }

    private static void assertSameState(OptimizerState a, OptimizerState b) {
        assertEquals(a.type(), b.type());
        assertEquals(a.step(), b.step());
        assertEquals(a.lr(), b.lr());
        assertEquals(a.hyperparameters(), b.hyperparameters());
        assertEquals(a.buffers().size(), b.buffers().size());
        for (int i = 0; i < a.buffers().size(); i++) {
            assertEquals(a.buffers().get(i).keySet(), b.buffers().get(i).keySet(), "buffers of parameter " + i);
            for (String k : a.buffers().get(i).keySet()) assertArrayEquals(a.buffers().get(i).get(k), b.buffers().get(i).get(k), k);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "sgd-momentum", "sgd-nesterov", "adam", "adam-amsgrad", "adamw", "rmsprop", "rmsprop-centered"})
    void optimizerSchedulerAndRngStateRoundTripExactlyThroughDisk(String kind) throws IOException {
        Sequential m = model(1);
        Optimizer opt = optimizer(kind, m, 0.05);
        Scheduler sched = new Scheduler(opt, LrSchedule.step(2, 0.5));
        Rng extra = new Rng(77);
        extra.nextGaussian(); // a spare normal is cached
        for (int i = 0; i < 3; i++) step(m, opt);
        sched.step();
        sched.step();
        sched.step();
        ConfusionMatrix cm = ConfusionMatrix.of(new long[][] {{3, 1, 0}, {0, 2, 1}, {1, 0, 2}});
        List<EpochResult> history = List.of(
                new EpochResult(1, 1.0 / 3, 0.7, new Evaluation(0.1 + 0.2, 0.8, cm, 10), 0.05, 0.25, 0.01, 40),
                new EpochResult(2, Math.PI, Double.NaN, null, 0.025, 1e-300, 0, 40));
        Map<String, Rng> rngs = new LinkedHashMap<>();
        rngs.put("global", Rng.global());
        rngs.put("model/2.rng", m.namedRngs().get("2.rng"));
        rngs.put("user/extra", extra);
        Checkpoint c = checkpoint(m, opt, sched, null, rngs, 3, history);
        Path saved = c.save(tmp);
        assertEquals(tmp.toAbsolutePath().resolve("ckpt-000000003"), saved);
        assertEquals("ckpt-000000003\n", Files.readString(tmp.resolve("latest")));

        Checkpoint back = Checkpoint.load(tmp);
        assertSameState(c.optimizer(), back.optimizer());
        assertEquals(c.scheduler(), back.scheduler());
        assertEquals(c.rngs(), back.rngs(), "generator states, spare Gaussian included");
        assertFalse(Double.isNaN(back.rngs().get("user/extra").spareGaussian()));
        assertEquals(c.progress(), back.progress());
        assertEquals(c.config(), back.config());
        assertEquals(c.optimizerParameters(), back.optimizerParameters());
        assertEquals(2, back.history().size());
        EpochResult e1 = back.history().get(0), e2 = back.history().get(1);
        assertEquals(1.0 / 3, e1.trainLoss());
        assertEquals(0.1 + 0.2, e1.valLoss());
        assertArrayEquals(cm.counts(), e1.validation().confusion().counts());
        assertEquals(history.get(1), e2, "doubles (pi, NaN, 1e-300) survive exactly");
        c.model().forEach((k, t) -> assertArrayEquals(t.toArray(), back.model().get(k).toArray(), k));

        // continue both: the original objects, and fresh ones (other init, other lr) loaded from disk
        Sequential m2 = model(99);
        Optimizer opt2 = optimizer(kind, m2, 0.5);
        Scheduler sched2 = new Scheduler(opt2, LrSchedule.step(2, 0.5));
        m2.loadStateDict(back.model(), true);
        opt2.loadStateDict(back.optimizer());
        sched2.loadStateDict(back.scheduler());
        m2.namedRngs().get("2.rng").setState(back.rngs().get("model/2.rng"));
        Rng extra2 = new Rng(1);
        extra2.setState(back.rngs().get("user/extra"));
        assertEquals(opt.lr(), opt2.lr());
        for (int i = 0; i < 4; i++) {
            step(m, opt);
            step(m2, opt2);
            if (i % 2 == 1) {
                sched.step();
                sched2.step();
            }
            assertEquals(opt.lr(), opt2.lr());
        }
        m.stateDict().forEach((k, t) -> assertArrayEquals(t.toArray(), m2.stateDict().get(k).toArray(), kind + ": " + k));
        assertEquals(extra.nextGaussian(), extra2.nextGaussian());
        assertEquals(extra.nextLong(), extra2.nextLong());
    }

    @Test
    void earlyStoppingStateAndBestWeightsRoundTrip() throws IOException {
        Sequential m = model(1);
        Optimizer opt = optimizer("adam", m, 1e-2);
        step(m, opt);
        EarlyStopping es = new EarlyStopping(EarlyStopping.Monitor.VAL_LOSS, 3).restoreBestWeights(true);
        EpochResult r1 = new EpochResult(1, 1, 1, new Evaluation(0.5, 0.5, null, 4), 0.01, 0, 0, 4);
        es.update(r1, m);
        step(m, opt);
        EpochResult r2 = new EpochResult(2, 1, 1, new Evaluation(0.7, 0.5, null, 4), 0.01, 0, 0, 4);
        es.update(r2, m);
        Checkpoint c = checkpoint(m, opt, null, es, Map.of("global", new Rng(1)), 2, List.of(r1, r2));
        c.save(tmp);
        assertTrue(Files.exists(tmp.resolve("ckpt-000000002").resolve(Checkpoint.BEST_WEIGHTS_FILE)));
        Checkpoint back = Checkpoint.load(tmp);
        EarlyStopping.State s = back.earlyStopping();
        assertEquals(0.5, s.best());
        assertEquals(1, s.bestEpoch());
        assertEquals(1, s.waited());
        es.state().bestWeights().forEach((k, v) -> assertArrayEquals(v, s.bestWeights().get(k), k));

        EarlyStopping es2 = new EarlyStopping(EarlyStopping.Monitor.VAL_LOSS, 3).restoreBestWeights(true);
        es2.loadState(s);
        Sequential a = model(5), b = model(6);
        es.restore(a);
        es2.restore(b);
        a.stateDict().forEach((k, t) -> assertArrayEquals(t.toArray(), b.stateDict().get(k).toArray(), k));
    }

    @Test
    void optimizerLoadStateDictRejectsForeignStateAndChangesNothing() {
        Sequential m = model(1);
        Adam adam = new Adam(m.parameters(), 1e-2);
        step(m, adam);
        OptimizerState adamState = adam.stateDict();
        SGD sgd = new SGD(m.parameters(), 0.1).momentum(0.9);
        step(m, sgd);
        OptimizerState before = sgd.stateDict();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sgd.loadStateDict(adamState));
        assertTrue(e.getMessage().contains("Adam optimizer, this is SGD") && e.getMessage().contains("hyperparameters"), e.getMessage());
        assertSameState(before, sgd.stateDict());

        Sequential small = new Sequential(new Linear(6, 4, true, new Rng(1)), new Linear(4, 3, true, new Rng(2)));
        Adam other = new Adam(small.parameters(), 1e-2);
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> other.loadStateDict(adamState));
        assertTrue(e2.getMessage().contains("parameter 0: buffer 'exp_avg' has 48 values, the parameter 24"), e2.getMessage());
        assertEquals(0, other.stepCount());
    }

    // ------------------------------------------------------------------------------------------------ crash safety

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    @Test
    void aCrashAtAnyStageOfSavingLeavesALoadableCheckpoint() throws IOException {
        Path dir = tmp.resolve("run");
        Checkpoint first = simple(5);
        first.save(dir);
        Checkpoint second = simple(10);
        List<String> stages = new ArrayList<>();
        // photograph the directory at every stage: what a process killed right there would leave behind
        second.save(dir, 2, stage -> {
            stages.add(stage);
            copyTree(dir, tmp.resolve("crash-" + stages.size() + "-" + stage));
        });
        assertEquals(List.of("tmp-created", "model", "optimizer", "manifest", "synced", "renamed", "latest", "pruned"), stages);
        for (int i = 0; i < stages.size(); i++) {
            String stage = stages.get(i);
            Path photo = tmp.resolve("crash-" + (i + 1) + "-" + stage);
            Checkpoint c = Checkpoint.load(photo);
            long expected = i < stages.indexOf("latest") ? 5 : 10;
            assertEquals(expected, c.progress().globalStep(), "killed after stage " + stage);
            // and the next save from there succeeds and clears the debris
            simple(15).save(photo);
            assertEquals(15, Checkpoint.load(photo).progress().globalStep());
            try (Stream<Path> s = Files.list(photo)) {
                List<String> left = s.map(p -> p.getFileName().toString()).sorted().toList();
                assertTrue(left.stream().noneMatch(n -> n.startsWith(".")), "no debris after stage " + stage + ": " + left);
                assertEquals(3, left.size(), "two checkpoints and the pointer after stage " + stage + ": " + left);
            }
        }
    }

    @Test
    void aFailedSaveLeavesThePreviousCheckpointAndNoDebris() throws IOException {
        Checkpoint first = simple(5);
        first.save(tmp);
        for (String failAt : List.of("tmp-created", "model", "optimizer", "manifest", "synced")) {
            IOException e = assertThrows(IOException.class, () -> simple(10).save(tmp, 2, s -> {
                if (s.equals(failAt)) throw new IOException("disk full (injected at " + s + ")");
            }));
            assertTrue(e.getMessage().contains("injected"));
            assertEquals(5, Checkpoint.load(tmp).progress().globalStep(), "after a failure at " + failAt);
            try (Stream<Path> s = Files.list(tmp)) {
                assertEquals(List.of("ckpt-000000005", "latest"), s.map(p -> p.getFileName().toString()).sorted().toList());
            }
        }
    }

    @Test
    void resavingTheStepThatLatestNamesKeepsTheOldOneUntilTheNewOneIsComplete() throws IOException {
        simple(5).save(tmp);
        Path again = simple(5).save(tmp, 0);
        assertEquals("ckpt-000000005-1", again.getFileName().toString());
        assertEquals("ckpt-000000005-1\n", Files.readString(tmp.resolve("latest")));
        assertEquals(5, Checkpoint.load(tmp).progress().globalStep());
    }

    @Test
    void pruningKeepsTheNewestAndDropsAbandonedLaterOnes() throws IOException {
        for (long s : new long[] {1, 2, 3, 4}) simple(s).save(tmp, 3);
        try (Stream<Path> l = Files.list(tmp)) {
            assertEquals(List.of("ckpt-000000002", "ckpt-000000003", "ckpt-000000004", "latest"), l.map(p -> p.getFileName().toString()).sorted().toList());
        }
        // a run resumed from step 2 (a later step 3 and 4 exist from the abandoned continuation) saves step 3 again
        simple(3).save(tmp, 2);
        try (Stream<Path> l = Files.list(tmp)) {
            assertEquals(List.of("ckpt-000000002", "ckpt-000000003", "latest"), l.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    // ------------------------------------------------------------------------------------------------ damaged files

    private Path saved() throws IOException {
        Path dir = tmp.resolve("damaged");
        Sequential m = model(1);
        Optimizer opt = optimizer("adam", m, 1e-2);
        step(m, opt);
        checkpoint(m, opt, null, null, Map.of("global", new Rng(5)), 7, List.of()).save(dir);
        return dir.resolve("ckpt-000000007");
    }

    private IOException rejected(Path dir) {
        return assertThrows(IOException.class, () -> Checkpoint.load(dir));
    }

    private static void assertMessage(Exception e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message lacks \"" + p + "\": " + e.getMessage());
    }

    @Test
    void truncatedWeightsAreRejected() throws IOException {
        Path c = saved();
        Path w = c.resolve(Checkpoint.MODEL_FILE);
        byte[] b = Files.readAllBytes(w);
        Files.write(w, java.util.Arrays.copyOf(b, b.length - 100));
        assertMessage(rejected(c.getParent()), "model.safetensors", "bytes, the manifest says", "truncated");
    }

    @Test
    void aFlippedByteIsCaughtByTheChecksum() throws IOException {
        Path c = saved();
        Path o = c.resolve(Checkpoint.OPTIMIZER_FILE);
        byte[] b = Files.readAllBytes(o);
        b[b.length - 3] ^= 0x10;
        Files.write(o, b);
        assertMessage(rejected(c), "optimizer.safetensors", "SHA-256", "corrupt");
    }

    @Test
    void missingOptimizerFileIsRejected() throws IOException {
        Path c = saved();
        Files.delete(c.resolve(Checkpoint.OPTIMIZER_FILE));
        assertMessage(rejected(c), "optimizer.safetensors", "missing");
    }

    @Test
    void badManifestJsonIsRejected() throws IOException {
        Path c = saved();
        Path man = c.resolve(Checkpoint.MANIFEST);
        String text = Files.readString(man);
        Files.writeString(man, text.substring(0, text.length() / 2));
        assertMessage(rejected(c), "manifest.json", "invalid JSON at line");
        Files.writeString(man, text.replace("\"epoch\": 1,", "\"epoch\": \"one\","));
        assertMessage(rejected(c), "manifest.json", "progress.epoch: expected an integer, got a string");
        Files.writeString(man, text.replace("\"version\": 1,", "\"version\": 2,"));
        assertMessage(rejected(c), "format version 2 was written by a newer Lamina");
        Files.writeString(man, text.replace("\"global_step\": 7,", "\"global_step\": 7, \"global_step\": 8,"));
        assertMessage(rejected(c), "duplicate key \"global_step\"");
        Files.write(man, new byte[] {'{', (byte) 0xC3, '}'});
        assertMessage(rejected(c), "not valid UTF-8");
        Files.delete(man);
        IOException e = rejected(c.getParent());
        assertMessage(e, "manifest.json", "missing");
    }

    @Test
    void wrongShapesAreRejected() throws IOException {
        Path c = saved();
        // an optimizer buffer whose shape is not its parameter's, with a manifest that vouches for the file
        Map<String, Tensor> opt = new LinkedHashMap<>(Safetensors.read(c.resolve(Checkpoint.OPTIMIZER_FILE)));
        opt.put("0.weight/exp_avg", Tensor.zeros(6, 8));
        Safetensors.write(c.resolve(Checkpoint.OPTIMIZER_FILE), opt);
        rewriteFileEntry(c, Checkpoint.OPTIMIZER_FILE);
        assertMessage(rejected(c), "optimizer.safetensors", "0.weight/exp_avg", "[6, 8]", "[8, 6]");

        // weights that do not fit the model: a clear error from the model's strict load, and nothing changes
        Path d = tmp.resolve("other");
        Sequential wide = new Sequential(new Linear(6, 9, true, new Rng(1)), new ReLU(), new Dropout(0.25, new Rng(2)), new Linear(9, 3, true, new Rng(3)));
        Optimizer o = optimizer("adam", wide, 1e-2);
        checkpoint(wide, o, null, null, Map.of("global", new Rng(5)), 1, List.of()).save(d);
        Checkpoint loaded = Checkpoint.load(d);
        Sequential m = model(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(loaded.model(), true));
        assertMessage(e, "0.weight: state dict [9, 6], model [8, 6]", "3.weight: state dict [3, 9], model [3, 8]");
    }

    private static void rewriteFileEntry(Path c, String file) throws IOException {
        Path man = c.resolve(Checkpoint.MANIFEST);
        String text = Files.readString(man);
        byte[] data = Files.readAllBytes(c.resolve(file));
        String sha = java.util.HexFormat.of().formatHex(sha256(data));
        String pattern = "(\"" + java.util.regex.Pattern.quote(file) + "\": \\{\\s*\"bytes\": )\\d+(,\\s*\"sha256\": \")[0-9a-f]+";
        String updated = text.replaceAll(pattern, "$1" + data.length + "$2" + sha);
        assertNotEquals(text, updated);
        Files.writeString(man, updated);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void badPointersAndEmptyDirectoriesAreClearErrors() throws IOException {
        Path c = saved();
        Path root = c.getParent();
        Files.writeString(root.resolve("latest"), "../../etc\n");
        assertMessage(rejected(root), "latest", "does not name a checkpoint");
        Files.writeString(root.resolve("latest"), "ckpt-000000099\n");
        assertMessage(rejected(root), "names ckpt-000000099, which does not exist");
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertMessage(rejected(empty), "no checkpoint here");
        assertMessage(rejected(tmp.resolve("absent")), "no such checkpoint directory");
        // the checkpoint directory itself still loads
        assertEquals(7, Checkpoint.load(c).progress().globalStep());
    }

    @Test
    void trainerStopsWithAClearErrorWhenCheckpointsCannotBeWritten() throws IOException {
        Path file = Files.writeString(tmp.resolve("not-a-directory"), "x");
        Sequential m = model(1);
        Optimizer opt = optimizer("sgd", m, 0.1);
        var data = new dev.lamina.data.Dataset(X, Y);
        var trainer = new dev.lamina.train.Trainer(m, new CrossEntropyLoss(), opt).checkpoints(file, 1, false);
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> trainer.fit(new dev.lamina.data.DataLoader(data, 5, true, false, new Rng(1)), (dev.lamina.data.Dataset) null, 1));
        assertMessage(e, "saving a checkpoint into", "not-a-directory");
    }

    @Test
    void manifestIsReadableJsonWithTheDocumentedSections() throws IOException {
        Path c = saved();
        String text = Files.readString(c.resolve(Checkpoint.MANIFEST), StandardCharsets.UTF_8);
        for (String key : List.of("\"format\": \"lamina-checkpoint\"", "\"version\": 1", "\"progress\"", "\"global_step\": 7", "\"optimizer\"",
                "\"type\": \"Adam\"", "\"beta1\": 0.9", "\"rngs\"", "\"counter\": \"0x", "\"spare_gaussian\": \"NaN\"", "\"files\"", "\"sha256\"")) {
            assertTrue(text.contains(key), key + " in\n" + text);
        }
        Map<String, Tensor> opt = Safetensors.read(c.resolve(Checkpoint.OPTIMIZER_FILE));
        assertEquals(List.of("0.weight/exp_avg", "0.weight/exp_avg_sq", "0.bias/exp_avg", "0.bias/exp_avg_sq",
                "3.weight/exp_avg", "3.weight/exp_avg_sq", "3.bias/exp_avg", "3.bias/exp_avg_sq"), new ArrayList<>(opt.keySet()));
        assertArrayEquals(new int[] {8, 6}, opt.get("0.weight/exp_avg").shape());
    }
}
