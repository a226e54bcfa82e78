package dev.lamina.explain;

import java.util.ArrayList;
import java.util.List;

/**
 * What one attention head did on a batch.
 *
 * @param layer             path of the attention module
 * @param head              head index
 * @param entropy           mean over queries (and examples) of the entropy of the query's attention, in bits
 * @param normalizedEntropy the same divided by the largest possible (log2 of the keys the query may see): 0 when every
 *                          query looks at one key, 1 when it spreads evenly over all; queries that may see a single
 *                          key are left out
 * @param selfShare         mean share of attention on the query's own position (when queries and keys align)
 * @param closestHead       the other head of the same layer whose maps are closest to this one's, or -1
 * @param closestDistance   mean total-variation distance between the two heads' attention rows (0: identical, 1: disjoint)
 */
public record AttentionHead(String layer, int head, double entropy, double normalizedEntropy, double selfShare, int closestHead, double closestDistance) {

    /**
     * The heads of one layer from its weights [B, heads, Lq, Lk]; {@code causal}: query i may see keys 0..i + (Lk − Lq).
     */
    static List<AttentionHead> of(String layer, float[] w, int[] shape, boolean causal) {
        int b = shape[0], h = shape[1], lq = shape[2], lk = shape[3];
        List<AttentionHead> out = new ArrayList<>();
        for (int head = 0; head < h; head++) {
            double entropy = 0, norm = 0, self = 0;
            int counted = 0, rows = 0;
            for (int n = 0; n < b; n++) {
                for (int q = 0; q < lq; q++) {
                    int row = ((n * h + head) * lq + q) * lk;
                    int visible = causal ? Math.min(lk, q + 1 + (lk - lq)) : lk;
                    double e = 0;
                    for (int k = 0; k < lk; k++) {
                        double p = w[row + k];
                        if (p > 0) e -= p * Math.log(p) / Math.log(2);
                    }
                    entropy += e;
                    rows++;
                    if (lq == lk) self += w[row + q];
                    if (visible > 1) {
                        norm += e / (Math.log(visible) / Math.log(2));
                        counted++;
                    }
                }
            }
            int closest = -1;
            double best = Double.NaN;
            for (int other = 0; other < h; other++) {
                if (other == head) continue;
                double d = distance(w, b, h, lq, lk, head, other);
                if (closest < 0 || d < best) {
                    closest = other;
                    best = d;
                }
            }
            out.add(new AttentionHead(layer, head, entropy / rows, counted == 0 ? Double.NaN : norm / counted, lq == lk ? self / rows : Double.NaN, closest, best));
        }
        return out;
    }

    private static double distance(float[] w, int b, int h, int lq, int lk, int x, int y) {
        double sum = 0;
        for (int n = 0; n < b; n++) {
            for (int q = 0; q < lq; q++) {
                int rx = ((n * h + x) * lq + q) * lk, ry = ((n * h + y) * lq + q) * lk;
                double tv = 0;
                for (int k = 0; k < lk; k++) tv += Math.abs(w[rx + k] - w[ry + k]);
                sum += tv / 2;
            }
        }
        return sum / (b * lq);
    }
}
