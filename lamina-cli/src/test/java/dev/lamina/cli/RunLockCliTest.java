package dev.lamina.cli;

import dev.lamina.io.DirectoryLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * One run per checkpoint directory: a second {@code lamina train} on a directory a running one holds (here a real
 * second JVM) is refused, naming the holder; interrupting the holder says how to resume; the resume then names the
 * checkpoint it loaded.
 */
class RunLockCliTest {
    private static final Path DATA = Path.of("..", "data", "fashion-mnist-subset");

    @Test
    void aSecondRunOnAHeldCheckpointDirectoryIsRefusedAndTheInterruptedRunSaysHowToResume(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("ckpts");
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process holder = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-Xmx256m", "-Dlamina.threads=1",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "train", "--data", DATA.toString(), "--epochs", "1000", "--limit", "128", "--checkpoint-dir", dir.toString())
                .redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(tmp.resolve("err.txt").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(dir.resolve("latest")) && holder.isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
            assertTrue(holder.isAlive() && Files.exists(dir.resolve("latest")), "the first run checkpoints: " + Files.readString(tmp.resolve("err.txt")));

            CliRun resume = CliRun.run("train", "--resume", dir.toString());
            assertEquals(1, resume.code());
            assertTrue(resume.err().contains(dir + " is in use by another run (held by pid " + holder.pid() + ", started "), resume.err());
            assertTrue(resume.err().contains("lamina train --data"), "the holder's command line is named: " + resume.err());
            CliRun again = CliRun.run("train", "--data", DATA.toString(), "--epochs", "1", "--limit", "128", "--checkpoint-dir", dir.toString());
            assertEquals(1, again.code());
            assertTrue(again.err().contains("held by pid " + holder.pid()), again.err());
            assertFalse(again.out().contains("epoch 1/1"), again.out());
        } finally {
            holder.destroy();   // SIGTERM, as a kill or Ctrl-C (SIGINT) would end it
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
        String err = Files.readString(tmp.resolve("err.txt"));
        assertTrue(err.contains("lamina: interrupted; the last checkpoint in " + dir + " is complete. Resume with: lamina train --resume " + dir), err);

        String latest = Files.readString(dir.resolve("latest")).strip();
        // resume for exactly the epochs the killed run completed (how many it got through depends on the machine's speed)
        int completed = dev.lamina.train.Checkpoint.load(dir.resolve(latest)).progress().epoch() - 1;
        assertTrue(completed >= 1, "the killed run completed an epoch");
        CliRun resumed = CliRun.run("train", "--resume", dir.toString(), "--epochs", Integer.toString(completed));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resuming " + dir.resolve(latest) + ": the run had finished"), resumed.out());
        assertTrue(Files.readString(dir.resolve(DirectoryLock.FILE)).contains("--resume"), "the lock file names its last holder");
    }

    @Test
    void aRunThatEndsNormallyReleasesItsLockAndPrintsNoInterruptionHint(@TempDir Path dir) {
        CliRun a = CliRun.run("train", "--data", DATA.toString(), "--epochs", "1", "--limit", "128", "--checkpoint-dir", dir.toString());
        assertEquals(0, a.code(), a.err());
        CliRun b = CliRun.run("train", "--resume", dir.toString(), "--epochs", "2");
        assertEquals(0, b.code(), b.err());
        assertTrue(b.out().contains("epoch 2/2"), b.out());
        assertFalse(a.err().contains("interrupted") || b.err().contains("interrupted"), a.err() + b.err());
    }

    @Test
    void aValidationSplitRunIsLockedTooAndItsResumeNamesTheCheckpointItLoaded(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("ck");
        CliRun first = CliRun.run("train", "--data", DATA.toString(), "--epochs", "1", "--limit", "200", "--val-split", "0.25", "--checkpoint-dir", dir.toString());
        assertEquals(0, first.code(), first.err());
        try (DirectoryLock held = DirectoryLock.acquire(dir, "another --val-split run")) {
            CliRun refused = CliRun.run("train", "--resume", dir.toString(), "--epochs", "2");
            assertEquals(1, refused.code());
            assertTrue(refused.err().contains(dir + " is in use by another run (held by pid " + ProcessHandle.current().pid() + ", started ")
                    && refused.err().contains("another --val-split run"), refused.err());
            assertFalse(refused.out().contains("epoch 2/2"), refused.out());
        }
        String latest = Files.readString(dir.resolve("latest")).strip();
        CliRun resumed = CliRun.run("train", "--resume", dir.toString(), "--epochs", "2");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resuming " + dir.resolve(latest) + ": epoch 2 from its start"), resumed.out());
        assertTrue(resumed.out().lines().anyMatch(l -> l.startsWith("epoch 2/2") && l.contains("validation loss")), resumed.out());
        assertTrue(Files.readString(dir.resolve(DirectoryLock.FILE)).contains("--resume " + dir), "the resumed run held the lock");
    }
}
