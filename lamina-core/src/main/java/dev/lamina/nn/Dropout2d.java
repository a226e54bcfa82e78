package dev.lamina.nn;

import dev.lamina.nn.functional.ChannelDropoutOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * Channel dropout as PyTorch's {@code nn.Dropout2d}: in training mode each whole channel plane (n, c) is zeroed
 * with probability p and the surviving channels are scaled by 1/(1−p); in evaluation mode it is the identity.
 * The gradient is masked and scaled the same way. Seeded through its {@link Rng}, so runs repeat exactly.
 */
public final class Dropout2d extends Module {
    /**
     * What a Dropout2d is built from: p, the probability of zeroing a channel in training mode, at the layer's float
     * precision. {@link #build} gives the layer its own generator, {@code rng.split()}: building is deterministic
     * in {@code rng}, advances it by one draw, and the layer's masks never consume the caller's stream.
     */
    public record Config(double p) implements LayerConfig {
        public Config {
            p = (float) p;   // the precision the layer keeps, so a rebuilt layer's config is equal
        }

        @Override
        public Dropout2d build(Rng rng) {
            return new Dropout2d(p, rng.split());
        }
    }

    private final float p;
    private final Rng rng;

    public Dropout2d(double p) {
        this(p, Rng.global().split());
    }

    public Dropout2d(double p, Rng rng) {
        if (p < 0 || p > 1) throw new IllegalArgumentException(describe() + ": probability must be in [0, 1], got " + p);
        this.p = (float) p;
        this.rng = registerRng("rng", rng);
    }

    public float p() {
        return p;
    }

    /** [N, C, H, W] → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4) throw shapeError("[N, C, H, W]", x);
        if (!isTraining() || p == 0f) return x;
        int planes = x.size(0) * x.size(1);
        float[] scale = new float[planes];
        float keep = p == 1f ? 0f : 1f / (1f - p);
        synchronized (rng) {
            for (int i = 0; i < planes; i++) scale[i] = rng.nextDouble() >= p ? keep : 0f;
        }
        return ChannelDropoutOp.scaleChannels(x, scale);
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }

    @Override
    public Config config() {
        return new Config(p);
    }
}
