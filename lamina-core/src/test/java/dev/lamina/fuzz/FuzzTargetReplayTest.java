package dev.lamina.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Replays the seed corpus of {@code tools/fuzz.sh} through the Jazzer fuzz targets without Jazzer, together with
 * every prefix-truncation of each seed at 1/8 steps and the empty input, so that a target which no longer runs (its
 * harness broken by an API change) or a reader that throws something other than {@link IOException} on these fails
 * the normal build instead of only the fuzz run.
 */
class FuzzTargetReplayTest {
    private interface Target {
        void run(byte[] data) throws IOException;
    }

    private static List<byte[]> inputs(Stream<Path> seeds) throws IOException {
        List<byte[]> out = new ArrayList<>();
        out.add(new byte[0]);
        for (Path p : (Iterable<Path>) seeds::iterator) {
            byte[] b = Files.readAllBytes(p);
            for (int k = 1; k <= 8; k++) out.add(Arrays.copyOf(b, (int) ((long) b.length * k / 8)));
        }
        return out;
    }

    private static Path fixture(String rel) throws URISyntaxException {
        return Path.of(FuzzTargetReplayTest.class.getResource("/fixtures/" + rel).toURI());
    }

    private static void replay(List<byte[]> inputs, Target target) throws IOException {
        assertTrue(inputs.size() > 1, "no seeds found");
        for (byte[] in : inputs) target.run(in);
    }

    @Test
    void npySeedsReplay() throws Exception {
        try (Stream<Path> s = Files.list(fixture("st_dtypes")).filter(p -> p.toString().endsWith(".npy")).sorted()) {
            replay(inputs(s), NpyFuzzTarget::fuzzerTestOneInput);
        }
    }

    @Test
    void safetensorsSeedsReplay() throws Exception {
        replay(inputs(Stream.of(fixture("st_dtypes/all.safetensors"))), SafetensorsFuzzTarget::fuzzerTestOneInput);
    }

    @Test
    void checkpointManifestSeedReplays(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        CheckpointManifestFuzzTarget.main(new String[] {dir.toString()});
        replay(inputs(Stream.of(dir.resolve("manifest.json"))), CheckpointManifestFuzzTarget::fuzzerTestOneInput);
    }
}
