package dev.lamina.cli;

import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@code lamina predict} and {@code lamina evaluate} on models the test trains and inputs it writes. */
class PredictEvaluateCliTest {
    private static final Path DATA = Path.of("..", "data", "fashion-mnist-subset");
    private static final Path KJV = Path.of("..", "data", "kjv-subset", "kjv-subset.txt");

    @TempDir
    static Path shared;
    private static Path mlp, lstm, text, heldOut;
    private static Dataset test;
    private static String lstmValidationLine;

    @BeforeAll
    static void trainModels() throws Exception {
        mlp = shared.resolve("mlp.safetensors");
        CliRun r = CliRun.run("train", "--data", DATA.toString(), "--epochs", "1", "--limit", "2000", "--save", mlp.toString());
        assertEquals(0, r.code(), r.err());
        test = FashionMnist.load(DATA).test();

        String body = Files.readString(KJV).substring(0, 6_000);
        text = shared.resolve("kjv-6k.txt");
        Files.writeString(text, body);
        heldOut = shared.resolve("kjv-6k-last-tenth.txt");
        Files.writeString(heldOut, body.substring(body.length() - 600));
        lstm = shared.resolve("lstm.safetensors");
        CliRun l = CliRun.run("train", "--model", "lstm", "--data", text.toString(), "--epochs", "1", "--seq-len", "16", "--lr", "3e-3", "--save", lstm.toString());
        assertEquals(0, l.code(), l.err());
        lstmValidationLine = l.out().lines().filter(s -> s.startsWith("epoch 1/1")).findFirst().orElseThrow();
    }

    /** Test image {@code i} as 0–255 grey values. */
    private static int[] pixels(int i) {
        float[] f = test.features().narrow(0, i, 1).contiguous().toArray();
        int[] p = new int[f.length];
        for (int k = 0; k < f.length; k++) p[k] = Math.round(f[k] * 255);
        return p;
    }

    private static Path png(Path file, int[] grey, int scale, boolean rgb) throws Exception {
        BufferedImage img = new BufferedImage(28 * scale, 28 * scale, rgb ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28 * scale; y++) {
            for (int x = 0; x < 28 * scale; x++) {
                int v = grey[(y / scale) * 28 + x / scale];
                if (rgb) img.setRGB(x, y, (v << 16) | (v << 8) | v);
                else img.getRaster().setSample(x, y, 0, v);
            }
        }
        assertTrue(ImageIO.write(img, "png", file.toFile()));
        return file;
    }

    private static Path csv(Path file, int from, int to, String header) throws Exception {
        StringBuilder sb = new StringBuilder(header == null ? "" : header + "\n");
        for (int i = from; i < to; i++) {
            sb.append(String.join(",", Arrays.stream(pixels(i)).mapToObj(Integer::toString).toList())).append('\n');
        }
        Files.writeString(file, sb);
        return file;
    }

    private static List<Map<String, Object>> jsonLines(CliRun r) {
        assertEquals(0, r.code(), r.err());
        return r.out().lines().map(CliTest.JsonCheck::parseObject).toList();
    }

    private static double[] probabilities(Map<String, Object> o) {
        return ((List<?>) o.get("probabilities")).stream().mapToDouble(v -> (Double) v).toArray();
    }

    private static double label(int i) {
        return test.targets().toArray()[i];
    }

