package dev.lamina.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DashboardCliTest {
    private static final Path DATA = Path.of("..", "data", "fashion-mnist-subset");

    private static CliRun train(Path runDir, String... more) {
        String[] base = {"train", "--data", DATA.toString(), "--limit", "320", "--epochs", "1", "--no-progress", "--run-dir", runDir.toString()};
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return CliRun.run(args);
    }

    @Test
    void runDirRecordsTheTrainingAndReportsTheCost(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("runs").resolve("mlp-1");
        CliRun r = train(dir, "--stats-every", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("recording the run into " + dir), r.out());
        assertTrue(r.out().matches("(?s).*statistics took [0-9.]+% of step time \\(histograms every 2 steps\\).*"), r.out());
        String explain = Files.readString(dir.resolve("explain.html"));   // the explain page, written after the epoch
        assertTrue(explain.contains("after epoch 1") && explain.contains("(Linear)"), explain.substring(0, Math.min(300, explain.length())));
        long steps = Files.readAllLines(dir.resolve("records.jsonl")).stream().filter(l -> l.startsWith("{\"type\":\"step\"")).count();
        assertEquals(5, steps, "320 examples in batches of 64");
        String settings = Files.readString(dir.resolve("settings.json"));
        assertTrue(settings.contains("\"command\":\"lamina train --data") && settings.contains("\"classes\":[\"T-shirt/top\""), settings);
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("events.out.tfevents.")));
        }
        CliRun again = train(dir);
        assertEquals(1, again.code());
        assertTrue(again.err().contains("--run-dir " + dir) && again.err().contains("already holds a run"), again.err());
    }

    @Test
    void zooModelsRecordTheirRunsToo(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("zoo-run");
        CliRun r = CliRun.run("train", "--model", "resnet18", "--data", DATA.toString(), "--width-mult", "0.0625", "--limit", "128", "--batch-size", "32",
                "--epochs", "1", "--no-progress", "--run-dir", dir.toString(), "--stats-every", "2");
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(dir.resolve("records.jsonl"));
        assertEquals(4, lines.stream().filter(l -> l.startsWith("{\"type\":\"step\"")).count(), "128 examples in batches of 32");
        // per-layer statistics of the torchvision-named layers, activations from the model-ready probe batch
        assertTrue(lines.stream().anyMatch(l -> l.contains("layer1.0.conv1")), "no statistics for layer1.0.conv1");
        assertTrue(Files.readString(dir.resolve("settings.json")).contains("\"command\":\"lamina train --model resnet18"));
    }

    @Test
    void aResumedRunContinuesTheStepNumbers(@TempDir Path tmp) throws Exception {
        Path checkpoints = tmp.resolve("ckpt"), runDir = tmp.resolve("resumed");
        CliRun first = CliRun.run("train", "--data", DATA.toString(), "--limit", "320", "--epochs", "1", "--no-progress", "--checkpoint-dir", checkpoints.toString());
        assertEquals(0, first.code(), first.err());
        CliRun resumed = CliRun.run("train", "--resume", checkpoints.toString(), "--epochs", "2", "--no-progress", "--run-dir", runDir.toString());
        assertEquals(0, resumed.code(), resumed.err());
        List<String> steps = Files.readAllLines(runDir.resolve("records.jsonl")).stream().filter(l -> l.startsWith("{\"type\":\"step\"")).toList();
        assertEquals(5, steps.size(), "the second epoch's 5 steps");
        assertTrue(steps.getFirst().startsWith("{\"type\":\"step\",\"step\":6,\"epoch\":2,\"batch\":1,"), steps.getFirst());
    }

    @Test
    void badStatisticsIntervalIsRefusedByName(@TempDir Path tmp) {
        CliRun r = train(tmp.resolve("run"), "--stats-every", "-3");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--stats-every must be >= 0 steps (0: automatic), got -3"), r.err());
    }

    @Test
    void aTakenPortIsAClearErrorWithAFreePortAndLeavesNoRunBehind(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CliRun r = train(dir, "--dashboard=" + taken.getLocalPort());
            assertEquals(1, r.code());
            assertTrue(r.err().contains("port " + taken.getLocalPort() + " on 127.0.0.1 is already in use"), r.err());
            assertTrue(r.err().matches("(?s).*use --dashboard=[0-9]+ .*"), r.err());
        }
        assertFalse(Files.exists(dir.resolve("records.jsonl")), "the run that never started is not left as an empty run");
    }

    @Test
    void dashboardCommandServesSeveralRunsAndRefusesMissingOnes(@TempDir Path tmp) throws Exception {
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        assertEquals(0, train(a).code());
        assertEquals(0, train(b, "--lr", "1e-2").code());
        CliRun missing = CliRun.run("dashboard", tmp.resolve("nope").toString(), "--port", "0");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains(tmp.resolve("nope") + " does not exist"), missing.err());

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        DashboardCommand.stop = new CountDownLatch(1);
        CompletableFuture<CliRun> serving = CompletableFuture.supplyAsync(() -> CliRun.run("dashboard", a.toString(), b.toString(), "--port", "" + port));
        HttpClient client = HttpClient.newHttpClient();
        String runs = null;
        for (int i = 0; i < 100 && runs == null; i++) {
            try {
                runs = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/runs")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } catch (java.io.IOException e) {
                Thread.sleep(100);
            }
        }
        DashboardCommand.stop.countDown();
        CliRun r = serving.get(30, TimeUnit.SECONDS);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("dashboard: http://127.0.0.1:" + port + "/ showing 2 runs"), r.out());
        assertTrue(runs != null && runs.contains("\"name\":\"a\"") && runs.contains("\"name\":\"b\"") && runs.contains("0.01"), String.valueOf(runs));
    }
}
