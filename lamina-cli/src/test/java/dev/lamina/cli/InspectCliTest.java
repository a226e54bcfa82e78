package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import dev.lamina.data.TextCorpus;
import dev.lamina.models.LanguageModel;
import dev.lamina.models.LanguageModels;
import dev.lamina.models.Models;
import dev.lamina.tensor.Rng;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lamina inspect}: layer outputs and gradients of the image models, attention of a transformer language model. */
class InspectCliTest {
    private static final Path IMAGES = Path.of("..", "data", "fashion-mnist-subset");
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G'};

    private static void assertPng(Path file) throws Exception {
        assertTrue(Files.isRegularFile(file), file + " missing");
        byte[] head = new byte[4];
        System.arraycopy(Files.readAllBytes(file), 0, head, 0, 4);
        assertArrayEquals(PNG, head, file + " is not a PNG");
    }

    @Test
    void imageModelLayerOutputsAndGradients(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.run("inspect", "cnn", "--data", IMAGES.toString(), "--batch", "8", "--charts", dir.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(r.out().contains("on 8 test images"), r.out());
        // one line per layer, in order, with its output shape
        String[] layers = {"0 (Input)", "1 (Reshape)", "2 (Conv2d)", "3 (BatchNorm2d)", "4 (ReLU)", "5 (MaxPool2d)", "6 (Conv2d)", "7 (BatchNorm2d)",
                "8 (ReLU)", "9 (MaxPool2d)", "10 (Flatten)", "11 (Dropout)", "12 (Linear)", "13 (ReLU)", "14 (Linear)"};
        int at = -1;
        for (String layer : layers) {
            int next = indexOf(lines, layer, at + 1);
            assertTrue(next > at, layer + " missing or out of order:\n" + r.out());
            at = next;
        }
        assertTrue(lines.get(indexOf(lines, "5 (MaxPool2d)", 0)).contains("[8, 32, 14, 14]"), r.out());
        assertTrue(lines.get(indexOf(lines, "14 (Linear)", 0)).contains("[8, 10]"), r.out());
        // the input row's mean is the mean of the first 8 test images, computed here independently
        Dataset first = new DataLoader(FashionMnist.load(IMAGES).test(), 8, false, false, null).iterator().next();
        float[] px = first.features().toArray();
        double mean = 0;
        for (float v : px) mean += v;
        mean /= px.length;
        String input = lines.get(indexOf(lines, "0 (Input)", 0));
        assertTrue(input.contains(String.format(Locale.ROOT, "%.4f", mean)), input + " vs mean " + mean);
        // ReLU outputs have zeros and no negative values; a fresh model's loss is near ln 10
        double[] relu = stats(lines.get(indexOf(lines, "4 (ReLU)", 0)));
        assertEquals(0.0, relu[2], "min of a ReLU output");
        assertTrue(relu[4] > 5 && relu[4] < 95, "share of zeros " + relu[4]);
        double[] conv = stats(lines.get(indexOf(lines, "2 (Conv2d)", 0)));
        assertTrue(conv[2] < 0 && conv[3] > 0 && conv[4] < 1, "a convolution's outputs take both signs");
        String loss = lines.stream().filter(l -> l.startsWith("cross-entropy")).findFirst().orElseThrow();
        double ce = Double.parseDouble(loss.replaceAll("cross-entropy on these images: ([0-9.]+);.*", "$1"));
        assertEquals(Math.log(10), ce, 0.3, loss);
        // every parameter has a gradient row
        for (String p : Models.create("cnn", new Rng(0)).namedParameters().keySet()) {
            assertTrue(indexOf(lines, p + " ", 0) >= 0, p + " missing:\n" + r.out());
        }
        assertPng(dir.resolve("activations.png"));
    }

    @Test
    void transformerAttentionPerHead(@TempDir Path dir) throws Exception {
        TextCorpus.Vocabulary vocab = TextCorpus.Vocabulary.of("In the beginning God created the heaven and the earth.");
        LanguageModel lm = LanguageModels.create("transformer", vocab.size(), 64, new Rng(3));
        Path file = dir.resolve("t.safetensors");
        LanguageModels.save(lm, "transformer", vocab, file);
        CliRun r = CliRun.run("inspect", file.toString(), "--text", "In the beginning", "--charts", dir.toString());
        assertEquals(0, r.code(), r.err());
        List<String> rows = r.out().lines().filter(l -> l.matches("^[0-9]+\\s+[0-9]+\\s+[0-9.]+ bits.*")).toList();
        assertEquals(2 * 4, rows.size(), "2 layers × 4 heads:\n" + r.out());
        double maxEntropy = Math.log(16) / Math.log(2);
        for (String row : rows) {
            String[] f = row.trim().split("\\s+");
            double entropy = Double.parseDouble(f[2]), self = Double.parseDouble(f[4].replace("%", "")), prev = Double.parseDouble(f[5].replace("%", ""));
            assertTrue(entropy >= 0 && entropy <= maxEntropy, row);
            assertTrue(self >= 0 && self <= 100 && prev >= 0 && prev <= 100, row);
        }
        for (int l = 0; l < 2; l++) for (int h = 0; h < 4; h++) assertPng(dir.resolve("attention-layer" + l + "-head" + h + ".png"));
    }

    @Test
    void badModelsAndTextAreRejected(@TempDir Path dir) throws Exception {
        CliRun unknown = CliRun.run("inspect", "resnet");
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("mlp") && unknown.err().contains("resnet"), unknown.err());

        TextCorpus.Vocabulary vocab = TextCorpus.Vocabulary.of("abc ");
        Path lstm = dir.resolve("lstm.safetensors");
        LanguageModels.save(LanguageModels.create("lstm", vocab.size(), 0, new Rng(1)), "lstm", vocab, lstm);
        CliRun l = CliRun.run("inspect", lstm.toString());
        assertEquals(1, l.code());
        assertTrue(l.err().contains("lstm") && l.err().contains("transformer"), l.err());

        Path t = dir.resolve("t.safetensors");
        LanguageModels.save(LanguageModels.create("transformer", vocab.size(), 16, new Rng(1)), "transformer", vocab, t);
        CliRun text = CliRun.run("inspect", t.toString(), "--text", "abz");
        assertEquals(1, text.code());
        assertTrue(text.err().contains("--text"), text.err());
    }

    /** mean, std, min, max and zeros (%) of a layer row: the numbers after its shape. */
    private static double[] stats(String row) {
        String[] f = row.substring(row.indexOf(']') + 1).trim().replace("%", "").split("\\s+");
        double[] v = new double[5];
        for (int i = 0; i < 5; i++) v[i] = Double.parseDouble(f[i]);
        return v;
    }

    private static int indexOf(List<String> lines, String prefix, int from) {
        for (int i = from; i < lines.size(); i++) if (lines.get(i).startsWith(prefix)) return i;
        return -1;
    }
}
