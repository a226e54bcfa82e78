package dev.lamina.data;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * A CSV table (header row) read for supervised learning: every column but the target is a numeric feature; the
 * target is a class label (classification, targets [N] of class indices into {@link #classes()}, sorted) or a
 * number (regression, targets [N, 1]). The task is chosen by the caller, or found from the target column: text
 * means classification, numbers mean regression.
 *
 * <pre>{@code
 * TabularData t = TabularData.read(Path.of("houses.csv"), "price", null);   // numbers: regression
 * TabularData.Split s = t.split(0.2, new Rng(42));
 * }</pre>
 *
 * @param data     features [N, F] and targets ([N] class indices, or [N, 1] values)
 * @param features the feature columns' names, in order
 * @param target   the target column's name
 * @param task     classification or regression
 * @param classes  the class labels in index order (sorted as text, numerically when all are numbers); null for regression
 */
public record TabularData(Dataset data, List<String> features, String target, Task task, List<String> classes) {
    /** What a tabular model predicts. */
    public enum Task {
        CLASSIFY, REGRESS;

        /** {@code classify} or {@code regress} (any case), as the command line spells them. */
        public static Task parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "classify", "classification" -> CLASSIFY;
                case "regress", "regression" -> REGRESS;
                default -> throw new IllegalArgumentException("unknown task '" + s + "'; available: classify, regress");
            };
        }
    }

    /**
     * Reads {@code file} (header row) with {@code target} as the target column.
     *
     * @param task null to decide from the target column (text: classification; numbers: regression)
     * @throws IOException naming the file and the problem: no column called {@code target} (listing the columns), a
     *                     missing or non-numeric feature cell or, for regression, target cell (line and column)
     */
    public static TabularData read(Path file, String target, Task task) throws IOException {
        Csv.Rows rows = Csv.readRows(file, true);
        List<String> columns = rows.columns();
        int t = columns.indexOf(target);
        if (t < 0) throw new IOException(file + ": no column named '" + target + "'; columns: " + String.join(", ", columns));
        if (columns.size() < 2) throw new IOException(file + ": need at least one feature column besides the target '" + target + "'");
        Task chosen = task != null ? task : rows.numeric(t) ? Task.REGRESS : Task.CLASSIFY;
        int n = rows.rows().size(), f = columns.size() - 1;
        float[] x = new float[n * f];
        List<String> features = new ArrayList<>();
        for (int j = 0; j < columns.size(); j++) if (j != t) features.add(columns.get(j));
        for (int r = 0; r < n; r++) {
            for (int j = 0, k = 0; j < columns.size(); j++) {
                if (j != t) x[r * f + k++] = rows.number(r, j);
            }
        }
        if (chosen == Task.REGRESS) {
            float[] y = new float[n];
            for (int r = 0; r < n; r++) y[r] = rows.number(r, t);
            return new TabularData(new Dataset(Tensor.of(x, n, f), Tensor.of(y, n, 1)), List.copyOf(features), target, chosen, null);
        }
        TreeSet<String> labels = new TreeSet<>();
        for (int r = 0; r < n; r++) {
            String label = rows.rows().get(r)[t];
            if (label.isEmpty()) throw new IOException(file + ": line " + rows.lines()[r] + ", column " + (t + 1) + " (" + target + "): empty class label");
            labels.add(label);
        }
        List<String> classes = new ArrayList<>(labels);
        if (rows.numeric(t)) classes.sort((a, b) -> Double.compare(Double.parseDouble(a), Double.parseDouble(b)));
        if (classes.size() < 2) throw new IOException(file + ": the target column '" + target + "' holds a single class (" + classes.getFirst() + "); classification needs two or more");
        float[] y = new float[n];
        for (int r = 0; r < n; r++) y[r] = classes.indexOf(rows.rows().get(r)[t]);
        return new TabularData(new Dataset(Tensor.of(x, n, f), Tensor.of(y, n)), List.copyOf(features), target, chosen, List.copyOf(classes));
    }

    /** A training part and a held-out part. */
    public record Split(Dataset train, Dataset test) {
    }

    /**
     * A seeded split ({@link Dataset#stratifiedSplit} for classification, so every class keeps its share in both
     * parts; {@link Dataset#randomSplit} for regression): {@code testFraction} of the rows held out, the rest for
     * training, each part in the file's order.
     *
     * @throws IllegalArgumentException when the fraction is not in (0, 1) or the split leaves a part empty
     */
    public Split split(double testFraction, Rng rng) {
        if (!(testFraction > 0 && testFraction < 1)) throw new IllegalArgumentException("test fraction must be in (0, 1), got " + testFraction);
        int n = data.size();
        if (n < 2) throw new IllegalArgumentException("need at least two rows to hold some out, got " + n);
        Dataset[] parts = splitRows(data, task, new double[] {1 - testFraction, testFraction}, rng);
        if (parts[0].size() == 0 || parts[1].size() == 0) {
            throw new IllegalArgumentException("holding out " + testFraction + " of " + n + " rows leaves " + parts[0].size() + " to train on and " + parts[1].size() + " to test");
        }
        return new Split(parts[0], parts[1]);
    }

    /** Rows of a table split as {@link #split} does: stratified by class for classification, at random for regression. */
    public static Dataset[] splitRows(Dataset rows, Task task, double[] fractions, Rng rng) {
        return task == Task.CLASSIFY ? rows.stratifiedSplit(fractions, rng) : rows.randomSplit(fractions, rng);
    }
}
