package dev.lamina.cli;

import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import dev.lamina.io.DirectoryLock;
import dev.lamina.io.Safetensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A model trained from a definition file ({@code lamina train --model-file}) is a saved model like the named ones:
 * {@code predict}, {@code evaluate} and {@code summary} load it through {@code SavedModel}, shaped to its declared
 * input; with a per-step schedule it checkpoints under the run lock and resumes bit for bit.
 */
class ModelFilePredictCliTest {
    private static final Path DATA = Path.of("..", "data", "fashion-mnist-subset");
    /** Declares images as [1, 28, 28], so every input must be reshaped from the 784 values of a row or picture. */
    private static final String NET = """
            {"input": [1, 28, 28], "layers": [
              {"type": "Flatten"},
              {"type": "Linear", "in_features": 784, "out_features": 32},
              {"type": "ReLU"},
              {"type": "Linear", "in_features": 32, "out_features": 10}]}
            """;

    @TempDir
    static Path shared;
    private static Path net, saved;
    private static Dataset test;

    @BeforeAll
    static void trainFromADefinition() throws Exception {
        net = Files.writeString(shared.resolve("net.json"), NET);
        saved = shared.resolve("net.safetensors");
        CliRun r = CliRun.run("train", "--model-file", net.toString(), "--data", DATA.toString(), "--epochs", "1", "--limit", "2000", "--save", saved.toString());
        assertEquals(0, r.code(), r.err());
        test = FashionMnist.load(DATA).test();
    }

    private static int[] pixels(int i) {
        float[] f = test.features().narrow(0, i, 1).contiguous().toArray();
        int[] p = new int[f.length];
        for (int k = 0; k < f.length; k++) p[k] = Math.round(f[k] * 255);
        return p;
    }

    @Test
    void predictOnPixelRowsAgreesWithEvaluate() throws Exception {
        int n = 200;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(String.join(",", Arrays.stream(pixels(i)).mapToObj(Integer::toString).toList())).append('\n');
        Path rows = Files.writeString(shared.resolve("rows.csv"), sb);
        CliRun p = CliRun.run("predict", saved.toString(), rows.toString(), "--json");
        assertEquals(0, p.code(), p.err());
        List<String> lines = p.out().strip().lines().toList();
        assertEquals(n, lines.size());
        float[] labels = test.targets().toArray();
        int right = 0;
        for (int i = 0; i < n; i++) {
            Map<String, Object> o = CliTest.JsonCheck.parseObject(lines.get(i));
            assertEquals("model-file", o.get("model"));
            if (((Double) o.get("index")).intValue() == (int) labels[i]) right++;
        }
        CliRun e = CliRun.run("evaluate", saved.toString(), "--data", DATA.toString(), "--limit", "" + n, "--json");
        assertEquals(0, e.code(), e.err());
        Map<String, Object> eval = CliTest.JsonCheck.parseObject(e.out().strip());
        assertEquals((double) n, eval.get("samples"));
        assertEquals(right / (double) n, (Double) eval.get("accuracy"), 1e-12, "predict and evaluate see the same model and inputs");
        assertTrue(right / (double) n > 0.6, "one epoch of the defined MLP learns: " + right + "/" + n);
        CliRun human = CliRun.run("evaluate", saved.toString(), "--data", DATA.toString(), "--limit", "" + n);
        assertTrue(human.out().contains("confusion matrix of the test set") && human.out().contains("Ankle boot"), human.out());
    }

