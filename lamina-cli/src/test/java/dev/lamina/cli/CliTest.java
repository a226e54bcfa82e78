package dev.lamina.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class CliTest {
    /** The bundled subset, found from the module directory Maven runs the tests in. */
    private static final Path DATA = Path.of("..", "data", "fashion-mnist-subset");

    private static CliRun run(String... args) {
        return CliRun.run(args);
    }

    @Test
    void trainsTheMlpOnTheBundledSubset() {
        CliRun r = run("train", "--data", DATA.toString(), "--epochs", "2", "--limit", "4000");
        assertEquals(0, r.code(), r.err());
        String last = r.out().lines().filter(l -> l.startsWith("epoch 2/2")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        double accuracy = Double.parseDouble(last.replaceAll(".*test accuracy ([0-9.]+)%.*", "$1"));
        // 4,000 examples, 2 epochs: a working MLP is far above the 10% of guessing
        assertTrue(accuracy > 75, last);
    }

    @Test
    void trainsTheCnnOnTheBundledSubset() {
        CliRun r = run("train", "--model", "cnn", "--data", DATA.toString(), "--epochs", "1", "--limit", "3000");
        assertEquals(0, r.code(), r.err());
        String last = r.out().lines().filter(l -> l.startsWith("epoch 1/1")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        double accuracy = Double.parseDouble(last.replaceAll(".*test accuracy ([0-9.]+)%.*", "$1"));
        // 3,000 examples, one epoch (47 steps): far above the 10% of guessing
        assertTrue(accuracy > 65, last);
    }

    @Test
    void cnnSummaryMatchesPyTorchParameterCount() {
        CliRun r = run("summary", "cnn");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("2 (Conv2d)") && r.out().contains("[N, 32, 28, 28]") && r.out().contains("[N, 64, 7, 7]"), r.out());
        assertTrue(r.out().contains("Total parameters: 421,834"), r.out());
    }

    @Test
    void summaryListsLayersShapesAndParameters() {
        CliRun r = run("summary", "mlp");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("1 (Linear)") && r.out().contains("[N, 256]") && r.out().contains("200,960"), r.out());
        assertTrue(r.out().contains("Total parameters: 235,146"), r.out());
    }

    @Test
    void unknownModelIsAClearError() {
        CliRun r = run("train", "--model", "resnet", "--data", DATA.toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("unknown model 'resnet'") && r.err().contains("mlp"), r.err());
    }

    @Test
    void missingDataDirectoryNamesWhatItLookedFor(@TempDir Path empty) throws Exception {
        CliRun r = run("train", "--data", empty.toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("train-images-idx3-ubyte") && r.err().contains("t10k-labels-idx1-ubyte"), r.err());
        CliRun r2 = run("train", "--data", empty.resolve("nope").toString());
        assertTrue(r2.err().contains("data directory not found"), r2.err());
    }

    @Test
    void truncatedIdxFileIsRejected(@TempDir Path dir) throws Exception {
        for (String f : new String[] {"train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            Files.copy(DATA.resolve(f), dir.resolve(f));
        }
        byte[] header = {0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3};
        Files.write(dir.resolve("train-images-idx3-ubyte"), header);
        CliRun r = run("train", "--data", dir.toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("truncated"), r.err());
    }

    @Test
    void mismatchedCountsAreRejected(@TempDir Path dir) throws Exception {
        for (String f : new String[] {"train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            Files.copy(DATA.resolve(f), dir.resolve(f));
        }
        byte[] labels = new byte[8 + 5];
        labels[2] = 8;
        labels[3] = 1;
        labels[7] = 5;
        Files.write(dir.resolve("train-labels-idx1-ubyte"), labels);
        CliRun r = run("train", "--data", dir.toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("10000 images but") && r.err().contains("5 labels"), r.err());
    }

    @Test
    void jsonPrintsOneParsableObjectPerEpochAndNothingElseOnStdout() {
        CliRun r = run("train", "--data", DATA.toString(), "--epochs", "2", "--limit", "1000", "--json", "--lr-schedule", "cosine");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out());
        for (int i = 0; i < lines.size(); i++) {
            Map<String, Object> o = JsonCheck.parseObject(lines.get(i));
            for (String key : List.of("epoch", "train_loss", "test_loss", "test_accuracy", "epoch_seconds", "samples_per_second", "train_accuracy", "lr")) {
                assertTrue(o.get(key) instanceof Double, key + " missing or not a number in " + lines.get(i));
            }
            assertEquals(i + 1.0, o.get("epoch"));
            double acc = (Double) o.get("test_accuracy");
            assertTrue(acc > 0.1 && acc <= 1, lines.get(i));
            assertTrue((Double) o.get("samples_per_second") > 0, lines.get(i));
        }
        assertEquals(1e-3, (Double) JsonCheck.parseObject(lines.get(0)).get("lr"), 1e-12);
        assertTrue((Double) JsonCheck.parseObject(lines.get(1)).get("lr") < 1e-3, "cosine schedule lowers the rate");
        // human output went to stderr, without progress-bar control characters (not a terminal)
        assertTrue(r.err().contains("model mlp") && r.err().contains("macro avg"), r.err());
        assertFalse(r.err().contains("\r") || r.err().contains("\u001b") || r.err().contains("samples/s"), r.err());
    }

    @Test
    void humanOutputHasASummaryLinePerEpochAndThePerClassReport() {
        CliRun r = run("train", "--data", DATA.toString(), "--epochs", "1", "--limit", "500");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("epoch 1/1  train loss [0-9.]+  train accuracy [0-9.]+%  test loss [0-9.]+  test accuracy [0-9.]+%  [0-9.]+ s  [0-9,]+ samples/s")), r.out());
        assertTrue(r.out().contains("Ankle boot") && r.out().contains("precision") && r.out().contains("(predicted)"), r.out());
        assertFalse(r.out().contains("\r") || r.err().contains("\r"), "no progress bar when not on a terminal");
    }

    @Test
    void plotWritesCurvesAndConfusionMatrixPngs(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("out").resolve("curves.png");
        CliRun r = run("train", "--data", DATA.toString(), "--epochs", "2", "--limit", "500", "--plot", png.toString());
        assertEquals(0, r.code(), r.err());
        Path confusion = dir.resolve("out").resolve("curves-confusion.png");
        for (Path p : List.of(png, confusion)) {
            assertTrue(Files.isRegularFile(p), p + " missing; stdout: " + r.out());
            byte[] bytes = Files.readAllBytes(p);
            assertTrue(bytes.length > 10_000, p + " is only " + bytes.length + " bytes");
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, java.util.Arrays.copyOf(bytes, 8), p + " is not a PNG");
            java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(p.toFile());
            assertNotNull(img, p + " does not decode");
            assertTrue(img.getWidth() >= 600 && img.getHeight() >= 400, p + ": " + img.getWidth() + "x" + img.getHeight());
        }
        assertTrue(r.out().contains("curves-confusion.png"), r.out());
    }

    @Test
    void divergingTrainingStopsWithAClearMessage() {
        CliRun r = run("train", "--data", DATA.toString(), "--epochs", "2", "--limit", "500", "--optimizer", "sgd", "--lr", "1e30");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("training stopped in epoch 1, batch ") && r.err().contains("diverged") && r.err().contains("lower learning rate"), r.err());
    }

    @Test
    void unknownOptimizerAndScheduleAreClearErrors() {
        CliRun r = run("train", "--data", DATA.toString(), "--optimizer", "lbfgs");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("unknown optimizer 'lbfgs'") && r.err().contains("adamw"), r.err());
        CliRun s = run("train", "--data", DATA.toString(), "--lr-schedule", "warm");
        assertNotEquals(0, s.code());
        assertTrue(s.err().contains("unknown learning-rate schedule 'warm'"), s.err());
    }

    @Test
    void jsonEscapesStringsAndWritesNullForNonFiniteNumbers() {
        String line = new Json().put("name", "a\"b\\c\n\u0001").put("x", Double.NaN).put("y", Double.NEGATIVE_INFINITY).put("n", 3L).put("z", 0.25).toString();
        assertEquals("{\"name\":\"a\\\"b\\\\c\\n\\u0001\",\"x\":null,\"y\":null,\"n\":3,\"z\":0.25}", line);
        Map<String, Object> o = JsonCheck.parseObject(line);
        assertEquals("a\"b\\c\n\u0001", o.get("name"));
        assertNull(o.get("x"));
        assertTrue(o.containsKey("x"));
        assertEquals(0.25, o.get("z"));
    }

    /** A strict parser for the JSON objects the CLI writes (numbers, strings, null, true/false, arrays, nested objects). */
    static final class JsonCheck {
        private final String s;
        private int i;

        private JsonCheck(String s) {
            this.s = s;
        }

        static Map<String, Object> parseObject(String line) {
            JsonCheck p = new JsonCheck(line);
            Map<String, Object> o = p.object();
            p.ws();
            if (p.i != line.length()) throw new AssertionError("trailing text at " + p.i + " in " + line);
            return o;
        }

        private Map<String, Object> object() {
            Map<String, Object> out = new LinkedHashMap<>();
            expect('{');
            ws();
            if (peek() == '}') {
                i++;
                return out;
            }
            while (true) {
                ws();
                String key = string();
                ws();
                expect(':');
                ws();
                if (out.put(key, value()) != null) throw new AssertionError("duplicate key " + key + " in " + s);
                ws();
                char c = next();
                if (c == '}') return out;
                if (c != ',') throw new AssertionError("expected , or } at " + (i - 1) + " in " + s);
            }
        }

        private Object value() {
            char c = peek();
            if (c == '"') return string();
            if (c == '{') return object();
            if (c == '[') return array();
            for (String lit : new String[] {"null", "true", "false"}) {
                if (s.startsWith(lit, i)) {
                    i += lit.length();
                    return lit.equals("null") ? null : Boolean.valueOf(lit);
                }
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?").matcher(s).region(i, s.length());
            if (!m.lookingAt()) throw new AssertionError("bad value at " + i + " in " + s);
            i = m.end();
            return Double.parseDouble(m.group());
        }

        private List<Object> array() {
            List<Object> out = new java.util.ArrayList<>();
            expect('[');
            ws();
            if (peek() == ']') {
                i++;
                return out;
            }
            while (true) {
                ws();
                out.add(value());
                ws();
                char c = next();
                if (c == ']') return out;
                if (c != ',') throw new AssertionError("expected , or ] at " + (i - 1) + " in " + s);
            }
        }

        private String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') return sb.toString();
                if (c < 0x20) throw new AssertionError("raw control character in string in " + s);
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> throw new AssertionError("bad escape \\" + e + " in " + s);
                }
            }
        }

        private void ws() {
            while (i < s.length() && " \t".indexOf(s.charAt(i)) >= 0) i++;
        }

        private char peek() {
            if (i >= s.length()) throw new AssertionError("unexpected end of " + s);
            return s.charAt(i);
        }

        private char next() {
            char c = peek();
            i++;
            return c;
        }

        private void expect(char c) {
            if (next() != c) throw new AssertionError("expected " + c + " at " + (i - 1) + " in " + s);
        }
    }
}
