package dev.lamina.data;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Images in one folder per class, as torchvision's {@code ImageFolder}: {@code root/<class>/<image>}, the classes
 * in sorted name order (label 0 is the first), the files of each class sorted, those ending in .png, .jpg, .jpeg,
 * .bmp or .gif (any case) read and other files ignored. Every image is decoded once, when the folder is opened
 * (so a bad file is found before training starts, and skipped or fatal as the {@link BadImagePolicy} says), and
 * kept in memory; the transforms run per batch in the loader ({@link #dataset()}, {@link #pipeline}).
 */
public final class ImageFolder {
    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");
    private final Path root;
    private final List<String> classes;
    private final List<Image> images;
    private final List<Path> files;
    private final int[] labels;
    private final List<String> skipped;

    private ImageFolder(Path root, List<String> classes, List<Image> images, List<Path> files, int[] labels, List<String> skipped) {
        this.root = root;
        this.classes = List.copyOf(classes);
        this.images = List.copyOf(images);
        this.files = List.copyOf(files);
        this.labels = labels;
        this.skipped = List.copyOf(skipped);
    }

    /**
     * Reads {@code root}.
     *
     * @param channels  1 (grey) or 3 (RGB), see {@link ImageDecoder}
     * @param onBad     what to do with a file that does not decode
     * @param warnings  receives one line per skipped file (its path and why)
     * @throws IOException naming the folder when it is missing or holds no class folder or a class folder without
     *                     images, or naming the file that failed to decode under {@link BadImagePolicy#FAIL}
     */
    public static ImageFolder open(Path root, int channels, BadImagePolicy onBad, Consumer<String> warnings) throws IOException {
        if (!Files.exists(root)) throw new NoSuchFileException(root.toString(), null, "no such image folder");
        if (!Files.isDirectory(root)) throw new NotDirectoryException(root + " (an image folder holds one sub-folder of images per class)");
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(root)) {
            classDirs = s.filter(Files::isDirectory).sorted().toList();
        }
        if (classDirs.isEmpty()) throw new IOException(root + ": no class folders (an image folder holds one sub-folder of images per class, e.g. " + root.resolve("cat") + "/1.png)");
        List<String> classes = new ArrayList<>();
        List<Image> images = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Path dir : classDirs) {
            int label = classes.size();
            classes.add(dir.getFileName().toString());
            List<Path> candidates;
            try (Stream<Path> s = Files.list(dir)) {
                candidates = s.filter(p -> Files.isRegularFile(p) && isImageName(p)).sorted().toList();
            }
            if (candidates.isEmpty()) throw new IOException(dir + ": class folder without images (" + String.join(", ", EXTENSIONS) + ")");
            for (Path file : candidates) {
                try {
                    images.add(ImageDecoder.decode(file, channels));
                    files.add(file);
                    labels.add(label);
                } catch (IOException e) {
                    if (onBad == BadImagePolicy.FAIL) throw new IOException(e.getMessage() + " (--on-bad-image skip leaves such files out)", e);
                    skipped.add(e.getMessage());
                    warnings.accept("skipped " + e.getMessage());
                }
            }
        }
        if (images.isEmpty()) throw new IOException(root + ": no readable image (" + skipped.size() + " skipped)");
        return new ImageFolder(root, classes, images, files, labels.stream().mapToInt(Integer::intValue).toArray(), skipped);
    }

    private static boolean isImageName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(n::endsWith);
    }

    /** Whether {@code dir} looks like an image folder: sub-folders, at least one holding an image file. */
    public static boolean looksLikeOne(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return false;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path sub : s.filter(Files::isDirectory).toList()) {
                try (Stream<Path> f = Files.list(sub)) {
                    if (f.anyMatch(p -> Files.isRegularFile(p) && isImageName(p))) return true;
                }
            }
        }
        return false;
    }

    public Path root() {
        return root;
    }

    /** Class names (the folder names), in label order. */
    public List<String> classes() {
        return classes;
    }

    public int size() {
        return images.size();
    }

    public Image image(int index) {
        return images.get(index);
    }

    public Path file(int index) {
        return files.get(index);
    }

    public int label(int index) {
        return labels[index];
    }

    /** One line per file left out under {@link BadImagePolicy#SKIP}: its path and why. */
    public List<String> skipped() {
        return skipped;
    }

    /**
     * The examples as a {@link Dataset} of positions: features [N, 1] (the image's index in this folder), targets
     * [N] (its class). A {@link DataLoader} over it with {@link #pipeline} as its transform yields image batches,
     * decoded and augmented on the loader's prefetch thread; {@link Dataset#stratifiedSplit} and the other
     * selections work on it as on any data set.
     */
    public Dataset dataset() {
        float[] ids = new float[size()], targets = new float[size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
            targets[i] = labels[i];
        }
        return new Dataset(Tensor.of(ids, ids.length, 1), Tensor.of(targets, targets.length));
    }

    /** The transform that turns a batch of {@link #dataset()} positions into images through {@code ops}, seeded by {@code rng}. */
    public ImagePipeline pipeline(List<ImageOp> ops, Rng rng) {
        return new ImagePipeline(this, ops, rng);
    }
}
