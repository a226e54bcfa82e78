package dev.lamina.train;

import dev.lamina.io.Safetensors;
import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * THE KILL TEST: a child JVM trains {@link ResumableRun} with a checkpoint every 5 steps and every epoch; it is
 * killed with SIGKILL ({@link Process#destroyForcibly()}) at seeded-random steps, half of them just as a checkpoint
 * starts being written, and restarted each time; it resumes from whatever the kill left on disk. The final weights
 * and the whole history must equal those of an uninterrupted run bit for bit.
 */
class KillResumeTest {
    @TempDir
    Path tmp;

    private static final int EVERY = 5;
    private static final int KILLS = 5;

    @Test
    void killedAtRandomMomentsAndResumedEachTimeItEndsExactlyLikeAnUninterruptedRun() throws Exception {
        ResumableRun.Setup ref = ResumableRun.setup("adam", 11);
        History refHistory = ref.trainer().fit(ref.loader(), ref.validation(), ResumableRun.EPOCHS);
        Map<String, float[]> refWeights = ResumableRun.weights(ref.model());
        int total = ResumableRun.EPOCHS * (ResumableRun.TRAIN / ResumableRun.BATCH);

        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path dir = tmp.resolve("checkpoints");
        Path out = tmp.resolve("final.safetensors");
        Rng rng = new Rng(20261126);
        List<String> log = new ArrayList<>();
        int kills = 0, debrisSeen = 0;
        for (int attempt = 0; attempt < KILLS + 3 && !Files.exists(out); attempt++) {
            Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-Xmx512m", "-XX:+UseSerialGC",
                    "-Dlamina.backend=" + dev.lamina.backend.Backends.current().name(),
                    "-Dlamina.threads=" + Parallel.threads(), "-cp", System.getProperty("java.class.path"),
                    ResumableRun.class.getName(), dir.toString(), out.toString(), "adam", Integer.toString(EVERY))
                    .redirectErrorStream(true).start();
            long target = Long.MAX_VALUE;
            boolean killed = false;
            StringBuilder output = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.append(line).append('\n');
                    if (line.startsWith("start ")) {
                        long start = Long.parseLong(line.substring(6));
                        if (kills < KILLS) {
                            long t = start + 1 + rng.nextInt((int) Math.min(70, total - start - 1));
                            // half the kills land as a checkpoint begins to be written (it follows the step's line)
                            if (kills % 2 == 0) t = Math.min(total - 1, (t + EVERY - 1) / EVERY * EVERY);
                            target = t;
                        }
                    } else if (line.startsWith("step ") && Long.parseLong(line.substring(5)) >= target) {
                        p.destroyForcibly(); // SIGKILL on Unix; it also closes our end of the pipe
                        killed = true;
                        break;
                    }
                }
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child did not end");
            if (killed) {
                kills++;
                try (Stream<Path> s = Files.list(dir)) {
                    List<String> names = s.map(q -> q.getFileName().toString()).sorted().toList();
                    if (names.stream().anyMatch(n -> n.startsWith("."))) debrisSeen++;
                    log.add("killed at step >= " + target + " (exit " + p.exitValue() + "), left " + names);
                }
            } else {
                assertEquals(0, p.exitValue(), "child failed:\n" + output);
                log.add("finished: " + output.toString().lines().filter(l -> l.startsWith("start")).findFirst().orElse("?"));
            }
        }
        System.out.println("KillResumeTest: " + kills + " kills, " + debrisSeen + " left a half-written checkpoint behind\n  " + String.join("\n  ", log));
        assertEquals(KILLS, kills, String.join("\n", log));
        assertTrue(Files.exists(out), "the run finished: " + log);

        Safetensors.Contents c = Safetensors.readAll(out);
        assertEquals(ResumableRun.historyString(refHistory), c.metadata().get("history"));
        assertEquals(refWeights.keySet(), c.tensors().keySet());
        for (Map.Entry<String, float[]> e : refWeights.entrySet()) {
            Tensor t = c.tensors().get(e.getKey());
            assertArrayEquals(e.getValue(), t.toArray(), e.getKey() + " differs from the uninterrupted run");
        }
        assertEquals(total, Checkpoint.load(dir).progress().globalStep());
    }
}
