package dev.lamina.data;

import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads MNIST-format image sets (Fashion-MNIST, MNIST) from a directory holding the four standard IDX files,
 * gzipped or raw. Images become [N, 784] floats scaled to [0, 1]; labels [N] class indices.
 */
public final class FashionMnist {
    private FashionMnist() {}

    public static final String[] CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

    /** The base names of the four IDX files: training images and labels, test images and labels. */
    private static final List<String> FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    /** Training and test sets. */
    public record Split(Dataset train, Dataset test) {}

    public static Split load(Path dir) throws IOException {
        if (Files.isRegularFile(dir)) {
            throw new IOException(dir + " is a file, not a directory: image data is a directory holding the four IDX files "
                    + String.join(", ", FILES) + " (each raw or with .gz)");
        }
        if (!Files.isDirectory(dir)) throw new IOException("data directory not found: " + dir.toAbsolutePath());
        List<String> missing = new ArrayList<>();
        Path trainX = find(dir, "train-images-idx3-ubyte", missing), trainY = find(dir, "train-labels-idx1-ubyte", missing);
        Path testX = find(dir, "t10k-images-idx3-ubyte", missing), testY = find(dir, "t10k-labels-idx1-ubyte", missing);
        if (!missing.isEmpty()) {
            throw new IOException("missing IDX files in " + dir.toAbsolutePath() + ": looked for " + String.join(", ", missing)
                    + " (each raw or with .gz); Fashion-MNIST comes with Debian's dataset-fashion-mnist package in /usr/share/datasets/fashion-mnist");
        }
        return new Split(pair(trainX, trainY), pair(testX, testY));
    }

    private static Path find(Path dir, String base, List<String> missing) {
        for (String name : new String[] {base + ".gz", base}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        missing.add(base);
        return null;
    }

    /** One set from an images file [N, 28, 28] and its labels file [N] (IDX, raw or gzipped), as {@link #load} reads each. */
    public static Dataset pair(Path images, Path labels) throws IOException {
        Tensor x = Idx.read(images), y = Idx.read(labels);
        if (x.dim() != 3) throw new IOException(images + ": expected images [N, rows, cols], got rank " + x.dim());
        if (y.dim() != 1) throw new IOException(labels + ": expected labels [N], got rank " + y.dim());
        if (x.size(0) != y.size(0)) throw new IOException(images.getFileName() + " holds " + x.size(0) + " images but " + labels.getFileName() + " holds " + y.size(0) + " labels");
        for (float v : y.toArray()) if (v > 9) throw new IOException(labels + ": label " + (int) v + " out of range 0-9");
        return new Dataset(x.reshape(x.size(0), -1).div(255f), y);
    }
}
