package dev.lamina.onnx.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Replays the seed corpus of {@code tools/fuzz.sh onnx} (every fixture model) through {@link OnnxFuzzTarget} without
 * Jazzer, with each model's prefix-truncations at 1/8 steps and the empty input: a broken harness, or an importer
 * that throws anything but {@code OnnxException} on these, fails the normal build.
 */
class OnnxFuzzTargetReplayTest {
    @Test
    void fixtureModelsReplay() throws Exception {
        List<Path> models;
        try (Stream<Path> dirs = Files.list(root())) {
            models = dirs.map(d -> d.resolve("model.onnx")).filter(Files::isRegularFile).sorted().toList();
        }
        assertTrue(models.size() >= 5, "fixture models not found: " + models);
        OnnxFuzzTarget.fuzzerTestOneInput(new byte[0]);
        for (Path m : models) {
            byte[] b = Files.readAllBytes(m);
            for (int k = 1; k <= 8; k++) OnnxFuzzTarget.fuzzerTestOneInput(Arrays.copyOf(b, b.length * k / 8));
        }
    }

    private static Path root() throws URISyntaxException {
        return Path.of(OnnxFuzzTargetReplayTest.class.getResource("/fixtures").toURI());
    }
}
