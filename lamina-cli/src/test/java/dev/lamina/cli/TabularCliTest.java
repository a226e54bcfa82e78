package dev.lamina.cli;

import dev.lamina.data.TabularSchema;
import dev.lamina.io.Safetensors;
import dev.lamina.models.ModelSpec;
import dev.lamina.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@code lamina train --data table.csv --target COLUMN} on tables the tests write from known functions with noise. */
class TabularCliTest {
    /** y = 3·a − 2·b + sin(3c) + N(0, 0.1²); d is an irrelevant column on a large scale (normalisation matters). */
    private static Path regressionTable(Path dir, int rows) throws Exception {
        Rng rng = new Rng(5);
        StringBuilder sb = new StringBuilder("a,b,c,d,y\n");
        for (int i = 0; i < rows; i++) {
            double a = rng.nextGaussian(), b = rng.nextGaussian(), c = rng.nextGaussian(), d = 1000 + 100 * rng.nextGaussian();
            double y = 3 * a - 2 * b + Math.sin(3 * c) + 0.1 * rng.nextGaussian();
            sb.append(String.format(Locale.ROOT, "%.5f,%.5f,%.5f,%.3f,%.5f%n", a, b, c, d, y));
        }
        Path p = dir.resolve("table.csv");
        Files.writeString(p, sb);
        return p;
    }

    /** Class low / mid / high from x + y (thresholds −0.7, 0.7), with a little label noise-free margin. */
    private static Path classificationTable(Path dir, int rows) throws Exception {
        Rng rng = new Rng(6);
        StringBuilder sb = new StringBuilder("x,y,size\n");
        for (int i = 0; i < rows; i++) {
            double x = rng.nextGaussian(), y = rng.nextGaussian(), s = x + y;
            sb.append(String.format(Locale.ROOT, "%.4f,%.4f,%s%n", x, y, s < -0.7 ? "low" : s < 0.7 ? "mid" : "high"));
        }
        Path p = dir.resolve("classes.csv");
        Files.writeString(p, sb);
        return p;
    }

    @Test
    void regressionFitsAKnownFunction(@TempDir Path dir) throws Exception {
        Path table = regressionTable(dir, 600);
        Path saved = dir.resolve("reg.safetensors");
        CliRun r = CliRun.run("train", "--data", table.toString(), "--target", "y", "--epochs", "40", "--lr", "3e-3", "--save", saved.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("regression of 'y' from 4 features; 480 train / 120 test rows"), r.out());
        String last = r.out().lines().filter(l -> l.startsWith("test rows: ")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        double r2 = Double.parseDouble(last.replaceAll(".*R² ([-0-9.]+).*", "$1"));
        assertTrue(r2 > 0.9, last);
        Map<String, String> meta = Safetensors.readMetadata(saved);
        TabularSchema schema = TabularSchema.fromMetadata(meta, saved.toString());
        assertEquals(java.util.List.of("a", "b", "c", "d"), schema.features());
        assertEquals("y", schema.target());
        assertEquals(1000, schema.mean()[3], 30, "statistics of the d column");
        assertEquals(100, schema.std()[3], 15);
        assertNotNull(ModelSpec.load(saved));
    }

    @Test
    void classificationOfTextLabels(@TempDir Path dir) throws Exception {
        Path table = classificationTable(dir, 500);
        CliRun r = CliRun.run("train", "--data", table.toString(), "--target", "size", "--epochs", "30", "--lr", "3e-3", "--json");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(30, lines.length);
        double accuracy = Double.parseDouble(lines[29].replaceAll(".*\"test_accuracy\":([0-9.]+).*", "$1"));
        assertTrue(accuracy > 0.85, lines[29]);
        assertTrue(r.err().contains("classification of 'size' (3 classes)") && r.err().contains("high") && r.err().contains("low"), r.err());
    }

    @Test
    void taskFlagOverridesTheGuess(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("digits.csv");
        StringBuilder sb = new StringBuilder("x,label\n");
        Rng rng = new Rng(1);
        for (int i = 0; i < 200; i++) {
            double x = rng.nextGaussian();
            sb.append(String.format(Locale.ROOT, "%.4f,%d%n", x, x > 0 ? 1 : 0));
        }
        Files.writeString(p, sb);
        CliRun r = CliRun.run("train", "--data", p.toString(), "--target", "label", "--task", "classify", "--epochs", "5");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("classification of 'label' (2 classes)"), r.out());
    }