    @Test
    void predictionsOnTestImagesAgreeWithEvaluateAndWithTheSameImageAsPng(@TempDir Path dir) throws Exception {
        int n = 200;
        List<Map<String, Object>> rows = jsonLines(CliRun.run("predict", mlp.toString(), csv(dir.resolve("first200.csv"), 0, n, null).toString(), "--json"));
        assertEquals(n, rows.size());
        long[][] confusion = new long[10][10];
        for (int i = 0; i < n; i++) {
            Map<String, Object> o = rows.get(i);
            assertEquals(i + 1.0, o.get("row"));
            double[] p = probabilities(o);
            assertEquals(10, p.length);
            assertEquals(1.0, Arrays.stream(p).sum(), 1e-9, "probabilities sum to 1");
            int predicted = ((Double) o.get("index")).intValue();
            assertEquals(FashionMnist.CLASSES[predicted], o.get("class"));
            assertEquals(Arrays.stream(p).max().orElseThrow(), (Double) o.get("probability"), 1e-12);
            confusion[(int) label(i)][predicted]++;
        }
        Map<String, Object> eval = jsonLines(CliRun.run("evaluate", mlp.toString(), "--data", DATA.toString(), "--limit", "" + n, "--json")).getFirst();
        assertEquals((double) n, eval.get("samples"));
        List<?> evalConfusion = (List<?>) eval.get("confusion");
        for (int a = 0; a < 10; a++) {
            for (int p = 0; p < 10; p++) {
                assertEquals((double) confusion[a][p], ((List<?>) evalConfusion.get(a)).get(p), "confusion[" + a + "][" + p + "]: predict and evaluate disagree");
            }
        }
        long correct = 0;
        for (int c = 0; c < 10; c++) correct += confusion[c][c];
        assertEquals((double) correct / n, (Double) eval.get("accuracy"), 1e-12);
        assertTrue((Double) eval.get("accuracy") > 0.6, "one epoch on 2,000 images: " + eval.get("accuracy"));

        // the same picture as an 8-bit grey PNG, and as a colour PNG twice the size, give the CSV row's prediction
        for (Path picture : List.of(png(dir.resolve("test0.png"), pixels(0), 1, false), png(dir.resolve("test0-56-rgb.png"), pixels(0), 2, true))) {
            Map<String, Object> o = jsonLines(CliRun.run("predict", mlp.toString(), picture.toString(), "--json")).getFirst();
            assertEquals(rows.getFirst().get("class"), o.get("class"), picture.toString());
            assertArrayEquals(probabilities(rows.getFirst()), probabilities(o), 1e-6, picture.toString());
            assertEquals(picture.toString(), o.get("input"));
        }
    }

