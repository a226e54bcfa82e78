package dev.lamina.io;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.loss.MSELoss;
import dev.lamina.nn.Linear;
import dev.lamina.nn.Sequential;
import dev.lamina.optim.Adam;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import dev.lamina.train.Checkpoint;
import dev.lamina.train.Trainer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of every reader that takes files from outside: safetensors, .npy and checkpoint manifests.
 * Thousands of mutants of valid files (bit flips, byte sets to boundary values, insertions, deletions, truncations,
 * duplicated chunks, and little-endian length fields overwritten with huge or negative values) must each load or be
 * rejected with an {@link IOException}: any other exception, an OutOfMemoryError or a hang fails the test and names
 * the seed and iteration that replay it.
 */
class MalformedFileFuzzTest {
    private static final long SEED = 0x5AFE_F11EL;

    private interface Reader {
        void read(byte[] bytes) throws IOException;
    }

    private static Path fixture(String rel) throws URISyntaxException {
        return Path.of(MalformedFileFuzzTest.class.getResource("/fixtures/" + rel).toURI());
    }

    /** One mutation of {@code seed}, chosen and placed by {@code rng}. */
    static byte[] mutate(byte[] seed, Rng rng) {
        byte[] b = seed.clone();
        int rounds = 1 + rng.nextInt(4);
        for (int r = 0; r < rounds && b.length > 0; r++) {
            // half the edits land in the first 256 bytes, where the headers are
            int pos = rng.nextInt(2) == 0 ? rng.nextInt(Math.min(256, b.length)) : rng.nextInt(b.length);
            switch (rng.nextInt(7)) {
                case 0 -> b[pos] ^= (byte) (1 << rng.nextInt(8));
                case 1 -> b[pos] = (byte) new int[] {0, 0xFF, 0x7F, 0x80, '"', '{', '}', '[', ']', ',', ':', '-', '9', '\\'}[rng.nextInt(14)];
                case 2 -> b = Arrays.copyOf(b, rng.nextInt(b.length)); // truncate
                case 3 -> { // delete a run
                    int n = 1 + rng.nextInt(Math.min(16, b.length - pos));
                    byte[] c = new byte[b.length - n];
                    System.arraycopy(b, 0, c, 0, pos);
                    System.arraycopy(b, pos + n, c, pos, b.length - pos - n);
                    b = c;
                }
                case 4 -> { // insert random bytes
                    int n = 1 + rng.nextInt(16);
                    byte[] c = new byte[b.length + n];
                    System.arraycopy(b, 0, c, 0, pos);
                    for (int i = 0; i < n; i++) c[pos + i] = (byte) rng.nextInt(256);
                    System.arraycopy(b, pos, c, pos + n, b.length - pos);
                    b = c;
                }
                case 5 -> { // duplicate a chunk
                    int n = 1 + rng.nextInt(Math.min(64, b.length - pos));
                    byte[] c = new byte[b.length + n];
                    System.arraycopy(b, 0, c, 0, pos + n);
                    System.arraycopy(b, pos, c, pos + n, b.length - pos);
                    b = c;
                }
                default -> { // an 8-byte little-endian field set to a boundary value (sizes, lengths)
                    long v = new long[] {-1L, Long.MAX_VALUE, Integer.MAX_VALUE, 1L << 32, 0L, 100L << 20}[rng.nextInt(6)];
                    int at = Math.min(pos & ~7, Math.max(0, b.length - 8));
                    for (int i = 0; i < 8 && at + i < b.length; i++) b[at + i] = (byte) (v >>> (8 * i));
                }
            }
        }
        return b;
    }

    private static void fuzz(String what, List<byte[]> seeds, int iterations, Reader reader) {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            Rng rng = new Rng(SEED ^ what.hashCode());
            int accepted = 0;
            for (int it = 0; it < iterations; it++) {
                byte[] mutant = mutate(seeds.get(rng.nextInt(seeds.size())), rng);
                try {
                    reader.read(mutant);
                    accepted++;
                } catch (IOException expected) {
                    assertTrue(expected.getMessage() != null && !expected.getMessage().isBlank(), what + ": rejection without a message at iteration " + it);
                } catch (Throwable t) {
                    throw new AssertionError(what + ": iteration " + it + " (seed " + SEED + ") threw " + t, t);
                }
            }
            // most mutants must be rejected: a reader that accepted everything would not be checking anything
            assertTrue(accepted < iterations / 2, what + ": " + accepted + " of " + iterations + " mutants accepted");
        });
    }

    @Test
    void safetensorsMutantsLoadOrFailCleanly(@TempDir Path dir) throws Exception {
        List<byte[]> seeds = List.of(Files.readAllBytes(fixture("st_dtypes/all.safetensors")),
                Arrays.copyOf(Files.readAllBytes(fixture("st_mlp/model.safetensors")), 941_072));
        Path f = dir.resolve("m.safetensors");
        fuzz("safetensors", seeds, 3000, b -> {
            Files.write(f, b);
            Safetensors.readAll(f);
        });
    }

    @Test
    void npyMutantsLoadOrFailCleanly() throws Exception {
        List<byte[]> seeds = new java.util.ArrayList<>();
        for (String n : new String[] {"f32", "f64", "i64", "bool", "f16", "scalar", "empty", "weird", "u8"}) {
            seeds.add(Files.readAllBytes(fixture("st_dtypes/" + n + ".npy")));
        }
        fuzz("npy", seeds, 5000, b -> Npy.read(new ByteArrayInputStream(b), "mutant.npy"));
    }

    @Test
    void checkpointManifestMutantsLoadOrFailCleanly(@TempDir Path dir) throws Exception {
        Rng rng = new Rng(3);
        Sequential net = new Sequential(new Linear(4, 3, true, rng));
        Dataset data = new Dataset(Tensor.randn(rng, 32, 4), Tensor.randn(rng, 32, 3));
        Trainer trainer = new Trainer(net, new MSELoss(), new Adam(net.parameters(), 1e-2)).checkpoints(dir.resolve("run"), 0, true);
        trainer.fit(new DataLoader(data, 8, true, false, rng.split()), (Dataset) null, 1);
        Path ckpt = Checkpoint.locate(dir.resolve("run"));
        Path manifest = ckpt.resolve(Checkpoint.MANIFEST);
        byte[] valid = Files.readAllBytes(manifest);
        assertTrue(new String(valid, StandardCharsets.UTF_8).contains("lamina-checkpoint"));
        Checkpoint.load(ckpt); // the seed itself loads
        fuzz("checkpoint manifest", List.of(valid), 1500, b -> {
            Files.write(manifest, b);
            Checkpoint.load(ckpt);
        });
    }
}
