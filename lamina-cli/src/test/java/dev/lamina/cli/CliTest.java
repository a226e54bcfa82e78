package dev.lamina.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class CliTest {
    /** The bundled subset, found from the module directory Maven runs the tests in. */
    private static final Path DATA = Path.of("..", "data", "fashion-mnist-subset");

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            return new Run(Main.run(args), out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void trainsTheMlpOnTheBundledSubset() {
        Run r = run("train", "--data", DATA.toString(), "--epochs", "2", "--limit", "4000");
        assertEquals(0, r.code(), r.err());
        String last = r.out().lines().filter(l -> l.startsWith("epoch 2/2")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        double accuracy = Double.parseDouble(last.replaceAll(".*test accuracy ([0-9.]+)%.*", "$1"));
        // 4,000 examples, 2 epochs: a working MLP is far above the 10% of guessing
        assertTrue(accuracy > 75, last);
    }

    @Test
    void summaryListsLayersShapesAndParameters() {
        Run r = run("summary", "mlp");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("1 (Linear)") && r.out().contains("[N, 256]") && r.out().contains("200,960"), r.out());
        assertTrue(r.out().contains("Total parameters: 235,146"), r.out());
    }

    @Test
    void unknownModelIsAClearError() {
        Run r = run("train", "--model", "resnet", "--data", DATA.toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("unknown model 'resnet'") && r.err().contains("mlp"), r.err());
    }

    @Test
    void missingDataDirectoryNamesWhatItLookedFor(@TempDir Path empty) throws Exception {
        Run r = run("train", "--data", empty.toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("train-images-idx3-ubyte") && r.err().contains("t10k-labels-idx1-ubyte"), r.err());
        Run r2 = run("train", "--data", empty.resolve("nope").toString());
        assertTrue(r2.err().contains("data directory not found"), r2.err());
    }

    @Test
    void truncatedIdxFileIsRejected(@TempDir Path dir) throws Exception {
        for (String f : new String[] {"train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            Files.copy(DATA.resolve(f), dir.resolve(f));
        }
        byte[] header = {0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3};
        Files.write(dir.resolve("train-images-idx3-ubyte"), header);
        Run r = run("train", "--data", dir.toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("truncated"), r.err());
    }

    @Test
    void mismatchedCountsAreRejected(@TempDir Path dir) throws Exception {
        for (String f : new String[] {"train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            Files.copy(DATA.resolve(f), dir.resolve(f));
        }
        byte[] labels = new byte[8 + 5];
        labels[2] = 8;
        labels[3] = 1;
        labels[7] = 5;
        Files.write(dir.resolve("train-labels-idx1-ubyte"), labels);
        Run r = run("train", "--data", dir.toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("10000 images but") && r.err().contains("5 labels"), r.err());
    }
}
