package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.autograd.Autograd;
import dev.lamina.io.Npy;
import dev.lamina.io.NpyArray;
import dev.lamina.models.LanguageModel;
import dev.lamina.models.LanguageModels;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lamina train --model lstm|transformer --save} → {@code lamina export} → {@code lamina onnx run}: the ONNX
 * logits are identical to Lamina's own for the saved model (the importer runs the same kernels, attention fused back
 * into Lamina's). The exported files stay under target/onnx-export/ for
 * tools/fixtures/check_onnx_export.py.
 */
class LanguageModelExportCliTest {
    private static final Path KJV = Path.of("..", "data", "kjv-subset", "kjv-subset.txt");
    private static final Path EXPORTS = Path.of("target", "onnx-export");

    private static CliRun run(String... args) {
        return CliRun.run(args);
    }

    @Test
    void trainedLanguageModelsExportAndRunWithTheSameLogits(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("small.txt");
        Files.writeString(text, Files.readString(KJV).substring(0, 6_000));
        Files.createDirectories(EXPORTS);
        for (String name : new String[] {"transformer", "lstm"}) {
            Path saved = dir.resolve(name + ".safetensors");
            CliRun train = run("train", "--model", name, "--data", text.toString(), "--limit", "32", "--epochs", "1", "--seq-len", "16",
                    "--save", saved.toString());
            assertEquals(0, train.code(), train.err());

            Path onnx = EXPORTS.resolve("cli_" + name + ".onnx");
            CliRun export = run("export", "--weights", saved.toString(), "--format", "onnx", "--output", onnx.toString());
            assertEquals(0, export.code(), export.err());
            assertTrue(export.out().contains("input ids int64[N, T" + (name.equals("transformer") ? " <= 16]" : "]")), export.out());

            CliRun info = run("onnx", "info", onnx.toString());
            assertEquals(0, info.code(), info.err());
            assertTrue(info.out().contains("ids: int64[N, T]") && info.out().contains("logits: float[N, T, "), info.out());

            LanguageModel lm = LanguageModels.load(saved).model();
            int vocab = lm.vocabSize();
            Rng rng = new Rng(4);
            for (int[] shape : new int[][] {{3, 16}, {2, 7}}) {
                float[] v = new float[shape[0] * shape[1]];
                for (int i = 0; i < v.length; i++) v[i] = rng.nextInt(vocab);
                Path ids = dir.resolve("ids.npy");
                Npy.write(ids, shape, v);
                Path out = dir.resolve("out_" + name + shape[1]);
                CliRun ran = run("onnx", "run", onnx.toString(), "--input", "ids=" + ids, "--output-dir", out.toString());
                assertEquals(0, ran.code(), ran.err());
                NpyArray got = Npy.read(out.resolve("logits.npy"));
                Tensor expected;
                try (var scope = Autograd.noGrad()) {
                    expected = lm.logits(Tensor.of(v, shape));
                }
                assertArrayEquals(expected.shape(), got.shape(), name);
                assertArrayEquals(expected.toArray(), got.data(), name + ": identical logits");
            }
        }
    }

    @Test
    void languageModelNeedsItsFile(@TempDir Path dir) {
        CliRun r = run("export", "--model", "transformer", "--output", dir.resolve("t.onnx").toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("vocabulary") && r.err().contains("--save"), r.err());
        assertTrue(Files.notExists(dir.resolve("t.onnx")));
    }
}
