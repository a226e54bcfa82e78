package dev.lamina.dashboard;

import dev.lamina.autograd.Autograd;
import dev.lamina.kernels.Reductions;
import dev.lamina.nn.Module;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each layer is doing at a sampled step: histograms of every parameter's values and gradients, of every
 * layer's output on a fixed probe batch, and each parameter's update-to-parameter ratio.
 *
 * <p>Activations are measured by running the probe batch (the same examples every time, so snapshots compare)
 * through the model in evaluation mode without a tape: no dropout masks drawn, no running statistics changed, no
 * gradients touched, so training computes exactly what it would without the statistics. A {@link Sequential} gives
 * one histogram per layer; another model one for its output.
 *
 * <p>The update ratio of parameter {@code p} at step {@code t} is {@code ||p_t - p_(t-1)|| / ||p_(t-1)||}; it needs
 * the parameters as they were before the step, so {@link #snapshot} copies them one step ahead of a sample.
 */
final class LayerStatistics {
    private final Module model;
    private final Map<String, Tensor> params;
    private final Tensor probe;
    private Map<String, float[]> before;

    /** @param probe a batch of inputs, [N, ...] as the model takes them; null: no activation histograms */
    LayerStatistics(Module model, Tensor probe) {
        this.model = model;
        this.params = model.namedParameters();
        this.probe = probe;
    }

    /** Copies every parameter, so that the next {@link #sample} can report update ratios. */
    void snapshot() {
        Map<String, float[]> copy = new LinkedHashMap<>();
        params.forEach((k, t) -> copy.put(k, t.toArray()));
        before = copy;
    }

    /** The global L2 norm of the parameters' current gradients (0 when none has a gradient). */
    double gradientNorm() {
        double sq = 0;
        for (Tensor t : params.values()) {
            Tensor g = t.grad();
            if (g == null) continue;
            // the values read back through the backend, summed as before (vector lanes in double, or a double loop)
            float[] d = g.toArray();
            int n = d.length;
            if (Reductions.vectorFor(n)) {
                sq += Reductions.dotVector(d, 0, d, 0, n);
            } else {
                for (int i = 0; i < n; i++) sq += (double) d[i] * d[i];
            }
        }
        return Math.sqrt(sq);
    }

    /** Histograms (weight, gradient, activation) and update ratios, and forgets the snapshot. */
    Sample sample() {
        List<Map<String, Object>> hist = new ArrayList<>();
        Map<String, Object> ratios = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            Tensor p = e.getValue();
            hist.add(Histogram.of(p, Histogram.BINS).toJson("weight", e.getKey()));
            if (p.grad() != null) hist.add(Histogram.of(p.grad(), Histogram.BINS).toJson("gradient", e.getKey()));
            float[] old = before == null ? null : before.get(e.getKey());
            if (old != null) ratios.put(e.getKey(), updateRatio(old, p));
        }
        before = null;
        if (probe != null) activations().forEach((name, t) -> hist.add(Histogram.of(t, Histogram.BINS).toJson("activation", name)));
        return new Sample(hist, ratios);
    }

    /** The histograms and update ratios of one sampled step. */
    record Sample(List<Map<String, Object>> histograms, Map<String, Object> updateRatios) {}

    private static double updateRatio(float[] old, Tensor now) {
        float[] d = now.toArray();
        double diff = 0, norm = 0;
        for (int i = 0; i < old.length; i++) {
            double delta = d[i] - old[i];
            diff += delta * delta;
            norm += (double) old[i] * old[i];
        }
        return norm == 0 ? (diff == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(diff / norm);
    }

    /** Each layer's output on the probe batch, by {@link Module#describe()}. */
    private Map<String, Tensor> activations() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var scope = Autograd.noGrad()) {
            if (model instanceof Sequential seq) {
                Tensor x = probe;
                for (Module layer : seq.layers()) {
                    x = layer.forward(x);
                    out.put(layer.describe(), x);
                }
            } else {
                out.put(model.describe(), model.forward(probe));
            }
        } finally {
            model.train(wasTraining);
        }
        return out;
    }
}
