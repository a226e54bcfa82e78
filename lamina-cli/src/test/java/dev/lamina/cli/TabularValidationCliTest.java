package dev.lamina.cli;

import dev.lamina.io.DirectoryLock;
import dev.lamina.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code --val-split} and {@code --val-data} for tabular runs, as for image runs: the epochs report validation
 * metrics, early stopping keeps the best validation epoch, and the test rows are evaluated once at the end; the
 * flags that do not fit a table are refused by {@link FlagChecks}.
 */
class TabularValidationCliTest {
    private static Path table(Path file, int rows, long seed, boolean classes) throws Exception {
        Rng rng = new Rng(seed);
        StringBuilder sb = new StringBuilder("a,b,target\n");
        for (int i = 0; i < rows; i++) {
            double a = rng.nextGaussian(), b = rng.nextGaussian();
            String t = classes ? (a + b > 0 ? "up" : "down") : String.format(Locale.ROOT, "%.5f", 2 * a - b + 0.05 * rng.nextGaussian());
            sb.append(String.format(Locale.ROOT, "%.5f,%.5f,%s%n", a, b, t));
        }
        return Files.writeString(file, sb);
    }

    private static List<Map<String, Object>> json(String out) {
        return out.strip().lines().map(CliTest.JsonCheck::parseObject).toList();
    }

    @Test
    void aClassificationValidationSplitIsStratifiedAndTheTestRowsAreEvaluatedOnceAtTheEnd(@TempDir Path dir) throws Exception {
        Path t = table(dir.resolve("t.csv"), 300, 1, true);
        CliRun r = CliRun.run("train", "--data", t.toString(), "--target", "target", "--epochs", "20", "--lr", "1e-2", "--val-split", "0.25", "--patience", "25", "--json");
        assertEquals(0, r.code(), r.err());
        java.util.regex.Matcher sizes = java.util.regex.Pattern.compile("(\\d+) train / (\\d+) test rows / validation (\\d+) held out of the training set \\(0.25, stratified by class, seed 42\\)").matcher(r.err());
        assertTrue(sizes.find(), r.err());
        int train = Integer.parseInt(sizes.group(1)), test = Integer.parseInt(sizes.group(2)), validation = Integer.parseInt(sizes.group(3));
        assertEquals(300, train + test + validation);
        assertEquals(60, test, 1, "a fifth of the rows, a fifth of each class");
        assertEquals(0.25 * (train + validation), validation, 1, "a quarter of the training rows, a quarter of each class");
        List<Map<String, Object>> lines = json(r.out());
        assertEquals(21, lines.size(), r.out());
        for (Map<String, Object> epoch : lines.subList(0, 20)) {
            assertTrue(epoch.containsKey("validation_loss") && epoch.containsKey("validation_accuracy") && !epoch.containsKey("test_loss"), epoch.toString());
        }
        Map<String, Object> last = lines.getLast();
        assertEquals("test", last.get("set"));
        assertEquals((double) test, last.get("test_samples"));
        assertTrue((Double) last.get("test_accuracy") > 0.8, last.toString());
        assertTrue(r.err().contains("test set, evaluated once at the end on the model of epoch"), r.err());
    }

