package dev.lamina.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/** One model list everywhere, names in any case, and errors and warnings that name the flag or file at fault. */
class ModelsAndMessagesCliTest {
    private static final Path DATA = Path.of("..", "data", "fashion-mnist-subset");
    private static final Path KJV = Path.of("..", "data", "kjv-subset", "kjv-subset.txt");
    private static final String ALL = "mlp, cnn, rowlstm, lstm, transformer";

    @Test
    void everyListOfModelsNamesAllFive() {
        for (String command : new String[] {"summary", "train", "export"}) {
            String help = CliRun.run(command, "--help").out().replaceAll("\\s+", " ");
            assertTrue(help.contains(ALL), command + " --help: " + help);
        }
        CliRun unknown = CliRun.run("train", "--model", "resnet", "--data", DATA.toString());
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("unknown model 'resnet' for --model; available: " + ALL), unknown.err());
        assertTrue(CliRun.run("summary", "resnet").err().contains("available: " + ALL));
        assertEquals(CliModels.ALL, new CliModels.All());
    }

    @Test
    void summaryDescribesTheLanguageModelsItLists() {
        CliRun lstm = CliRun.run("summary", "lstm");
        assertEquals(0, lstm.code(), lstm.err());
        assertTrue(lstm.out().contains("embed (Embedding)") && lstm.out().contains("lstm (LSTM)") && lstm.out().contains("head (Linear)"), lstm.out());
        assertTrue(lstm.out().contains("output: logits [N, T, 63]"), lstm.out());
        CliRun tf = CliRun.run("summary", "Transformer", "--vocab", "40", "--seq-len", "32");
        assertEquals(0, tf.code(), tf.err());
        assertTrue(tf.out().contains("(T <= 32)") && tf.out().contains("logits [N, T, 40]") && tf.out().contains("encoder (TransformerEncoder)"), tf.out());
        assertEquals(1, CliRun.run("summary", "lstm", "--vocab", "1").code());
    }

    @Test
    void modelNamesAreMatchedIgnoringCaseLikeTheOtherWordOptions(@TempDir Path dir) {
        CliRun r = CliRun.run("train", "--model", "MLP", "--optimizer", "Adam", "--lr-schedule", "Cosine", "--data", DATA.toString(), "--epochs", "1", "--limit", "128");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("model mlp "), r.out());
        assertEquals(0, CliRun.run("summary", "CNN").code());
        CliRun inspect = CliRun.run("inspect", "Mlp", "--data", DATA.toString(), "--batch", "2");
        assertEquals(0, inspect.code(), inspect.err());
        assertEquals(0, CliRun.run("export", "--model", "mlp", "--format", "ONNX", "--output", dir.resolve("case.onnx").toString()).code());
    }

    @Test
    void invalidNumbersNameTheFlagAtFault() {
        CliRun epochs = CliRun.run("train", "--epochs", "0", "--data", DATA.toString());
        assertEquals(1, epochs.code());
        assertTrue(epochs.err().contains("--epochs must be a positive number of epochs, got 0"), epochs.err());
        CliRun several = CliRun.run("train", "--batch-size", "-4", "--lr", "NaN", "--data", DATA.toString());
        assertEquals(1, several.code());
        assertTrue(several.err().contains("--batch-size must be positive, got -4") && several.err().contains("--lr must be a finite number >= 0, got NaN"), several.err());
        assertFalse(several.err().contains("--epochs"), several.err());
        CliRun seq = CliRun.run("train", "--model", "lstm", "--seq-len", "0");
        assertTrue(seq.err().contains("--seq-len must be positive, got 0"), seq.err());
    }

    @Test
    void tooManyThreadsAndASequenceLengthForAnImageModelAreWarnedAbout() {
        int cores = Runtime.getRuntime().availableProcessors(), before = dev.lamina.kernels.Parallel.threads();
        CliRun r;
        try {
            r = CliRun.run("train", "--threads", Integer.toString(cores + 3), "--seq-len", "32", "--data", DATA.toString(), "--epochs", "1", "--limit", "64");
        } finally {
            dev.lamina.kernels.Parallel.setThreads(before);
        }
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning: --threads " + (cores + 3) + " is more than the " + cores + " cores"), r.err());
        assertTrue(r.err().contains("warning: --seq-len is for the language models (lstm, transformer); model mlp ignores it"), r.err());
        CliRun quiet = CliRun.run("train", "--data", DATA.toString(), "--epochs", "1", "--limit", "64");
        assertFalse(quiet.err().contains("warning"), quiet.err());
    }

    @Test
    void dataErrorsSayWhatThePathIsAndWhatIsExpected(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("table.csv"), "a,b\n1,2\n");
        CliRun image = CliRun.run("train", "--data", file.toString());
        assertEquals(1, image.code());
        assertTrue(image.err().contains(file + " is a file, not a directory") && image.err().contains("train-images-idx3-ubyte"), image.err());
        Path empty = Files.createDirectory(dir.resolve("texts"));
        CliRun text = CliRun.run("train", "--model", "lstm", "--data", empty.toString());
        assertEquals(1, text.code());
        assertTrue(text.err().contains(empty + " is an empty directory, not a text file"), text.err());
    }

    @Test
    void imageAndTextRunsShareTheirJsonKeys(@TempDir Path dir) throws Exception {
        CliRun image = CliRun.run("train", "--data", DATA.toString(), "--epochs", "1", "--limit", "64", "--json");
        assertEquals(0, image.code(), image.err());
        Path text = Files.writeString(dir.resolve("t.txt"), Files.readString(KJV).substring(0, 5_000));
        CliRun lm = CliRun.run("train", "--model", "lstm", "--data", text.toString(), "--epochs", "1", "--limit", "32", "--seq-len", "16", "--json");
        assertEquals(0, lm.code(), lm.err());
        Map<String, Object> i = CliTest.JsonCheck.parseObject(image.out().strip()), t = CliTest.JsonCheck.parseObject(lm.out().strip());
        Set<String> shared = new TreeSet<>(i.keySet());
        shared.retainAll(t.keySet());
        assertEquals(new TreeSet<>(Set.of("epoch", "epochs", "train_loss", "lr", "epoch_seconds", "eval_seconds", "samples_per_second")), shared,
                "image keys " + i.keySet() + ", text keys " + t.keySet());
        assertTrue(t.containsKey("validation_loss") && i.containsKey("test_loss"), "the held-out set is named for what it is");
        assertTrue((Double) t.get("samples_per_second") > 0 && (Double) t.get("chars_per_second") > (Double) t.get("samples_per_second"));
    }

    @Test
    void aValidationImageRunNamesItsHeldOutSetAsTextRunsDo(@TempDir Path dir) throws Exception {
        CliRun image = CliRun.run("train", "--data", DATA.toString(), "--epochs", "1", "--limit", "200", "--val-split", "0.25", "--json");
        assertEquals(0, image.code(), image.err());
        Path text = Files.writeString(dir.resolve("t.txt"), Files.readString(KJV).substring(0, 5_000));
        CliRun lm = CliRun.run("train", "--model", "lstm", "--data", text.toString(), "--epochs", "1", "--limit", "32", "--seq-len", "16", "--json");
        assertEquals(0, lm.code(), lm.err());
        Map<String, Object> i = CliTest.JsonCheck.parseObject(image.out().lines().findFirst().orElseThrow()), t = CliTest.JsonCheck.parseObject(lm.out().strip());
        Set<String> shared = new TreeSet<>(i.keySet());
        shared.retainAll(t.keySet());
        assertEquals(new TreeSet<>(Set.of("epoch", "epochs", "train_loss", "validation_loss", "lr", "epoch_seconds", "eval_seconds", "samples_per_second")), shared,
                "image keys " + i.keySet() + ", text keys " + t.keySet());
        assertTrue(i.keySet().stream().noneMatch(k -> k.startsWith("test_")), "the epochs of a validation run are not the test set's: " + i.keySet());
    }
}
