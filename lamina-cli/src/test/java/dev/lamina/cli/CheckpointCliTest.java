package dev.lamina.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@code lamina train --checkpoint-dir/--checkpoint-every} and {@code --resume}. */
class CheckpointCliTest {
    private static final Path DATA = Path.of("..", "data", "fashion-mnist-subset");

    private static CliRun run(String... args) {
        return CliRun.run(args);
    }

    /** The numbers of a --json epoch line that do not depend on timing. */
    private static String metrics(String line) {
        Map<String, Object> o = CliTest.JsonCheck.parseObject(line);
        return List.of("epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "test_macro_f1", "lr").stream()
                .map(k -> k + "=" + o.get(k)).toList().toString();
    }

    @Test
    void aRunResumedMidEpochFinishesExactlyAsTheUninterruptedRun(@TempDir Path dir) throws Exception {
        // 600 examples, batch 64: 10 steps per epoch; checkpoints at steps 7 and 14 and after epochs 1 and 2
        CliRun a = run("train", "--data", DATA.toString(), "--epochs", "2", "--limit", "600", "--json", "--lr-schedule", "cosine",
                "--checkpoint-dir", dir.toString(), "--checkpoint-every", "7");
        assertEquals(0, a.code(), a.err());
        List<String> lines = a.out().lines().toList();
        assertEquals(2, lines.size(), a.out());
        assertEquals("ckpt-000000020", Files.readString(dir.resolve("latest")).strip());
        assertTrue(Files.isDirectory(dir.resolve("ckpt-000000014")), "the previous checkpoint (mid-epoch 2) is kept");
        byte[] finalWeights = Files.readAllBytes(dir.resolve("ckpt-000000020").resolve("model.safetensors"));

        // as if the process had died after step 14: the pointer names the mid-epoch checkpoint
        Files.writeString(dir.resolve("latest"), "ckpt-000000014\n");
        CliRun b = run("train", "--resume", dir.toString(), "--json", "--seed", "42");
        assertEquals(0, b.code(), b.err());
        assertTrue(b.err().contains("epoch 2 after batch 4 of 10 (step 14)"), b.err());
        List<String> resumed = b.out().lines().toList();
        assertEquals(1, resumed.size(), "only the unfinished epoch is trained and printed: " + b.out());
        assertEquals(metrics(lines.get(1)), metrics(resumed.get(0)));
        assertEquals("ckpt-000000020", Files.readString(dir.resolve("latest")).strip());
        assertArrayEquals(finalWeights, Files.readAllBytes(dir.resolve("ckpt-000000020").resolve("model.safetensors")),
                "the final weights are bit-identical to the uninterrupted run's");
        String manifest = Files.readString(dir.resolve("ckpt-000000020").resolve("manifest.json"));
        assertTrue(manifest.contains("\"lr_schedule\": \"cosine\"") && manifest.contains("\"checkpoint_every\": \"7\""), manifest);

        // resuming the finished run trains nothing and prints the report
        CliRun c = run("train", "--resume", dir.toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("the run had finished") && c.out().contains("macro avg"), c.out());
        assertFalse(c.out().contains("epoch 2/2"), c.out());
    }

    @Test
    void flagsThatWouldChangeTheResumedRunAreRefused(@TempDir Path dir) {
        CliRun a = run("train", "--data", DATA.toString(), "--epochs", "1", "--limit", "300", "--checkpoint-dir", dir.toString());
        assertEquals(0, a.code(), a.err());
        CliRun b = run("train", "--resume", dir.toString(), "--lr", "0.1", "--model", "cnn", "--limit", "300");
        assertEquals(1, b.code());
        assertTrue(b.err().contains("--lr 0.1 (the checkpoint's run has 0.001)") && b.err().contains("--model cnn (the checkpoint's run has mlp)"), b.err());
        assertFalse(b.err().contains("--limit"), "an explicit flag equal to the saved value is fine: " + b.err());
        // a constant learning rate lets --epochs extend the run: epoch 2 is trained
        CliRun c = run("train", "--resume", dir.toString(), "--epochs", "2");
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("epoch 2/2") && !c.out().contains("epoch 1/2"), c.out());
    }

    @Test
    void checkpointFlagErrorsAreClear(@TempDir Path dir) {
        CliRun a = run("train", "--data", DATA.toString(), "--checkpoint-every", "5");
        assertEquals(1, a.code());
        assertTrue(a.err().contains("--checkpoint-every needs --checkpoint-dir"), a.err());
        CliRun b = run("train", "--resume", dir.resolve("nothing").toString());
        assertEquals(1, b.code());
        assertTrue(b.err().contains("no such checkpoint directory"), b.err());
        CliRun c = run("train", "--resume", dir.toString());
        assertEquals(1, c.code());
        assertTrue(c.err().contains("no checkpoint here"), c.err());
    }
}