    @Test
    void humanOutputListsTheTopClassesAndSaysWhenAnImageWasResized(@TempDir Path dir) throws Exception {
        Path small = png(dir.resolve("a.png"), pixels(3), 1, false), big = png(dir.resolve("b.png"), pixels(3), 3, true);
        CliRun r = CliRun.run("predict", mlp.toString(), small.toString(), big.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(8, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith(small + ": "), r.out());
        assertTrue(lines.get(4).startsWith(big + " (resized from 84x84 to 28x28): "), r.out());
        String top = lines.get(0).substring((small + ": ").length());
        assertTrue(Arrays.asList(FashionMnist.CLASSES).contains(top), top);
        assertTrue(lines.get(1).matches("  " + java.util.regex.Pattern.quote(top) + " +[0-9.]+%"), lines.get(1));
        double sum = 0;
        CliRun all = CliRun.run("predict", mlp.toString(), small.toString(), "--top-k", "10");
        for (String l : all.out().lines().skip(1).toList()) sum += Double.parseDouble(l.replaceAll(".* ([0-9.]+)%$", "$1"));
        assertEquals(11, all.out().lines().count(), all.out());
        assertEquals(100, sum, 0.06, "ten classes listed, their percentages (rounded to 0.01) add up to 100");
    }

    @Test
    void invertTurnsADarkOnLightPictureBackAndALightBorderIsPointedOut(@TempDir Path dir) throws Exception {
        int[] p = pixels(5), inverted = new int[p.length];
        for (int k = 0; k < p.length; k++) inverted[k] = 255 - p[k];
        Path normal = png(dir.resolve("n.png"), p, 1, false), negative = png(dir.resolve("neg.png"), inverted, 1, false);
        Map<String, Object> a = jsonLines(CliRun.run("predict", mlp.toString(), normal.toString(), "--json")).getFirst();
        CliRun inv = CliRun.run("predict", mlp.toString(), negative.toString(), "--json", "--invert");
        Map<String, Object> b = jsonLines(inv).getFirst();
        assertArrayEquals(probabilities(a), probabilities(b), 1e-6);
        assertFalse(inv.err().contains("light border"), inv.err());
        CliRun plain = CliRun.run("predict", mlp.toString(), negative.toString());
        assertEquals(0, plain.code(), plain.err());
        assertTrue(plain.out().contains("has a light border") && plain.out().contains("--invert"), plain.out());
    }

    @Test
    void csvWithAHeaderLineIsRead(@TempDir Path dir) throws Exception {
        List<String> names = new ArrayList<>();
        for (int k = 1; k <= 784; k++) names.add("pixel" + k);
        List<Map<String, Object>> rows = jsonLines(CliRun.run("predict", mlp.toString(), csv(dir.resolve("h.csv"), 0, 3, String.join(",", names)).toString(), "--json"));
        assertEquals(3, rows.size());
    }

    @Test
    void badModelFilesAreNamed(@TempDir Path dir) throws Exception {
        Path image = png(dir.resolve("x.png"), pixels(0), 1, false);
        CliRun missing = CliRun.run("predict", dir.resolve("nope.safetensors").toString(), image.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("nope.safetensors") && missing.err().contains("no such model file"), missing.err());
        CliRun notModel = CliRun.run("evaluate", image.toString());
        assertEquals(1, notModel.code());
        assertTrue(notModel.err().contains("x.png: not a model file from `lamina train --save`"), notModel.err());
        Path anonymous = dir.resolve("anon.safetensors");
        dev.lamina.io.Safetensors.write(anonymous, Map.of("w", dev.lamina.tensor.Tensor.of(new float[] {1, 2}, 2)));
        CliRun unnamed = CliRun.run("predict", anonymous.toString(), image.toString());
        assertTrue(unnamed.err().contains("anon.safetensors") && unnamed.err().contains("lamina.model"), unnamed.err());
        Path other = dir.resolve("other.safetensors");
        dev.lamina.io.Safetensors.write(other, Map.of("w", dev.lamina.tensor.Tensor.of(new float[] {1, 2}, 2)), Map.of("lamina.model", "resnet"));
        CliRun unknown = CliRun.run("evaluate", other.toString());
        assertTrue(unknown.err().contains("other.safetensors") && unknown.err().contains("'resnet'") && unknown.err().contains("mlp"), unknown.err());
    }

    @Test
    void aModelNameWhereTheSavedFileBelongsSaysHowToMakeOne(@TempDir Path dir) throws Exception {
        Path image = png(dir.resolve("x.png"), pixels(0), 1, false);
        CliRun p = CliRun.run("predict", "mlp", image.toString());
        assertEquals(1, p.code());
        assertTrue(p.err().contains("'mlp' is a model name, not a file") && p.err().contains("lamina train --model mlp --save mlp.safetensors"), p.err());
        CliRun e = CliRun.run("evaluate", "CNN");
        assertEquals(1, e.code());
        assertTrue(e.err().contains("'CNN' is a model name, not a file") && e.err().contains("lamina train --model cnn --save cnn.safetensors"), e.err());
    }

    @Test
    void badFlagsOfPredictAndEvaluateAreNamedTogetherBeforeTheModelIsRead(@TempDir Path dir) throws Exception {
        Path image = png(dir.resolve("x.png"), pixels(0), 1, false);
        CliRun p = CliRun.run("predict", mlp.toString(), image.toString(), "--top-k", "0", "--length", "-1");
        assertEquals(1, p.code());
        assertTrue(p.err().contains("--top-k must be >= 1, got 0; --length must be >= 0, got -1"), p.err());
        CliRun t = CliRun.run("predict", lstm.toString(), "And", "--temperature", "-1");
        assertEquals(1, t.code());
        assertTrue(t.err().contains("--temperature must be a finite number >= 0, got -1.0"), t.err());
        CliRun nan = CliRun.run("predict", lstm.toString(), "And", "--temperature", "NaN");
        assertTrue(nan.err().contains("--temperature must be a finite number >= 0, got NaN"), nan.err());
        CliRun e = CliRun.run("evaluate", dir.resolve("none.safetensors").toString(), "--batch-size", "0", "--limit", "0", "--seq-len", "0");
        assertEquals(1, e.code());
        assertTrue(e.err().contains("--batch-size must be >= 1, got 0; --limit must be >= 1, got 0; --seq-len must be >= 1, got 0"), e.err());
        assertFalse(e.err().contains("none.safetensors"), "the flags are checked before the model file is looked for: " + e.err());
        CliRun s = CliRun.run("evaluate", mlp.toString(), "--split", "VALID");
        assertTrue(s.err().contains("--split must be test or train, got 'VALID'"), s.err());
    }

    @Test
    void evaluateMatchesTheSplitIgnoringCase() {
        Map<String, Object> j = jsonLines(CliRun.run("evaluate", mlp.toString(), "--data", DATA.toString(), "--split", "TRAIN", "--limit", "50", "--json")).getFirst();
        assertEquals("train", j.get("split"));
        assertEquals(50.0, j.get("samples"));
    }

    @Test
    void badImagesAreNamed(@TempDir Path dir) throws Exception {
        CliRun missing = CliRun.run("predict", mlp.toString(), dir.resolve("gone.png").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("gone.png") && missing.err().contains("no such image file"), missing.err());
        Path notImage = dir.resolve("notes.png");
        Files.writeString(notImage, "these are words, not pixels\n");
        CliRun words = CliRun.run("predict", mlp.toString(), notImage.toString());
        assertEquals(1, words.code());
        assertTrue(words.err().contains("notes.png") && words.err().contains("not an image"), words.err());
        byte[] good = Files.readAllBytes(png(dir.resolve("good.png"), pixels(0), 1, false));
        Path truncated = dir.resolve("truncated.png");
        Files.write(truncated, Arrays.copyOf(good, good.length / 2));
        CliRun cut = CliRun.run("predict", mlp.toString(), truncated.toString());
        assertEquals(1, cut.code());
        assertTrue(cut.err().contains("truncated.png") && cut.err().contains("not a readable image"), cut.err());
        CliRun k = CliRun.run("predict", mlp.toString(), dir.resolve("good.png").toString(), "--top-k", "0");
        assertTrue(k.err().contains("--top-k must be >= 1"), k.err());
    }

    @Test
    void badCsvRowsNameTheFileLineAndColumn(@TempDir Path dir) throws Exception {
        String row = String.join(",", Arrays.stream(pixels(0)).mapToObj(Integer::toString).toList());
        Path shortRows = dir.resolve("short.csv");
        Files.writeString(shortRows, row.substring(0, row.lastIndexOf(',')) + "\n");
        CliRun s = CliRun.run("predict", mlp.toString(), shortRows.toString());
        assertEquals(1, s.code());
        assertTrue(s.err().contains("short.csv") && s.err().contains("783 values") && s.err().contains("784"), s.err());

        Path ragged = dir.resolve("ragged.csv");
        Files.writeString(ragged, row + "\n" + row + "\n" + row + ",7\n");
        CliRun g = CliRun.run("predict", mlp.toString(), ragged.toString());
        assertTrue(g.err().contains("ragged.csv") && g.err().contains("line 3 has 785 fields, expected 784"), g.err());

        String[] cells = row.split(",");
        cells[4] = "dark";
        Path word = dir.resolve("word.csv");
        Files.writeString(word, row + "\n" + String.join(",", cells) + "\n");
        CliRun w = CliRun.run("predict", mlp.toString(), word.toString());
        assertTrue(w.err().contains("word.csv") && w.err().contains("line 2, column 5") && w.err().contains("'dark' is not a number"), w.err());

        cells[4] = "";
        Path empty = dir.resolve("empty.csv");
        Files.writeString(empty, row + "\n" + String.join(",", cells) + "\n");
        CliRun e = CliRun.run("predict", mlp.toString(), empty.toString());
        assertTrue(e.err().contains("empty.csv") && e.err().contains("line 2, column 5") && e.err().contains("empty value"), e.err());

        cells[4] = "300";
        Path bright = dir.resolve("bright.csv");
        Files.writeString(bright, row + "\n" + String.join(",", cells) + "\n");
        CliRun b = CliRun.run("predict", mlp.toString(), bright.toString());
        assertTrue(b.err().contains("bright.csv") && b.err().contains("data row 2, column 5") && b.err().contains("outside the pixel range 0-255"), b.err());

        CliRun gone = CliRun.run("predict", mlp.toString(), dir.resolve("gone.csv").toString());
        assertTrue(gone.err().contains("gone.csv") && gone.err().contains("no such CSV file"), gone.err());
    }

    @Test
    void evaluatePrintsTheFullReport() {
        CliRun r = CliRun.run("evaluate", mlp.toString(), "--data", DATA.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("mlp from " + mlp + " on the test set of " + DATA + ": 2,000 images"), r.out());
        for (String s : List.of("loss ", "accuracy ", "macro F1", "precision", "recall", "Ankle boot", "macro avg", "confusion matrix of the test set", "(predicted)")) {
            assertTrue(r.out().contains(s), s + " missing:\n" + r.out());
        }
        String home = System.getProperty("lamina.home");
        System.setProperty("lamina.home", "..");
        Map<String, Object> j;
        try {
            j = jsonLines(CliRun.run("evaluate", mlp.toString(), "--json")).getFirst();
        } finally {
            if (home == null) System.clearProperty("lamina.home");
            else System.setProperty("lamina.home", home);
        }
        double accuracy = Double.parseDouble(r.out().lines().filter(l -> l.startsWith("loss ")).findFirst().orElseThrow().replaceAll(".*accuracy ([0-9.]+)%.*", "$1"));
        assertEquals(100 * (Double) j.get("accuracy"), accuracy, 0.006, "the default data is the bundled subset");
        assertEquals(10, ((List<?>) j.get("per_class")).size());
        Map<?, ?> first = (Map<?, ?>) ((List<?>) j.get("per_class")).getFirst();
        assertEquals("T-shirt/top", first.get("class"));
        CliRun train = CliRun.run("evaluate", mlp.toString(), "--data", DATA.toString(), "--split", "train", "--limit", "100", "--json");
        assertEquals(100.0, jsonLines(train).getFirst().get("samples"));
    }

    @Test
    void evaluateRejectsBadData(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("f.txt"), "abc");
        CliRun a = CliRun.run("evaluate", mlp.toString(), "--data", file.toString());
        assertTrue(a.err().contains("f.txt is a file") && a.err().contains("IDX"), a.err());
        CliRun b = CliRun.run("evaluate", mlp.toString(), "--data", dir.resolve("none").toString());
        assertTrue(b.err().contains("data directory not found"), b.err());
        CliRun c = CliRun.run("evaluate", mlp.toString(), "--data", DATA.toString(), "--split", "valid");
        assertTrue(c.err().contains("--split must be test or train, got 'valid'"), c.err());
        CliRun d = CliRun.run("evaluate", lstm.toString(), "--data", dir.toString());
        assertTrue(d.err().contains("is a directory") && d.err().contains("text file"), d.err());
        CliRun e = CliRun.run("evaluate", lstm.toString(), "--data", Files.writeString(dir.resolve("z.txt"), "zzz {} zzz").toString());
        assertTrue(e.err().contains("z.txt") && e.err().contains("not in the vocabulary") && e.err().contains("lstm.safetensors"), e.err());
    }

