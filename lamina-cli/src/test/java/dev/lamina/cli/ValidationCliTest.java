package dev.lamina.cli;

import dev.lamina.io.Safetensors;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@code lamina train --val-split / --val-data}, and what early stopping keeps, reports and saves (issue 14, bug 9). */
class ValidationCliTest {
    private static final Path DATA = Path.of("..", "data", "fashion-mnist-subset");

    private static String line(CliRun r, String prefix) {
        return r.out().lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError(prefix + " missing:\n" + r.out() + r.err()));
    }

    @Test
    void valSplitHoldsOutPartOfTheTrainingSetAndTheTestSetIsEvaluatedOnceAtTheEnd(@TempDir Path dir) {
        Path saved = dir.resolve("m.safetensors");
        CliRun r = CliRun.run("train", "--data", DATA.toString(), "--epochs", "2", "--limit", "1000", "--val-split", "0.1", "--save", saved.toString());
        assertEquals(0, r.code(), r.err());
        String head = line(r, "model mlp");
        assertTrue(head.contains(" test / validation ") && head.contains(" held out of the training set (0.1, stratified by class, seed 42)"), head);
        int trained = Integer.parseInt(head.replaceAll(".*: ([0-9]+) train / .*", "$1")), held = Integer.parseInt(head.replaceAll(".* validation ([0-9]+) held out.*", "$1"));
        assertEquals(1000, trained + held, head);
        assertEquals(100, held, 5, "a tenth, rounded class by class: " + head);
        for (String epoch : List.of("epoch 1/2", "epoch 2/2")) {
            String l = line(r, epoch);
            assertTrue(l.contains("validation loss") && l.contains("validation accuracy") && !l.contains("test"), l);
        }
        String test = line(r, "test set, evaluated once at the end on the model of epoch 2");
        assertTrue(r.out().contains("confusion matrix of the test set, epoch 2"), r.out());
        assertTrue(r.out().contains("wrote " + saved + " (the weights of epoch 2)"), r.out());
        double accuracy = Double.parseDouble(test.replaceAll(".*test accuracy ([0-9.]+)%.*", "$1"));
        Map<String, Object> eval = CliTest.JsonCheck.parseObject(CliRun.run("evaluate", saved.toString(), "--data", DATA.toString(), "--json").out().strip());
        assertEquals(100 * (Double) eval.get("accuracy"), accuracy, 0.006, "the report is of the saved model");
    }

    @Test
    void jsonNamesValidationKeysAndEndsWithTheTestSet() {
        CliRun r = CliRun.run("train", "--data", DATA.toString(), "--epochs", "2", "--limit", "600", "--val-split", "0.2", "--json");
        assertEquals(0, r.code(), r.err());
        List<Map<String, Object>> lines = r.out().lines().map(CliTest.JsonCheck::parseObject).toList();
        assertEquals(3, lines.size(), r.out());
        for (int i = 0; i < 2; i++) {
            assertTrue(lines.get(i).get("validation_loss") instanceof Double && lines.get(i).get("validation_accuracy") instanceof Double, r.out());
            assertFalse(lines.get(i).containsKey("test_loss"), r.out());
        }
        Map<String, Object> last = lines.get(2);
        assertEquals("test", last.get("set"));
        assertEquals(2.0, last.get("epoch"));
        assertEquals(2000.0, last.get("test_samples"));
        assertTrue((Double) last.get("test_accuracy") > 0.3, r.out());
        assertTrue(r.err().contains("test set, evaluated once at the end"), r.err());
    }

    @Test
    void plotOfAValidationRunWritesTheCurvesAndTheFinalTestConfusion(@TempDir Path dir) throws Exception {
        Path plot = dir.resolve("charts").resolve("val.png");
        CliRun r = CliRun.run("train", "--data", DATA.toString(), "--epochs", "1", "--limit", "400", "--val-split", "0.25", "--plot", plot.toString());
        assertEquals(0, r.code(), r.err());
        Path confusion = Charts.confusionPath(plot);
        assertTrue(r.out().contains("wrote " + plot + " and " + confusion), r.out());
        for (Path png : List.of(plot, confusion)) assertNotNull(javax.imageio.ImageIO.read(png.toFile()), png + " is a PNG");
    }

    @Test
    void valDataReadsASeparateSet(@TempDir Path dir) throws Exception {
        Path val = Files.createDirectory(dir.resolve("val"));
        Files.copy(DATA.resolve("t10k-images-idx3-ubyte.gz"), val.resolve("val-images-idx3-ubyte.gz"));
        Files.copy(DATA.resolve("t10k-labels-idx1-ubyte.gz"), val.resolve("val-labels-idx1-ubyte.gz"));
        CliRun r = CliRun.run("train", "--data", DATA.toString(), "--epochs", "1", "--limit", "500", "--val-data", val.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(line(r, "model mlp").contains("500 train / 2,000 test / validation 2,000 from " + val), r.out());
        // the validation files are the test files here, so the two evaluations agree
        String epoch = line(r, "epoch 1/1"), test = line(r, "test set, evaluated once");
        assertEquals(epoch.replaceAll(".*validation accuracy ([0-9.]+)%.*", "$1"), test.replaceAll(".*test accuracy ([0-9.]+)%.*", "$1"));
        CliRun four = CliRun.run("train", "--data", DATA.toString(), "--epochs", "1", "--limit", "300", "--val-data", DATA.toString());
        assertEquals(0, four.code(), four.err());
        assertTrue(line(four, "model mlp").contains("validation 2,000 from"), four.out());
    }

    @Test
    void badValidationFlagsAreClearErrors(@TempDir Path dir) throws Exception {
        CliRun a = CliRun.run("train", "--data", DATA.toString(), "--val-split", "1.5");
        assertTrue(a.err().contains("--val-split must be a fraction between 0 and 1 (exclusive), got 1.5"), a.err());
        CliRun b = CliRun.run("train", "--data", DATA.toString(), "--val-split", "0.1", "--val-data", DATA.toString());
        assertTrue(b.err().contains("--val-split or --val-data, not both"), b.err());
        CliRun c = CliRun.run("train", "--data", DATA.toString(), "--val-data", dir.resolve("none").toString());
        assertTrue(c.err().contains("--val-data") && c.err().contains("directory not found"), c.err());
        CliRun d = CliRun.run("train", "--data", DATA.toString(), "--val-data", dir.toString());
        assertTrue(d.err().contains("expected one *images-idx3-ubyte file") && d.err().contains("found none"), d.err());
        CliRun e = CliRun.run("train", "--data", DATA.toString(), "--limit", "1000", "--val-split", "0.0001");
        assertTrue(e.err().contains("leaves 1000 to train on and 0 to validate"), e.err());
        CliRun f = CliRun.run("train", "--model", "lstm", "--val-split", "0.1");
        assertTrue(f.err().contains("--val-split and --val-data apply to the image models"), f.err());
        assertTrue(a.code() == 1 && b.code() == 1 && c.code() == 1 && d.code() == 1 && e.code() == 1 && f.code() == 1);
    }

    /** Settings under which the validation loss gets worse after an early epoch, so patience 1 stops the run. */
    private static final String[] UNSTABLE = {"train", "--data", DATA.toString(), "--limit", "400", "--optimizer", "adam", "--lr", "0.02", "--patience", "1", "--seed", "3"};

    private static String[] with(String[] base, String... more) {
        String[] out = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, out, base.length, more.length);
        return out;
    }

    @Test
    void earlyStoppingOnValidationSavesAndReportsTheBestEpoch(@TempDir Path dir) throws Exception {
        Path stopped = dir.resolve("stopped.safetensors");
        CliRun r = CliRun.run(with(UNSTABLE, "--epochs", "8", "--val-split", "0.25", "--save", stopped.toString()));
        assertEquals(0, r.code(), r.err());
        String note = line(r, "early stopping after epoch ");
        int best = Integer.parseInt(note.replaceAll(".*keeping the best epoch, ([0-9]+) .*", "$1"));
        int last = Integer.parseInt(note.replaceAll("early stopping after epoch ([0-9]+):.*", "$1"));
        assertTrue(best < last, note);
        assertTrue(r.out().contains("on the model of epoch " + best + ":") && r.out().contains("confusion matrix of the test set, epoch " + best + " ")
                && r.out().contains("(the weights of epoch " + best + ")"), r.out());
        // the saved weights are those a run of exactly `best` epochs ends with
        Path shorter = dir.resolve("shorter.safetensors");
        CliRun s = CliRun.run(with(UNSTABLE, "--epochs", "" + best, "--val-split", "0.25", "--save", shorter.toString()));
        assertEquals(0, s.code(), s.err());
        Map<String, Tensor> a = Safetensors.read(stopped), b = Safetensors.read(shorter);
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(b.get(k).toArray(), v.toArray(), k));
    }

    @Test
    void earlyStoppingOnTheTestSetKeepsTheLastEpochAndSaysSo(@TempDir Path dir) throws Exception {
        Path saved = dir.resolve("m.safetensors");
        CliRun r = CliRun.run(with(UNSTABLE, "--epochs", "8", "--save", saved.toString()));
        assertEquals(0, r.code(), r.err());
        String note = line(r, "early stopping after epoch ");
        int last = Integer.parseInt(note.replaceAll("early stopping after epoch ([0-9]+):.*", "$1"));
        assertTrue(note.contains("keeping the last epoch, " + last) && note.contains("the test set does not choose the model"), note);
        String lastLine = line(r, "epoch " + last + "/8");
        double reported = Double.parseDouble(lastLine.replaceAll(".*test accuracy ([0-9.]+)%.*", "$1"));
        assertTrue(r.out().contains("confusion matrix of the test set, epoch " + last + " "), r.out());
        Map<String, Object> eval = CliTest.JsonCheck.parseObject(CliRun.run("evaluate", saved.toString(), "--data", DATA.toString(), "--json").out().strip());
        assertEquals(reported, 100 * (Double) eval.get("accuracy"), 0.006, "what is saved is the epoch reported");
    }

    @Test
    void resumeKeepsTheValidationSplitAndRefusesAnother(@TempDir Path dir) {
        Path ck = dir.resolve("ck");
        CliRun first = CliRun.run("train", "--data", DATA.toString(), "--limit", "500", "--epochs", "1", "--val-split", "0.2", "--checkpoint-dir", ck.toString());
        assertEquals(0, first.code(), first.err());
        CliRun again = CliRun.run("train", "--resume", ck.toString(), "--epochs", "2");
        assertEquals(0, again.code(), again.err());
        assertTrue(line(again, "model mlp").contains("held out of the training set (0.2,"), again.out());
        assertTrue(line(again, "epoch 2/2").contains("validation loss"), again.out());
        CliRun other = CliRun.run("train", "--resume", ck.toString(), "--val-split", "0.3");
        assertEquals(1, other.code());
        assertTrue(other.err().contains("--val-split 0.3 (the checkpoint's run has 0.2)"), other.err());
    }
}
