package dev.lamina.data;

import dev.lamina.tensor.Rng;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * How {@link Dataset#randomSplit} and {@link Dataset#stratifiedSplit} divide examples: part sizes by the
 * largest-remainder rule (each part gets {@code floor(n · fraction)}, the examples left over go one each to the
 * parts with the largest remainders, the earlier part first on a tie), so the sizes always add up to {@code n}.
 */
final class DatasetSplit {
    private DatasetSplit() {}

    /** Part sizes for {@code n} examples; {@code fractions} must be ≥ 0 and sum to 1. */
    static int[] sizes(int n, double[] fractions, String who) {
        check(fractions, who);
        int parts = fractions.length;
        int[] sizes = new int[parts];
        double[] remainder = new double[parts];
        int assigned = 0;
        for (int i = 0; i < parts; i++) {
            double exact = n * fractions[i];
            sizes[i] = (int) Math.floor(exact);
            remainder[i] = exact - sizes[i];
            assigned += sizes[i];
        }
        Integer[] order = new Integer[parts];
        for (int i = 0; i < parts; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> remainder[a] != remainder[b] ? Double.compare(remainder[b], remainder[a]) : Integer.compare(a, b));
        for (int k = 0; assigned < n; k = (k + 1) % parts, assigned++) sizes[order[k]]++;
        return sizes;
    }

    private static void check(double[] fractions, String who) {
        if (fractions.length == 0) throw new IllegalArgumentException(who + ": needs at least one fraction");
        double sum = 0;
        for (double f : fractions) {
            if (!(f >= 0) || Double.isInfinite(f)) throw new IllegalArgumentException(who + ": fractions must be finite and >= 0, got " + Arrays.toString(fractions));
            sum += f;
        }
        if (Math.abs(sum - 1) > 1e-9) throw new IllegalArgumentException(who + ": fractions must sum to 1, got " + Arrays.toString(fractions) + " (sum " + sum + ")");
    }

    /** Indices of each part: a random permutation of 0..n-1 cut by {@link #sizes}, each part in ascending order. */
    static int[][] random(int n, double[] fractions, Rng rng) {
        int[] sizes = sizes(n, fractions, "Dataset.randomSplit");
        int[] perm = rng.permutation(n);
        int[][] parts = new int[sizes.length][];
        for (int i = 0, from = 0; i < sizes.length; from += sizes[i], i++) {
            parts[i] = Arrays.copyOfRange(perm, from, from + sizes[i]);
            Arrays.sort(parts[i]);
        }
        return parts;
    }

    /**
     * Indices of each part, every class ({@code labels[i]}) split on its own by {@link #sizes} after a shuffle, so
     * each part holds the classes in the given proportions (to within one example per class).
     */
    static int[][] stratified(float[] labels, double[] fractions, Rng rng) {
        check(fractions, "Dataset.stratifiedSplit");
        TreeMap<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < labels.length; i++) {
            float v = labels[i];
            if (!(v >= 0) || v != Math.rint(v) || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("Dataset.stratifiedSplit: target " + v + " of example " + i + " is not a class index (a whole number >= 0)");
            }
            byClass.computeIfAbsent((int) v, k -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> parts = new ArrayList<>();
        for (int i = 0; i < fractions.length; i++) parts.add(new ArrayList<>());
        for (List<Integer> members : byClass.values()) {
            int[] sizes = sizes(members.size(), fractions, "Dataset.stratifiedSplit");
            int[] perm = rng.permutation(members.size());
            for (int p = 0, from = 0; p < sizes.length; from += sizes[p], p++) {
                for (int k = from; k < from + sizes[p]; k++) parts.get(p).add(members.get(perm[k]));
            }
        }
        int[][] out = new int[fractions.length][];
        for (int p = 0; p < out.length; p++) {
            out[p] = parts.get(p).stream().mapToInt(Integer::intValue).sorted().toArray();
        }
        return out;
    }
}