    @Test
    void languageModelsPredictTheNextCharacterAndEvaluateInBitsPerCharacter() {
        CliRun r = CliRun.run("predict", lstm.toString(), "And God said", "In the", "--top-k", "5", "--length", "20");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2 * 7, lines.size(), r.out());
        assertEquals("\"And God said\": next character", lines.get(0));
        assertTrue(lines.get(1).matches("  '.' +[0-9.]+%"), lines.get(1));
        assertTrue(lines.get(6).startsWith("  continuation: And God said") && lines.get(6).length() == "  continuation: And God said".length() + 20, lines.get(6));

        Map<String, Object> o = jsonLines(CliRun.run("predict", lstm.toString(), "And God said", "--json", "--top-k", "1000", "--length", "0")).getFirst();
        List<?> next = (List<?>) o.get("next");
        double sum = next.stream().mapToDouble(v -> (Double) ((Map<?, ?>) v).get("probability")).sum();
        assertEquals(1.0, sum, 1e-9, "every character of the vocabulary listed");
        assertFalse(o.containsKey("continuation"));

        // evaluating the held-out tenth gives the validation loss training printed for it
        Map<String, Object> e = jsonLines(CliRun.run("evaluate", lstm.toString(), "--data", heldOut.toString(), "--seq-len", "16", "--json")).getFirst();
        double trained = Double.parseDouble(lstmValidationLine.replaceAll(".*validation loss ([0-9.]+) .*", "$1"));
        assertEquals(trained, (Double) e.get("loss"), 6e-4, lstmValidationLine);
        assertEquals((Double) e.get("loss") / Math.log(2), (Double) e.get("bits_per_char"), 1e-12);
        CliRun human = CliRun.run("evaluate", lstm.toString(), "--data", text.toString());
        assertEquals(0, human.code(), human.err());
        assertTrue(human.out().contains("bits/char") && human.out().contains("perplexity") && human.out().contains("the whole of"), human.out());
    }

    @Test
    void badPromptsAreClearErrors() {
        CliRun r = CliRun.run("predict", lstm.toString(), "And God said {}");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not in the vocabulary") && r.err().contains("lstm.safetensors"), r.err());
        CliRun empty = CliRun.run("predict", lstm.toString(), "");
        assertTrue(empty.err().contains("empty prompt"), empty.err());
        CliRun inv = CliRun.run("predict", lstm.toString(), "And", "--invert");
        assertTrue(inv.err().contains("--invert applies to image models"), inv.err());
    }
}
