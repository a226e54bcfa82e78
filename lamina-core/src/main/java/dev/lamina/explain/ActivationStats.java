package dev.lamina.explain;

import dev.lamina.nn.Module;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.Sigmoid;
import dev.lamina.nn.Tanh;
import dev.lamina.tensor.Tensor;

/**
 * What a layer's output looked like on a batch.
 *
 * @param mean       mean of every value
 * @param std        population standard deviation
 * @param min        smallest value
 * @param max        largest value
 * @param zeros      share of values exactly 0
 * @param saturation for a Sigmoid, the share of outputs within 0.01 of 0 or 1; for a Tanh, the share with |y| > 0.99
 *                   (where the gradient has all but vanished); NaN for other layers
 * @param deadUnits  for a ReLU, the share of units (features of [N, F] or [N, C, H, W] channels, the last axis of a
 *                   3-D output) that were 0 for every example and position; NaN for other layers
 * @param nonFinite  number of NaN or infinite values
 */
public record ActivationStats(double mean, double std, double min, double max, double zeros, double saturation, double deadUnits, long nonFinite) {

    /** What kind of function made the values, for the statistics that depend on it. */
    public enum Activation { RELU, SIGMOID, TANH, OTHER }

    /** Statistics of {@code output}, the output of {@code layer} (null for the model's input). */
    static ActivationStats of(Module layer, Tensor output) {
        return measure(output, layer instanceof ReLU ? Activation.RELU : layer instanceof Sigmoid ? Activation.SIGMOID : layer instanceof Tanh ? Activation.TANH : Activation.OTHER);
    }

    /** Statistics of {@code output}, made by a function of kind {@code activation} (saturation and dead units depend on it). */
    public static ActivationStats measure(Tensor output, Activation activation) {
        float[] v = output.toArray();
        double sum = 0, sq = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        long zeros = 0, bad = 0, finite = 0, saturated = 0;
        boolean sigmoid = activation == Activation.SIGMOID, tanh = activation == Activation.TANH;
        for (float f : v) {
            if (!Float.isFinite(f)) {
                bad++;
                continue;
            }
            finite++;
            sum += f;
            sq += (double) f * f;
            min = Math.min(min, f);
            max = Math.max(max, f);
            if (f == 0f) zeros++;
            if (sigmoid && (f < 0.01f || f > 0.99f)) saturated++;
            if (tanh && Math.abs(f) > 0.99f) saturated++;
        }
        double n = Math.max(1, finite);
        double mean = sum / n;
        double std = Math.sqrt(Math.max(0, sq / n - mean * mean));
        double saturation = sigmoid || tanh ? saturated / n : Double.NaN;
        double dead = activation == Activation.RELU ? deadShare(output.shape(), v) : Double.NaN;
        return new ActivationStats(mean, std, finite == 0 ? Double.NaN : min, finite == 0 ? Double.NaN : max, v.length == 0 ? 0 : (double) zeros / v.length, saturation, dead, bad);
    }

    /** Share of units whose value is 0 everywhere in the batch; see {@link #deadUnits()} for what a unit is. */
    static double deadShare(int[] shape, float[] v) {
        if (shape.length < 2 || v.length == 0) return Double.NaN;
        int axis = shape.length == 3 ? 2 : 1;
        int units = shape[axis];
        int inner = 1;
        for (int d = axis + 1; d < shape.length; d++) inner *= shape[d];
        boolean[] alive = new boolean[units];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != 0f) alive[(i / inner) % units] = true;
        }
        int dead = 0;
        for (boolean a : alive) if (!a) dead++;
        return (double) dead / units;
    }

    /** L2 norm of a tensor's values; NaN for a null tensor. */
    static double norm(Tensor t) {
        if (t == null) return Double.NaN;
        double sq = 0;
        for (float f : t.toArray()) sq += (double) f * f;
        return Math.sqrt(sq);
    }

    /** Root mean square of a tensor's values; NaN for an empty or null tensor. */
    static double rms(Tensor t) {
        if (t == null || t.numel() == 0) return Double.NaN;
        double sq = 0;
        for (float f : t.toArray()) sq += (double) f * f;
        return Math.sqrt(sq / t.numel());
    }
}
