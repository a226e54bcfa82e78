package dev.lamina.cli;

import dev.lamina.data.TextCorpus;
import dev.lamina.models.LanguageModels;
import dev.lamina.models.Models;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code lamina explain}: named, saved, language and ONNX models; the HTML report and a run directory's explain.html; bad flags. */
class ExplainCliTest {
    private static final Path IMAGES = Path.of("..", "data", "fashion-mnist-subset");
    private static final Path TEXT = Path.of("..", "data", "kjv-subset", "kjv-subset.txt");

    @Test
    void aNamedModelGetsCardsDiagnosesAndAnHtmlReportWithPictures(@TempDir Path dir) throws Exception {
        Path html = dir.resolve("reports").resolve("mlp.html");
        CliRun r = CliRun.run("explain", "mlp", "--data", IMAGES.toString(), "--batch", "16", "--html", html.toString(), "--image", "3", "--lr", "10", "--optimizer", "sgd");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("mlp (fresh weights, seed 42) on 16 training images (validation: 16 test images): 235,146 parameters"), r.out());
        assertTrue(r.out().contains("1 (Linear)\n  fully connected, 784 -> 256: every output is a weighted sum of all 784 inputs plus a bias"), r.out());
        assertTrue(r.out().contains("* learning rate too high at "), "lr 10 with SGD is flagged:\n" + r.out());
        assertTrue(r.out().contains("wrote " + html), r.out());
        CliRun json = CliRun.run("explain", "mlp", "--data", IMAGES.toString(), "--batch", "4", "--json", "--html", dir.resolve("j.html").toString());
        assertEquals(0, json.code(), json.err());
        java.util.Map<?, ?> root = (java.util.Map<?, ?>) dev.lamina.io.JsonTree.parse(json.out(), "stdout");
        assertEquals(4L, ((Number) root.get("batch_size")).longValue());
        assertEquals("fully connected, 784 -> 256: every output is a weighted sum of all 784 inputs plus a bias; it learns 256 features of its whole input",
                ((java.util.Map<?, ?>) ((java.util.List<?>) root.get("layers")).get(1)).get("description"));
        assertTrue(json.err().contains("wrote " + dir.resolve("j.html")), "messages go to standard error with --json: " + json.err());
        String page = Files.readString(html, StandardCharsets.UTF_8);
        assertTrue(page.contains("data-kind=\"LEARNING_RATE_HIGH\""));
        assertTrue(page.contains("Input-gradient saliency of example 3"), "the picture of --image 3");
        assertFalse(page.contains("src=\"http"));
    }

    @Test
    void aSavedModelWritesExplainHtmlIntoARunDirectory(@TempDir Path dir) throws Exception {
        Sequential cnn = Models.cnn(new Rng(3));
        Path file = dir.resolve("cnn.safetensors");
        Models.save(cnn, "cnn", file);
        Path runDir = dir.resolve("run-1");
        CliRun r = CliRun.run("explain", file.toString(), "--data", IMAGES.toString(), "--batch", "8", "--run", runDir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("2 (Conv2d)\n  3x3 convolution, 1 -> 32 channels, stride 1, padding 1: looks for 32 local patterns in each 3x3 window"), r.out());
        assertTrue(r.out().contains("* BatchNorm running statistics drift at 3 (BatchNorm2d)"), "fresh running statistics (mean 0, variance 1) do not describe the data:\n" + r.out());
        Path page = runDir.resolve("explain.html");
        assertTrue(r.out().contains("wrote " + page + " and explain.json"), r.out());
        Object json = dev.lamina.io.JsonTree.parse(Files.readString(runDir.resolve("explain.json")), "explain.json");
        java.util.Map<?, ?> root = (java.util.Map<?, ?>) json;
        assertEquals(15, ((java.util.List<?>) root.get("layers")).size());
        java.util.Map<?, ?> conv = (java.util.Map<?, ?>) ((java.util.List<?>) root.get("layers")).get(2);
        assertEquals("Conv2d", conv.get("type"));
        assertEquals(3L, ((Number) conv.get("receptive_field")).longValue());
        assertTrue(((java.util.List<?>) root.get("diagnoses")).stream().anyMatch(d -> "BATCHNORM_DRIFT".equals(((java.util.Map<?, ?>) d).get("kind"))));
        String html = Files.readString(page, StandardCharsets.UTF_8);
        assertTrue(html.contains("First-layer filters: 2 (Conv2d)"));
        assertTrue(html.contains("the 5 examples of the validation batch (8) with the largest mean response"), "held-out test images are searched");
    }

    @Test
    void aLanguageModelIsExplainedOnATextWithAttentionAndTokenLabels(@TempDir Path dir) throws Exception {
        TextCorpus.Vocabulary vocab = TextCorpus.load(TEXT).vocabulary();
        Path file = dir.resolve("t.safetensors");
        LanguageModels.save(LanguageModels.create("transformer", vocab.size(), 64, new Rng(4)), "transformer", vocab, file);
        CliRun r = CliRun.run("explain", file.toString(), "--text", "And God said, Let there be light", "--html", dir.resolve("t.html").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("encoder.layers.0 (TransformerEncoderLayer)\n  transformer block (pre-norm), d_model 128: self-attention with 4 heads"), r.out());
        assertTrue(r.out().contains("encoder.layers.1.self_attn head 3: entropy"), r.out());
        String html = Files.readString(dir.resolve("t.html"), StandardCharsets.UTF_8);
        assertEquals(8, html.split("alt=\"Attention of encoder.layers", -1).length - 1, "a heat map per head of both layers");

        CliRun lstm = CliRun.run("explain", "lstm", "--data", TEXT.toString(), "--text", "In the beginning");
        assertEquals(0, lstm.code(), lstm.err());
        assertTrue(lstm.out().contains("lstm (LSTM) gates saturated: layer 0 input"), lstm.out());
    }

    @Test
    void aModelDefinitionFileIsExplainedWithItsOwnInputShape() {
        CliRun r = CliRun.run("explain", Path.of("..", "examples", "fashion-cnn.json").toString(), "--data", IMAGES.toString(), "--batch", "4");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("fashion-cnn.json (fresh weights, seed 42) on 4 training images"), r.out());
        assertTrue(r.out().contains("convolution, 1 -> "), r.out());
    }

    @Test
    void aTabularRegressionIsExplainedOnItsTableAndNeedsOne(@TempDir Path dir) throws Exception {
        Rng rng = new Rng(7);
        StringBuilder sb = new StringBuilder("a,b,y\n");
        for (int i = 0; i < 200; i++) {
            double a = rng.nextGaussian(), b = rng.nextGaussian();
            sb.append(String.format(java.util.Locale.ROOT, "%.4f,%.4f,%.4f%n", a, b, 2 * a - b));
        }
        Path table = Files.writeString(dir.resolve("t.csv"), sb), saved = dir.resolve("t.safetensors");
        assertEquals(0, CliRun.run("train", "--data", table.toString(), "--target", "y", "--epochs", "2", "--save", saved.toString()).code());
        CliRun r = CliRun.run("explain", saved.toString(), "--data", table.toString(), "--batch", "50");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith(saved + " on 50 rows of " + table), r.out());
        assertTrue(r.out().contains("loss on the batch "), "the regression's loss (mean squared error) is measured:\n" + r.out());
        CliRun none = CliRun.run("explain", saved.toString());
        assertNotEquals(0, none.code());
        assertTrue(none.err().contains("is a tabular model: give --data TABLE.csv with the columns a, b and y"), none.err());
    }

    @Test
    void anOnnxModelGetsCardsAndStatisticsAndSaysWhatIsLimited(@TempDir Path dir) throws Exception {
        Path weights = dir.resolve("mlp.safetensors"), onnx = dir.resolve("mlp.onnx");
        Models.save(Models.mlp(new Rng(5)), "mlp", weights);
        assertEquals(0, CliRun.run("export", "--weights", weights.toString(), "--output", onnx.toString()).code());
        CliRun r = CliRun.run("explain", onnx.toString(), "--data", IMAGES.toString(), "--batch", "8");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("(ONNX, opset"), r.out());
        assertTrue(r.out().matches("(?s).*\\(Gemm\\)\\n  fully connected, 784 -> 256.*") || r.out().matches("(?s).*\\(MatMul\\)\\n  fully connected, 784 -> 256.*"), r.out());
        assertTrue(r.out().contains("235,146 parameters"), r.out());
        assertTrue(r.out().contains("note: an imported ONNX graph runs for inference only"), r.out());

        Path cnnWeights = dir.resolve("cnn.safetensors"), cnnOnnx = dir.resolve("cnn.onnx"), html = dir.resolve("cnn.html");
        Models.save(Models.cnn(new Rng(6)), "cnn", cnnWeights);
        assertEquals(0, CliRun.run("export", "--weights", cnnWeights.toString(), "--output", cnnOnnx.toString()).code());
        CliRun cnn = CliRun.run("explain", cnnOnnx.toString(), "--data", IMAGES.toString(), "--batch", "4", "--image", "2", "--html", html.toString());
        assertEquals(0, cnn.code(), cnn.err());
        assertTrue(cnn.out().contains("3x3 convolution, 1 -> 32 channels: looks for 32 local patterns in each 3x3 window"), cnn.out());
        String page = Files.readString(html, StandardCharsets.UTF_8);
        assertTrue(page.matches("(?s).*alt=\"First-layer filters: [^\"]+ \\(Conv\\)\".*"), "the first convolution's filters");
        assertTrue(page.contains("Feature maps of example 2: "), "its feature maps of --image 2");
    }

    @Test
    void badFlagsAndModelsSayWhatIsWrong(@TempDir Path dir) throws Exception {
        CliRun image = CliRun.run("explain", "mlp", "--batch", "4", "--image", "4");
        assertNotEquals(0, image.code());
        assertTrue(image.err().contains("--image 4 is outside the batch of 4 examples (--batch); valid: 0..3"), image.err());
        CliRun unknown = CliRun.run("explain", "resnet");
        assertNotEquals(0, unknown.code());
        assertTrue(unknown.err().contains("MODEL must be one of mlp, cnn, rowlstm, lstm, transformer, a model definition file NET.json") && unknown.err().contains("'resnet'"), unknown.err());
        CliRun lr = CliRun.run("explain", "mlp", "--lr", "-1");
        assertTrue(lr.err().contains("--lr must be a positive number, got -1.0"), lr.err());
        CliRun opt = CliRun.run("explain", "mlp", "--batch", "2", "--lr", "0.1", "--optimizer", "lion", "--data", IMAGES.toString());
        assertTrue(opt.err().contains("unknown optimizer 'lion'; available: adam, adamw, sgd, rmsprop"), opt.err());
        CliRun text = CliRun.run("explain", "lstm", "--data", TEXT.toString(), "--text", "abc~~");
        assertNotEquals(0, text.code());
        assertTrue(text.err().contains("--text: "), text.err());
        CliRun noOnnx = CliRun.run("explain", dir.resolve("absent.onnx").toString());
        assertTrue(noOnnx.err().contains("absent.onnx: no such ONNX file"), noOnnx.err());
        Path blocker = Files.writeString(dir.resolve("file"), "x");
        CliRun run = CliRun.run("explain", "mlp", "--batch", "2", "--run", blocker.resolve("sub").toString(), "--data", IMAGES.toString());
        assertNotEquals(0, run.code());
        assertTrue(run.err().contains("--run "), run.err());
    }
}
