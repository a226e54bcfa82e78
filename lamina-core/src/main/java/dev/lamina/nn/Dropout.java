package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * Inverted dropout: in training mode each element is zeroed with probability p and the survivors scaled by
 * 1/(1-p); in evaluation mode it is the identity. Seeded through its {@link Rng}, so runs repeat exactly.
 */
public final class Dropout extends Module {
    /**
     * What a Dropout is built from: p, the probability of zeroing an element in training mode, at the layer's float
     * precision. {@link #build} gives the layer its own generator, {@code rng.split()}: building is deterministic
     * in {@code rng}, advances it by one draw, and the layer's masks never consume the caller's stream.
     */
    public record Config(double p) implements LayerConfig {
        public Config {
            p = (float) p;   // the precision the layer keeps, so a rebuilt layer's config is equal
        }

        @Override
        public Dropout build(Rng rng) {
            return new Dropout(p, rng.split());
        }
    }

    private final float p;
    private final Rng rng;

    public Dropout(double p) {
        this(p, Rng.global().split());
    }

    public Dropout(double p, Rng rng) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("Dropout: probability must be in [0, 1], got " + p);
        this.p = (float) p;
        this.rng = registerRng("rng", rng);
    }

    /** The probability of zeroing an element in training mode. */
    public float p() {
        return p;
    }

    /** Any shape → the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0f) return x;
        if (p == 1f) return x.mul(0f);
        float[] mask = new float[x.numel()];
        float keep = 1f / (1f - p);
        synchronized (rng) {
            rng.dropoutMask(mask, 0, mask.length, p, keep);
        }
        return x.mul(Tensor.of(mask, x.shape()));
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
