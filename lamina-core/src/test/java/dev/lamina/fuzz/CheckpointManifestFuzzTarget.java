package dev.lamina.fuzz;

import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.train.Checkpoint;
import dev.lamina.loss.MSELoss;
import dev.lamina.nn.Linear;
import dev.lamina.nn.Sequential;
import dev.lamina.optim.Adam;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import dev.lamina.train.Trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Jazzer fuzz target for checkpoint manifests: a real checkpoint of a small trained model is saved once into a
 * temporary directory, then each input replaces its {@code manifest.json} and {@link Checkpoint#load(Path)} must
 * load it or reject it with an {@link IOException}; every other throwable, a hang or an OutOfMemoryError is a
 * finding. {@code main(dir)} writes the valid manifest into {@code dir} as the seed corpus. Run by
 * {@code tools/fuzz.sh}; not part of the unit tests.
 */
public final class CheckpointManifestFuzzTarget {
    private static final Path CHECKPOINT;
    private static final Path MANIFEST;
    private static final byte[] VALID;

    static {
        try {
            Path root = Files.createTempDirectory("lamina-fuzz-ckpt");
            Rng rng = new Rng(3);
            Sequential net = new Sequential(new Linear(4, 3, true, rng));
            Dataset data = new Dataset(Tensor.randn(rng, 32, 4), Tensor.randn(rng, 32, 3));
            Trainer trainer = new Trainer(net, new MSELoss(), new Adam(net.parameters(), 1e-2)).checkpoints(root.resolve("run"), 0, true);
            trainer.fit(new DataLoader(data, 8, true, false, rng.split()), (Dataset) null, 1);
            CHECKPOINT = Checkpoint.locate(root.resolve("run"));
            MANIFEST = CHECKPOINT.resolve(Checkpoint.MANIFEST);
            VALID = Files.readAllBytes(MANIFEST);
            Checkpoint.load(CHECKPOINT); // the harness itself must be sound: the unmutated checkpoint loads
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private CheckpointManifestFuzzTarget() {
    }

    public static void fuzzerTestOneInput(byte[] data) throws IOException {
        Files.write(MANIFEST, data);
        try {
            Checkpoint.load(CHECKPOINT);
        } catch (IOException expected) {
            FuzzSupport.checkMessage(expected);
        }
    }

    /** Writes the valid manifest to {@code args[0]/manifest.json} (the seed corpus for {@code tools/fuzz.sh}). */
    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(Path.of(args[0]));
        Files.write(dir.resolve("manifest.json"), VALID);
    }
}
