package dev.lamina.cli;

import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import dev.lamina.tensor.Rng;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The validation set of {@code lamina train} for the image models and tables: {@code --val-split F} holds out the
 * share F of the training set, stratified by class and drawn by a generator seeded from {@code --seed} ({@link
 * #heldOut}; at random for a regression); {@code --val-data DIR} reads a separate one (a table's is a CSV file,
 * read by {@link TabularTraining}). With either, the per-epoch report, early stopping and the choice of the best epoch use it,
 * and the test set is evaluated once, at the end.
 *
 * @param train       what is left to train on
 * @param validation  the validation set, or null when neither flag is given
 * @param description how it was made, for the run's first line
 */
record ValidationSet(Dataset train, Dataset validation, String description) {
    /** Mixed into --seed so the split does not share a stream with initialisation or shuffling. */
    private static final long SPLIT_SEED = 0x5A17_DA7AL;

    /**
     * @param valSplit at most one of it and {@code valData} is given, a fraction in (0, 1) ({@link FlagChecks} has checked both)
     * @throws IllegalArgumentException when the split leaves one side empty
     * @throws IOException              when {@code valData} cannot be read
     */
    static ValidationSet of(Double valSplit, Path valData, long seed, Dataset train) throws IOException {
        if (valSplit != null) return heldOut(valSplit, seed, train, true);
        if (valData != null) {
            Dataset v = read(valData);
            if (v.features().size(1) != train.features().size(1)) {
                throw new IllegalArgumentException("--val-data " + valData + ": images of " + v.features().size(1) + " pixels, the training images have " + train.features().size(1));
            }
            return new ValidationSet(train, v, String.format(Locale.ROOT, "validation %,d from %s", v.size(), valData));
        }
        return new ValidationSet(train, null, null);
    }

    /**
     * {@code --val-split F}: the share F of {@code train} held out, drawn by a generator seeded from {@code --seed};
     * stratified by class (targets [N] of class indices), or at random (regression targets).
     *
     * @throws IllegalArgumentException when the split leaves one side empty
     */
    static ValidationSet heldOut(double valSplit, long seed, Dataset train, boolean stratified) {
        Rng rng = new Rng(seed ^ SPLIT_SEED);
        double[] fractions = {1 - valSplit, valSplit};
        Dataset[] parts = stratified ? train.stratifiedSplit(fractions, rng) : train.randomSplit(fractions, rng);
        if (parts[0].size() == 0 || parts[1].size() == 0) {
            throw new IllegalArgumentException("--val-split " + valSplit + " of " + train.size() + " training examples leaves " + parts[0].size() + " to train on and " + parts[1].size() + " to validate");
        }
        return new ValidationSet(parts[0], parts[1], String.format(Locale.ROOT, "validation %,d held out of the training set (%s, %s, seed %d)",
                parts[1].size(), valSplit, stratified ? "stratified by class" : "at random", seed));
    }

    /** The one images/labels pair in {@code dir}, or its t10k pair when it holds the four files of {@code --data}. */
    static Dataset read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("--val-data " + dir + ": " + (Files.exists(dir) ? "not a directory" : "directory not found")
                    + "; give a directory with one images and one labels IDX file (or the four of --data: its t10k pair is used)");
        }
        return FashionMnist.pair(pick(dir, "images-idx3-ubyte"), pick(dir, "labels-idx1-ubyte"));
    }

    private static Path pick(Path dir, String kind) throws IOException {
        List<Path> found;
        try (Stream<Path> s = Files.list(dir)) {
            found = s.filter(p -> {
                String n = p.getFileName().toString();
                return Files.isRegularFile(p) && (n.endsWith(kind) || n.endsWith(kind + ".gz"));
            }).sorted().toList();
        }
        List<Path> t10k = found.stream().filter(p -> p.getFileName().toString().startsWith("t10k-")).toList();
        Path chosen = found.size() == 1 ? found.getFirst() : t10k.size() == 1 ? t10k.getFirst() : null;
        if (chosen == null) {
            throw new IOException("--val-data " + dir + ": expected one *" + kind + " file (raw or .gz), or one t10k-" + kind + " among several; found "
                    + (found.isEmpty() ? "none" : found.stream().map(p -> p.getFileName().toString()).toList()));
        }
        return chosen;
    }
}
