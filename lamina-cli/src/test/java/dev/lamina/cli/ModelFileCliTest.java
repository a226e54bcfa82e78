package dev.lamina.cli;

import dev.lamina.autograd.Autograd;
import dev.lamina.data.FashionMnist;
import dev.lamina.io.Safetensors;
import dev.lamina.models.ModelSpec;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Tensor;
import dev.lamina.train.Metrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** {@code lamina train --model-file} and {@code lamina summary NET.json}, per-step schedules on the command line. */
class ModelFileCliTest {
    private static final Path DATA = Path.of("..", "data", "fashion-mnist-subset");
    private static final Path MLP = Path.of("..", "examples", "fashion-mlp.json");
    private static final Path CNN = Path.of("..", "examples", "fashion-cnn.json");

    @Test
    void summaryOfADefinitionFile() {
        CliRun r = CliRun.run("summary", MLP.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("1 (Linear)") && r.out().contains("[N, 256]") && r.out().contains("200,960") && r.out().contains("Total parameters: 203,530"), r.out());
        CliRun cnn = CliRun.run("summary", CNN.toString());
        assertEquals(0, cnn.code(), cnn.err());
        assertTrue(cnn.out().contains("2 (Conv2d)") && cnn.out().contains("[N, 16, 28, 28]") && cnn.out().contains("[N, 32, 4, 4]"), cnn.out());
    }

    @Test
    void trainsADefinitionFileAndTheSavedFileLoadsWithoutItsCode(@TempDir Path dir) throws Exception {
        Path saved = dir.resolve("m.safetensors");
        CliRun r = CliRun.run("train", "--model-file", MLP.toString(), "--data", DATA.toString(), "--epochs", "2", "--limit", "3000", "--save", saved.toString());
        assertEquals(0, r.code(), r.err());
        String last = r.out().lines().filter(l -> l.startsWith("epoch 2/2")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        assertFalse(r.out().contains("Epoch 2/2 - "), "the trainer's own line must not be printed too: " + r.out());
        double printed = Double.parseDouble(last.replaceAll(".*test accuracy ([0-9.]+)%.*", "$1"));
        assertTrue(printed > 70, last);
        assertTrue(ModelSpec.isIn(Safetensors.readMetadata(saved)));
        Sequential back = ModelSpec.load(saved);
        FashionMnist.Split split = FashionMnist.load(DATA);
        int[] predicted;
        try (var g = Autograd.noGrad()) {
            predicted = Metrics.argmax(back.forward(split.test().features()));
        }
        float[] actual = split.test().targets().toArray();
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) if (predicted[i] == actual[i]) correct++;
        assertEquals(printed, Math.round(10000.0 * correct / predicted.length) / 100.0, 1e-9, "the loaded model reproduces the printed test accuracy");
        CliRun summary = CliRun.run("summary", saved.toString());
        assertEquals(0, summary.code(), summary.err());
        assertTrue(summary.out().contains("Total parameters: 203,530"), summary.out());
    }

    @Test
    void aDefinitionWithImageShapedInputGetsReshapedData(@TempDir Path dir) throws Exception {
        Path net = dir.resolve("net.json");
        Files.writeString(net, """
                {"input": [1, 28, 28], "layers": [
                  {"type": "Conv2d", "in_channels": 1, "out_channels": 4, "kernel_size": 3, "stride": 2},
                  {"type": "ReLU"}, {"type": "Flatten"},
                  {"type": "Linear", "in_features": 676, "out_features": 10}]}
                """);
        CliRun r = CliRun.run("train", "--model-file", net.toString(), "--data", DATA.toString(), "--epochs", "1", "--limit", "640");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("epoch 1/1"), r.out());
    }

    @Test
    void badDefinitionsAreClearErrors(@TempDir Path dir) throws Exception {
        Path unknown = dir.resolve("unknown.json");
        Files.writeString(unknown, "{\"input\": [784], \"layers\": [{\"type\": \"Dense\", \"units\": 10}]}");
        CliRun r = CliRun.run("train", "--model-file", unknown.toString(), "--data", DATA.toString(), "--epochs", "1");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("unknown.json: layers[0]: unknown layer type \"Dense\"; known types: ") && r.err().contains("Linear"), r.err());

        Path chain = dir.resolve("chain.json");
        Files.writeString(chain, "{\"input\": [784], \"layers\": [{\"type\": \"Linear\", \"in_features\": 784, \"out_features\": 64}, {\"type\": \"Linear\", \"in_features\": 32, \"out_features\": 10}]}");
        CliRun c = CliRun.run("summary", chain.toString());
        assertNotEquals(0, c.code());
        assertTrue(c.err().contains("layers[1] (Linear) does not accept the output of layers[0] (Linear), shape [N, 64]") && c.err().contains("[..., 32]"), c.err());

        Path size = dir.resolve("size.json");
        Files.writeString(size, "{\"input\": [100], \"layers\": [{\"type\": \"Linear\", \"in_features\": 100, \"out_features\": 10}]}");
        CliRun s = CliRun.run("train", "--model-file", size.toString(), "--data", DATA.toString(), "--epochs", "1");
        assertNotEquals(0, s.code());
        assertTrue(s.err().contains("size.json: the model's input [100] holds 100 values per example, the data's examples [784] hold 784"), s.err());

        CliRun missing = CliRun.run("train", "--model-file", dir.resolve("nope.json").toString(), "--data", DATA.toString());
        assertTrue(missing.err().contains("model file not found") && missing.err().contains("nope.json"), missing.err());
    }

    @Test
    void oneCycleRunsPerStepFromTheCommandLine() {
        CliRun r = CliRun.run("train", "--data", DATA.toString(), "--epochs", "2", "--limit", "640", "--lr-schedule", "onecycle", "--lr", "0.01", "--json");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(2, lines.length, r.out());
        // epoch 1 starts at max_lr / 25; epoch 2 starts at step 10 of 20 (on the way down from the peak at step 5)
        assertEquals(0.01 / 25, Double.parseDouble(lines[0].replaceAll(".*\"lr\":([-0-9.eE]+).*", "$1")), 1e-12, lines[0]);
        double lr2 = Double.parseDouble(lines[1].replaceAll(".*\"lr\":([-0-9.eE]+).*", "$1"));
        assertEquals(dev.lamina.optim.LrSchedule.oneCycle(20).lr(0.01, 10), lr2, 1e-12);
        CliRun bad = CliRun.run("train", "--data", DATA.toString(), "--lr-schedule", "cosine", "--warmup-steps", "10");
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("--warmup-steps works with --lr-schedule constant or warmup-cosine, not cosine"), bad.err());
        CliRun unknown = CliRun.run("train", "--data", DATA.toString(), "--lr-schedule", "cyclic");
        assertTrue(unknown.err().contains("unknown learning-rate schedule 'cyclic'") && unknown.err().contains("onecycle, warmup-cosine"), unknown.err());
    }

    @Test
    void aModelFileRunResumesFromItsCheckpoint(@TempDir Path dir) {
        Path ckpt = dir.resolve("ckpt");
        CliRun first = CliRun.run("train", "--model-file", MLP.toString(), "--data", DATA.toString(), "--epochs", "1", "--limit", "640",
                "--lr-schedule", "warmup-cosine", "--warmup-steps", "4", "--checkpoint-dir", ckpt.toString());
        assertEquals(0, first.code(), first.err());
        CliRun again = CliRun.run("train", "--resume", ckpt.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("the run had finished"), again.out());
    }
}
