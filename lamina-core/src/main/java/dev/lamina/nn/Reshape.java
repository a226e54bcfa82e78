package dev.lamina.nn;

import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.util.List;

/** Reshapes each sample, keeping the batch dimension: [N, ...] → [N, *shape] (PyTorch's nn.Unflatten on dim 1). */
public final class Reshape extends Module {
    /** What a Reshape is built from: the per-sample target shape (one dimension may be -1). */
    public record Config(List<Integer> shape) implements LayerConfig {
        public Config {
            shape = List.copyOf(shape);
        }

        @Override
        public Reshape build(Rng rng) {
            return new Reshape(LayerConfig.array(shape));
        }
    }

    private final int[] shape;

    /** @param shape per-sample shape; one dimension may be -1 */
    public Reshape(int... shape) {
        this.shape = shape.clone();
    }

    /** [N, d1, d2, ...] with d1·d2·... equal to the product of {@code shape} → [N, *shape]. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() == 0) throw shapeError("[N, ...]", x);
        int per = x.numel() / Math.max(x.size(0), 1);
        int known = 1, free = 0;
        for (int d : shape) {
            if (d == -1) free++;
            else known *= d;
        }
        if (free > 1 || (free == 0 && known != per) || (free == 1 && (known == 0 || per % known != 0))) {
            throw shapeError("[N, ...] with " + (free == 0 ? known : "a multiple of " + known) + " values per sample for " + Shape.str(shape), x);
        }
        int[] target = new int[shape.length + 1];
        target[0] = x.size(0);
        for (int i = 0; i < shape.length; i++) target[i + 1] = shape[i] == -1 ? per / known : shape[i];
        return x.reshape(target);
    }

    @Override
    protected String extraRepr() {
        return "shape=" + Shape.str(shape);
    }

    /** The per-sample target shape (may hold one -1). */
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public Config config() {
        return new Config(LayerConfig.list(shape));
    }
}
