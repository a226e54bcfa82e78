package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * Stochastic depth (Huang et al.), as torchvision's {@code StochasticDepth(p, mode)}: in training, each sample
 * ({@code "row"}) or the whole batch ({@code "batch"}) of a residual branch is dropped with probability p and
 * the survivors scaled by 1/(1 − p); in evaluation mode, or with p = 0, it is the identity. Seeded through its
 * {@link Rng}.
 */
public final class StochasticDepth extends Module {
    /**
     * What a StochasticDepth is built from: the drop probability p (at the layer's float precision) and the mode,
     * "row" or "batch". {@link #build} gives the layer its own generator, {@code rng.split()}, as Dropout's does.
     */
    public record Config(double p, String mode) implements LayerConfig {
        public Config {
            p = (float) p;   // the precision the layer keeps, so a rebuilt layer's config is equal
        }

        @Override
        public StochasticDepth build(Rng rng) {
            return new StochasticDepth(p, mode, rng.split());
        }
    }

    private final float p;
    private final boolean perRow;
    private final Rng rng;

    public StochasticDepth(double p, String mode, Rng rng) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("StochasticDepth: drop probability must be in [0, 1], got " + p);
        if (!"row".equals(mode) && !"batch".equals(mode)) throw new IllegalArgumentException("StochasticDepth: mode must be \"row\" or \"batch\", got \"" + mode + "\"");
        this.p = (float) p;
        this.perRow = "row".equals(mode);
        this.rng = registerRng("rng", rng);
    }

    /** [N, ...] → [N, ...]. */
    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0f) return x;
        if (x.dim() == 0) throw shapeError("[N, ...]", x);
        int rows = perRow ? x.size(0) : 1;
        float[] mask = new float[rows];
        synchronized (rng) {
            rng.dropoutMask(mask, 0, rows, p, p == 1f ? 0f : 1f / (1f - p));
        }
        int[] shape = new int[x.dim()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = rows;
        return x.mul(Tensor.of(mask, shape));
    }

    public double p() {
        return p;
    }

    @Override
    protected String extraRepr() {
        return "p=" + p + ", mode=" + (perRow ? "row" : "batch");
    }

    @Override
    public Config config() {
        return new Config(p, perRow ? "row" : "batch");
    }
}