    @Test
    void badTablesAreClearErrors(@TempDir Path dir) throws Exception {
        Path table = regressionTable(dir, 50);
        CliRun missing = CliRun.run("train", "--data", table.toString(), "--target", "price");
        assertNotEquals(0, missing.code());
        assertTrue(missing.err().contains("no column named 'price'; columns: a, b, c, d, y"), missing.err());

        Path holes = dir.resolve("holes.csv");
        Files.writeString(holes, "a,b,y\n1,2,3\n4,,6\n");
        CliRun hole = CliRun.run("train", "--data", holes.toString(), "--target", "y");
        assertTrue(hole.err().contains("holes.csv: line 3, column 2 (b): empty value"), hole.err());

        Path words = dir.resolve("words.csv");
        Files.writeString(words, "a,b,y\n1,2,3\n4,five,6\n");
        CliRun word = CliRun.run("train", "--data", words.toString(), "--target", "y");
        assertTrue(word.err().contains("words.csv: line 3, column 2 (b): 'five' is not a number"), word.err());

        Path labels = dir.resolve("labels.csv");
        Files.writeString(labels, "a,y\n1,cat\n2,dog\n");
        CliRun regress = CliRun.run("train", "--data", labels.toString(), "--target", "y", "--task", "regress");
        assertTrue(regress.err().contains("labels.csv: line 2, column 2 (y): 'cat' is not a number"), regress.err());

        CliRun noTarget = CliRun.run("train", "--data", table.toString());
        assertTrue(noTarget.err().contains("is a CSV table: name the column to predict with --target COLUMN"), noTarget.err());

        CliRun noFile = CliRun.run("train", "--data", dir.resolve("none.csv").toString(), "--target", "y");
        assertTrue(noFile.err().contains("CSV file not found") && noFile.err().contains("none.csv"), noFile.err());

        CliRun badTask = CliRun.run("train", "--data", table.toString(), "--target", "y", "--task", "cluster");
        assertTrue(badTask.err().contains("unknown task 'cluster'; available: classify, regress"), badTask.err());

        Path net = dir.resolve("net.json");
        Files.writeString(net, "{\"input\": [3], \"layers\": [{\"type\": \"Linear\", \"in_features\": 3, \"out_features\": 1}]}");
        CliRun wrongInput = CliRun.run("train", "--data", table.toString(), "--target", "y", "--model-file", net.toString());
        assertTrue(wrongInput.err().contains("the model's input is [3], the table has 4 feature columns (a, b, c, d)"), wrongInput.err());
        Files.writeString(net, "{\"input\": [4], \"layers\": [{\"type\": \"Linear\", \"in_features\": 4, \"out_features\": 2}]}");
        CliRun wrongOutput = CliRun.run("train", "--data", table.toString(), "--target", "y", "--model-file", net.toString());
        assertTrue(wrongOutput.err().contains("the model's output is [N, 2]; regression needs [N, 1]"), wrongOutput.err());
    }

    @Test
    void aModelFileTrainsOnATable(@TempDir Path dir) throws Exception {
        Path table = regressionTable(dir, 300);
        Path net = dir.resolve("net.json");
        Files.writeString(net, "{\"input\": [4], \"layers\": [{\"type\": \"Linear\", \"in_features\": 4, \"out_features\": 32}, {\"type\": \"Tanh\"}, {\"type\": \"Linear\", \"in_features\": 32, \"out_features\": 1}]}");
        CliRun r = CliRun.run("train", "--data", table.toString(), "--target", "y", "--model-file", net.toString(), "--epochs", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("epoch 3/3") && r.out().contains("MAE"), r.out());
    }

    @Test
    void aTabularRunResumesFromItsCheckpoint(@TempDir Path dir) throws Exception {
        Path table = regressionTable(dir, 200);
        Path ckpt = dir.resolve("ckpt");
        CliRun first = CliRun.run("train", "--data", table.toString(), "--target", "y", "--epochs", "2", "--checkpoint-dir", ckpt.toString(), "--checkpoint-every", "3");
        assertEquals(0, first.code(), first.err());
        CliRun more = CliRun.run("train", "--resume", ckpt.toString(), "--epochs", "3");
        assertEquals(0, more.code(), more.err());
        assertTrue(more.out().contains("epoch 3 from its start") && more.out().contains("epoch 3/3") && !more.out().contains("epoch 1/3"), more.out());
    }
}