    @Test
    void aRegressionValidationSplitIsRandomAndValDataReadsATableWithTheSameColumns(@TempDir Path dir) throws Exception {
        Path t = table(dir.resolve("r.csv"), 250, 2, false);
        CliRun r = CliRun.run("train", "--data", t.toString(), "--target", "target", "--epochs", "3", "--val-split", "0.2", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("validation 40 held out of the training set (0.2, at random, seed 42)"), r.err());
        List<Map<String, Object>> lines = json(r.out());
        assertEquals(4, lines.size(), r.out());
        assertTrue(lines.getFirst().containsKey("validation_mae") && lines.getFirst().containsKey("validation_r2") && !lines.getFirst().containsKey("test_mae"), r.out());
        assertEquals("test", lines.getLast().get("set"));
        assertTrue(lines.getLast().containsKey("test_r2") && lines.getLast().containsKey("test_rmse"), r.out());

        Path v = table(dir.resolve("v.csv"), 80, 3, false);
        CliRun withFile = CliRun.run("train", "--data", t.toString(), "--target", "target", "--epochs", "2", "--val-data", v.toString(), "--patience", "1");
        assertEquals(0, withFile.code(), withFile.err());
        assertTrue(withFile.out().contains("200 train / 50 test rows / validation 80 rows from " + v), withFile.out());
        assertTrue(withFile.out().contains("validation loss") && withFile.out().contains("validation MAE"), withFile.out());
        assertTrue(withFile.out().contains("the test rows, evaluated once at the end on the model of epoch") && withFile.out().contains("test rows: MAE"), withFile.out());

        Path wrong = Files.writeString(dir.resolve("wrong.csv"), "a,c,target\n1,2,3\n");
        CliRun missing = CliRun.run("train", "--data", t.toString(), "--target", "target", "--epochs", "1", "--val-data", wrong.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("--val-data " + wrong + ": no feature column 'b' (the model reads a, b; the file has a, c, target)"), missing.err());
        CliRun dirGiven = CliRun.run("train", "--data", t.toString(), "--target", "target", "--val-data", dir.toString());
        assertTrue(dirGiven.err().contains("--val-data " + dir + ": a table is validated on a CSV table with the columns of --data (a .csv file)"), dirGiven.err());
    }

    @Test
    void aTabularValidationRunIsLockedAndResumesWithItsSplit(@TempDir Path dir) throws Exception {
        Path t = table(dir.resolve("t.csv"), 200, 4, true);
        Path ckpt = dir.resolve("ckpt");
        CliRun first = CliRun.run("train", "--data", t.toString(), "--target", "target", "--epochs", "2", "--val-split", "0.2", "--lr-schedule", "warmup-cosine",
                "--checkpoint-dir", ckpt.toString());
        assertEquals(0, first.code(), first.err());
        try (DirectoryLock held = DirectoryLock.acquire(ckpt, "another table run")) {
            CliRun refused = CliRun.run("train", "--resume", ckpt.toString());
            assertEquals(1, refused.code());
            assertTrue(refused.err().contains(ckpt + " is in use by another run") && refused.err().contains("another table run"), refused.err());
        }
        CliRun resumed = CliRun.run("train", "--resume", ckpt.toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("the run had finished") && resumed.out().contains(" held out of the training set (0.2, stratified by class, seed 42)"), resumed.out());
        CliRun changed = CliRun.run("train", "--resume", ckpt.toString(), "--val-split", "0.3");
        assertTrue(changed.err().contains("--val-split 0.3 (the checkpoint's run has 0.2)"), changed.err());
    }

    @Test
    void flagsThatDoNotFitATableAreRefused(@TempDir Path dir) throws Exception {
        Path t = table(dir.resolve("t.csv"), 50, 5, true);
        CliRun model = CliRun.run("train", "--data", t.toString(), "--target", "target", "--model", "cnn");
        assertEquals(1, model.code());
        assertTrue(model.err().contains("--target trains a table with an MLP sized from its columns, or with --model-file NET.json; --model cnn is not for tables"), model.err());
        Path net = Files.writeString(dir.resolve("net.json"), "{\"input\": [2], \"layers\": [{\"type\": \"Linear\", \"in_features\": 2, \"out_features\": 2}]}");
        CliRun both = CliRun.run("train", "--model", "mlp", "--model-file", net.toString());
        assertTrue(both.err().contains("give --model or --model-file, not both"), both.err());
        CliRun task = CliRun.run("train", "--task", "regress");
        assertTrue(task.err().contains("--task needs --target COLUMN"), task.err());
        CliRun noData = CliRun.run("train", "--target", "target");
        assertTrue(noData.err().contains("--target needs --data TABLE.csv"), noData.err());
        CliRun unknown = CliRun.run("train", "--model", "resnet");
        assertTrue(unknown.err().contains("; for a model of your own, --model-file NET.json (a model definition file); for a CSV table, --data TABLE.csv --target COLUMN"), unknown.err());
        CliRun summary = CliRun.run("summary", "resnet");
        assertTrue(summary.err().contains("or a model definition file NET.json, or a model saved by `lamina train --save` (.safetensors)"), summary.err());
    }
}
