package dev.lamina.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** {@code lamina train --model lstm|transformer}, {@code --model rowlstm} and {@code lamina generate}. */
class TextCliTest {
    private static final Path KJV = Path.of("..", "data", "kjv-subset", "kjv-subset.txt");

    /** The first 30,000 characters of the bundled text (its last tenth, 3,000, is the validation part). */
    @TempDir
    static Path shared;
    private static Path text;

    @org.junit.jupiter.api.BeforeAll
    static void smallText() throws Exception {
        text = shared.resolve("kjv-30k.txt");
        Files.writeString(text, Files.readString(KJV).substring(0, 30_000));
    }
    private static final Path IMAGES = Path.of("..", "data", "fashion-mnist-subset");

    private static CliRun run(String... args) {
        return CliRun.run(args);
    }

    private static double bits(String line, String which) {
        return Double.parseDouble(line.replaceAll(".*" + which + " loss [0-9.]+ \\(([0-9.]+) bits/char\\).*", "$1"));
    }

    @Test
    void trainsBothLanguageModelsSavesThemAndGeneratesFromTheFile(@TempDir Path dir) throws Exception {
        for (String model : new String[] {"lstm", "transformer"}) {
            Path saved = dir.resolve(model + ".safetensors");
            CliRun r = run("train", "--model", model, "--data", text.toString(), "--epochs", "2", "--limit", "640", "--seq-len", "32",
                    "--lr", "3e-3", "--save", saved.toString());
            assertEquals(0, r.code(), r.err());
            String e1 = r.out().lines().filter(l -> l.startsWith("epoch 1/2")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
            String e2 = r.out().lines().filter(l -> l.startsWith("epoch 2/2")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
            // log2(65) = 6.0 bits for a uniform guess; 40 steps of either model learn at least the letter frequencies
            assertTrue(bits(e2, "validation") < 4.0 && bits(e2, "train") < bits(e1, "train"), model + ":\n" + e1 + "\n" + e2);
            assertTrue(r.out().contains("sample (temperature 0.8):"), r.out());
            assertTrue(Files.size(saved) > 10_000);

            CliRun g = run("generate", saved.toString(), "--prompt", "And God said", "--length", "80", "--seed", "3");
            assertEquals(0, g.code(), g.err());
            String text = g.out().stripTrailing();
            assertTrue(text.startsWith("And God said"), text);
            assertEquals("And God said".length() + 80, text.length(), text);
            CliRun again = run("generate", saved.toString(), "--prompt", "And God said", "--length", "80", "--seed", "3");
            assertEquals(g.out(), again.out(), "same seed, same text");
        }
    }

    @Test
    void generateRejectsBadPromptsAndFiles(@TempDir Path dir) throws Exception {
        Path saved = dir.resolve("lstm.safetensors");
        assertEquals(0, run("train", "--model", "lstm", "--data", text.toString(), "--epochs", "1", "--limit", "32", "--save", saved.toString()).code());
        CliRun bad = run("generate", saved.toString(), "--prompt", "héllo");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--prompt") && bad.err().contains("not in the vocabulary"), bad.err());
        Path junk = dir.resolve("junk.safetensors");
        Files.write(junk, new byte[] {1, 2, 3});
        CliRun j = run("generate", junk.toString());
        assertEquals(1, j.code());
        assertTrue(j.err().contains("junk.safetensors"), j.err());
        Path image = dir.resolve("mlp.safetensors");
        assertEquals(0, run("train", "--data", IMAGES.toString(), "--epochs", "1", "--limit", "256", "--save", image.toString()).code());
        CliRun m = run("generate", image.toString());
        assertEquals(1, m.code());
        assertTrue(m.err().contains("not a language model"), m.err());
    }

    @Test
    void rowLstmClassifiesImagesAsSequencesOfRows() {
        CliRun r = run("train", "--model", "rowlstm", "--data", IMAGES.toString(), "--epochs", "3", "--limit", "3000", "--lr", "3e-3");
        assertEquals(0, r.code(), r.err());
        String last = r.out().lines().filter(l -> l.startsWith("epoch 3/3")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        double accuracy = Double.parseDouble(last.replaceAll(".*test accuracy ([0-9.]+)%.*", "$1"));
        // 141 steps of an LSTM over 28 rows (3,000 images, 3 epochs): far above the 10% of guessing
        assertTrue(accuracy > 50, last);
    }

    @Test
    void aLanguageModelRunResumesMidEpochToTheSameWeights(@TempDir Path dir) throws Exception {
        // 96 windows of 32, batch 32: 3 steps per epoch, 2 epochs; checkpoints at steps 2, 3 (epoch end), 4 and 6
        CliRun a = run("train", "--model", "transformer", "--data", text.toString(), "--epochs", "2", "--limit", "96", "--seq-len", "32",
                "--checkpoint-dir", dir.toString(), "--checkpoint-every", "2", "--json");
        assertEquals(0, a.code(), a.err());
        assertEquals("ckpt-000000006", Files.readString(dir.resolve("latest")).strip());
        byte[] finalWeights = Files.readAllBytes(dir.resolve("ckpt-000000006").resolve("model.safetensors"));
        String lastEpoch = a.out().lines().toList().getLast();
        Files.writeString(dir.resolve("latest"), "ckpt-000000004\n");
        CliRun b = run("train", "--resume", dir.toString(), "--json");
        assertEquals(0, b.code(), b.err());
        assertTrue(b.err().contains("epoch 2 after batch 1 of 3 (step 4)"), b.err());
        assertEquals(lastEpoch.replaceAll(",\"(epoch_seconds|eval_seconds|samples_per_second|chars_per_second)\":[^,}]*", ""),
                b.out().lines().toList().getLast().replaceAll(",\"(epoch_seconds|eval_seconds|samples_per_second|chars_per_second)\":[^,}]*", ""));
        assertArrayEquals(finalWeights, Files.readAllBytes(dir.resolve("ckpt-000000006").resolve("model.safetensors")));
    }
}
