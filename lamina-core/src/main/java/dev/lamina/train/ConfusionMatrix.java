package dev.lamina.train;

import java.util.Locale;

/**
 * Counts of (actual class, predicted class) pairs, and the per-class metrics derived from them. Rows are actual
 * classes, columns predicted ones, as in scikit-learn's {@code confusion_matrix}.
 *
 * <p>Division by zero follows scikit-learn's {@code zero_division=0}: the precision of a class that is never
 * predicted, the recall of a class with no examples, and the F1 of a class whose precision and recall are both 0
 * are 0.
 */
public final class ConfusionMatrix {
    private final long[][] counts;

    public ConfusionMatrix(int classes) {
        if (classes <= 0) throw new IllegalArgumentException("ConfusionMatrix: need at least one class, got " + classes);
        counts = new long[classes][classes];
    }

    /** A matrix with the given counts, [actual][predicted] (square, non-negative); the array is copied. */
    public static ConfusionMatrix of(long[][] counts) {
        ConfusionMatrix m = new ConfusionMatrix(counts.length);
        for (int a = 0; a < counts.length; a++) {
            if (counts[a].length != counts.length) throw new IllegalArgumentException("ConfusionMatrix: row " + a + " has " + counts[a].length + " counts, expected " + counts.length);
            for (int p = 0; p < counts.length; p++) {
                if (counts[a][p] < 0) throw new IllegalArgumentException("ConfusionMatrix: negative count " + counts[a][p] + " at [" + a + ", " + p + "]");
                m.counts[a][p] = counts[a][p];
            }
        }
        return m;
    }

    /** Counts one example. */
    public void add(int actual, int predicted) {
        check(actual, "actual");
        check(predicted, "predicted");
        counts[actual][predicted]++;
    }

    /** Counts every pair of {@code actual[i]}, {@code predicted[i]}. */
    public void addAll(int[] actual, int[] predicted) {
        if (actual.length != predicted.length) throw new IllegalArgumentException("ConfusionMatrix: " + actual.length + " actual classes but " + predicted.length + " predictions");
        for (int i = 0; i < actual.length; i++) add(actual[i], predicted[i]);
    }

    /** Adds another matrix's counts (same number of classes). */
    public void merge(ConfusionMatrix other) {
        if (other.classes() != classes()) throw new IllegalArgumentException("ConfusionMatrix: cannot merge " + other.classes() + " classes into " + classes());
        for (int a = 0; a < classes(); a++) for (int p = 0; p < classes(); p++) counts[a][p] += other.counts[a][p];
    }

    private void check(int c, String what) {
        if (c < 0 || c >= counts.length) throw new IndexOutOfBoundsException("ConfusionMatrix: " + what + " class " + c + " is out of range [0, " + counts.length + ")");
    }

    public int classes() {
        return counts.length;
    }

    /** Examples of class {@code actual} predicted as {@code predicted}. */
    public long count(int actual, int predicted) {
        return counts[actual][predicted];
    }

    /** A copy of the counts, [actual][predicted]. */
    public long[][] counts() {
        long[][] c = new long[counts.length][];
        for (int i = 0; i < c.length; i++) c[i] = counts[i].clone();
        return c;
    }

    public long total() {
        long t = 0;
        for (long[] row : counts) for (long v : row) t += v;
        return t;
    }

    public long correct() {
        long t = 0;
        for (int c = 0; c < counts.length; c++) t += counts[c][c];
        return t;
    }

    /** Fraction of examples predicted correctly; NaN when empty. */
    public double accuracy() {
        long t = total();
        return t == 0 ? Double.NaN : (double) correct() / t;
    }

    /** Examples whose actual class is {@code c} (row sum). */
    public long support(int c) {
        long s = 0;
        for (long v : counts[c]) s += v;
        return s;
    }

    /** Examples predicted as {@code c} (column sum). */
    public long predicted(int c) {
        long s = 0;
        for (long[] row : counts) s += row[c];
        return s;
    }

    /** Of the examples predicted as {@code c}, the fraction that are {@code c}; 0 when {@code c} is never predicted. */
    public double precision(int c) {
        long p = predicted(c);
        return p == 0 ? 0 : (double) counts[c][c] / p;
    }

    /** Of the examples of class {@code c}, the fraction predicted as {@code c}; 0 when there are none. */
    public double recall(int c) {
        long s = support(c);
        return s == 0 ? 0 : (double) counts[c][c] / s;
    }

    /** Harmonic mean of precision and recall; 0 when both are 0. */
    public double f1(int c) {
        double p = precision(c), r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** Unweighted mean of the per-class precisions. */
    public double macroPrecision() {
        double s = 0;
        for (int c = 0; c < classes(); c++) s += precision(c);
        return s / classes();
    }

    /** Unweighted mean of the per-class recalls. */
    public double macroRecall() {
        double s = 0;
        for (int c = 0; c < classes(); c++) s += recall(c);
        return s / classes();
    }

    /** Unweighted mean of the per-class F1 scores (scikit-learn's {@code average='macro'}). */
    public double macroF1() {
        double s = 0;
        for (int c = 0; c < classes(); c++) s += f1(c);
        return s / classes();
    }

    /**
     * A per-class report like scikit-learn's {@code classification_report}: precision, recall, F1 and support for
     * each class, then accuracy and the macro averages. {@code names} may be null (classes are numbered).
     */
    public String report(String[] names) {
        int w = 12;
        for (int c = 0; c < classes(); c++) w = Math.max(w, name(names, c).length());
        String rowFormat = "%-" + w + "s %9.4f %9.4f %9.4f %9d%n";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-" + w + "s %9s %9s %9s %9s%n", "class", "precision", "recall", "f1", "support"));
        for (int c = 0; c < classes(); c++) {
            sb.append(String.format(Locale.ROOT, rowFormat, name(names, c), precision(c), recall(c), f1(c), support(c)));
        }
        sb.append(String.format(Locale.ROOT, "%-" + w + "s %9s %9s %9.4f %9d%n", "accuracy", "", "", accuracy(), total()));
        sb.append(String.format(Locale.ROOT, rowFormat, "macro avg", macroPrecision(), macroRecall(), macroF1(), total()));
        return sb.toString();
    }

    /** The counts as a table, actual classes down, predicted across. */
    public String format(String[] names) {
        int w = 5;
        for (long[] row : counts) for (long v : row) w = Math.max(w, Long.toString(v).length() + 1);
        int nw = 6;
        for (int c = 0; c < classes(); c++) nw = Math.max(nw, name(names, c).length());
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-" + nw + "s", "actual"));
        for (int c = 0; c < classes(); c++) sb.append(String.format(Locale.ROOT, "%" + w + "d", c));
        sb.append("   (predicted)\n");
        for (int a = 0; a < classes(); a++) {
            sb.append(String.format(Locale.ROOT, "%-" + nw + "s", name(names, a)));
            for (int p = 0; p < classes(); p++) sb.append(String.format(Locale.ROOT, "%" + w + "d", counts[a][p]));
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String name(String[] names, int c) {
        return names != null && c < names.length ? names[c] : Integer.toString(c);
    }

    @Override
    public String toString() {
        return format(null);
    }
}
