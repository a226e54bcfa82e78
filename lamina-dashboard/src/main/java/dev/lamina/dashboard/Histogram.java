package dev.lamina.dashboard;

import dev.lamina.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The distribution of a tensor's values at one step: {@code counts.length} equal-width bins between the smallest
 * and largest finite value ({@code edges} has one more entry than {@code counts}), with mean, standard deviation,
 * share of exact zeros and the number of values that were NaN or infinite (counted apart, in no bin).
 */
record Histogram(double[] edges, long[] counts, double mean, double std, double zeros, long nonFinite, long n) {
    /** Bins of each recorded histogram. */
    static final int BINS = 30;

    /** The histogram of {@code t}'s values in {@code bins} equal-width bins (read back through its backend). */
    static Histogram of(Tensor t, int bins) {
        float[] d = t.toArray();
        return of(d, 0, d.length, bins);
    }

    /** The histogram of {@code d[from .. from+n)}. */
    static Histogram of(float[] d, int from, int n, int bins) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0, sq = 0;
        long zeros = 0, bad = 0;
        for (int i = from, end = from + n; i < end; i++) {
            float v = d[i];
            if (!Float.isFinite(v)) {
                bad++;
                continue;
            }
            if (v < min) min = v;
            if (v > max) max = v;
            sum += v;
            sq += (double) v * v;
            if (v == 0) zeros++;
        }
        long finite = n - bad;
        long[] counts = new long[bins];
        double[] edges = new double[bins + 1];
        if (finite == 0) return new Histogram(edges, counts, Double.NaN, Double.NaN, 0, bad, n);
        double lo = min, hi = max > min ? max : min + (min == 0 ? 1e-12 : Math.abs(min) * 1e-6);
        double width = (hi - lo) / bins;
        for (int b = 0; b <= bins; b++) edges[b] = lo + b * width;
        edges[bins] = hi;
        double scale = bins / (hi - lo);
        for (int i = from, end = from + n; i < end; i++) {
            float v = d[i];
            if (!Float.isFinite(v)) continue;
            int b = (int) ((v - lo) * scale);
            counts[b >= bins ? bins - 1 : Math.max(b, 0)]++;
        }
        double mean = sum / finite;
        double var = Math.max(0, sq / finite - mean * mean);
        return new Histogram(edges, counts, mean, Math.sqrt(var), (double) zeros / n, bad, n);
    }

    /** As a record entry: {@code {"kind", "name", "edges", "counts", "mean", "std", "zeros", "non_finite", "n"}}. */
    Map<String, Object> toJson(String kind, String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        m.put("name", name);
        m.put("edges", edges);
        m.put("counts", counts);
        m.put("mean", mean);
        m.put("std", std);
        m.put("zeros", zeros);
        m.put("non_finite", nonFinite);
        m.put("n", n);
        return m;
    }

    double sum() {
        return mean * (n - nonFinite);
    }

    double sumSquares() {
        long finite = n - nonFinite;
        return finite * (std * std + mean * mean);
    }
}