    @Test
    void predictOnAPictureAndSummaryOfTheSavedFile() throws Exception {
        int[] grey = pixels(0);
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) for (int x = 0; x < 28; x++) img.getRaster().setSample(x, y, 0, grey[y * 28 + x]);
        Path png = shared.resolve("first.png");
        assertTrue(ImageIO.write(img, "png", png.toFile()));
        CliRun p = CliRun.run("predict", saved.toString(), png.toString(), "--top-k", "10", "--json");
        assertEquals(0, p.code(), p.err());
        Map<String, Object> o = CliTest.JsonCheck.parseObject(p.out().strip());
        assertTrue(List.of(FashionMnist.CLASSES).contains((String) o.get("class")), p.out());
        @SuppressWarnings("unchecked")
        List<Object> probabilities = (List<Object>) o.get("probabilities");
        assertEquals(10, probabilities.size());
        assertEquals(1.0, probabilities.stream().mapToDouble(v -> (Double) v).sum(), 1e-9);

        CliRun s = CliRun.run("summary", saved.toString());
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("Total parameters: 25,450"), s.out());   // 784·32 + 32 + 32·10 + 10
    }

    @Test
    void aSavedDefinitionThatIsNotAnImageClassifierIsNamedAsSuch(@TempDir Path dir) throws Exception {
        Path other = Files.writeString(dir.resolve("small.json"), "{\"input\": [3], \"layers\": [{\"type\": \"Linear\", \"in_features\": 3, \"out_features\": 2}]}");
        Path file = dir.resolve("small.safetensors");
        var spec = dev.lamina.models.ModelSpec.read(other);
        spec.save(spec.build(new dev.lamina.tensor.Rng(1)), file, Map.of());
        CliRun p = CliRun.run("predict", file.toString(), "x.png");
        assertEquals(1, p.code());
        assertTrue(p.err().contains(file + ": a model definition that takes [3] and gives [N, 2], without a tabular schema"), p.err());
        assertTrue(p.err().contains("a classifier of 28x28 images (784 values) into 10 classes"), p.err());
    }

    private static long step(Path checkpoint) {
        return Long.parseLong(checkpoint.getFileName().toString().substring("ckpt-".length()));
    }

    /** A per-step one-cycle schedule on a defined model: checkpoints mid-epoch, refused while locked, resumed to the same weights. */
    @Test
    void aOneCycleModelFileRunResumesMidEpochToTheSameWeightsUnderItsLock(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("ckpt"), whole = dir.resolve("whole.safetensors"), resumed = dir.resolve("resumed.safetensors");
        CliRun first = CliRun.run("train", "--model-file", net.toString(), "--data", DATA.toString(), "--epochs", "2", "--limit", "640",
                "--lr-schedule", "onecycle", "--lr", "0.01", "--checkpoint-dir", ckpt.toString(), "--checkpoint-every", "3", "--save", whole.toString());
        assertEquals(0, first.code(), first.err());
        Path mid;   // the earliest mid-epoch checkpoint kept (10 steps an epoch; older ones are pruned)
        try (Stream<Path> s = Files.list(ckpt)) {
            mid = s.filter(p -> p.getFileName().toString().matches("ckpt-\\d+") && step(p) % 10 != 0)
                    .min(java.util.Comparator.comparingLong(ModelFilePredictCliTest::step)).orElseThrow(() -> new AssertionError("no mid-epoch checkpoint in " + ckpt));
        }
        long step = step(mid);
        try (DirectoryLock held = DirectoryLock.acquire(ckpt, "a one-cycle run")) {
            CliRun refused = CliRun.run("train", "--resume", mid.toString());
            assertEquals(1, refused.code());
            assertTrue(refused.err().contains("is in use by another run") && refused.err().contains("a one-cycle run"), refused.err());
        }
        CliRun again = CliRun.run("train", "--resume", mid.toString(), "--save", resumed.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("resuming " + mid + ": epoch " + (step / 10 + 1) + " after batch " + step % 10 + " of 10 (step " + step + ")"), again.out());
        var a = Safetensors.readAll(whole).tensors();
        var b = Safetensors.readAll(resumed).tensors();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toArray(), b.get(k).toArray(), k);
        assertNotNull(Safetensors.readMetadata(resumed).get(dev.lamina.models.ModelSpec.METADATA_KEY), "the resumed run saves the definition too");
    }
}
