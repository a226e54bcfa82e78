package dev.lamina.nn;

import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.util.List;

/**
 * Declares the shape a model takes (without the batch dimension) and checks it on every forward, so a wrong
 * input fails at the door with both shapes named instead of deep inside a later layer. -1 accepts any size.
 */
public final class Input extends Module {
    /** What an Input is built from: the per-sample shape it accepts (-1 for a free dimension). */
    public record Config(List<Integer> shape) implements LayerConfig {
        public Config {
            shape = List.copyOf(shape);
        }

        @Override
        public Input build(Rng rng) {
            return new Input(LayerConfig.array(shape));
        }
    }

    private final int[] shape;

    /** @param shape per-sample shape, e.g. {@code 784} or {@code 1, 28, 28}; -1 for a free dimension */
    public Input(int... shape) {
        this.shape = shape.clone();
    }

    public int[] shape() {
        return shape.clone();
    }

    /** [N, *shape] → the same tensor. */
    @Override
    public Tensor forward(Tensor x) {
        int[] s = x.shape();
        boolean ok = s.length == shape.length + 1;
        for (int i = 0; ok && i < shape.length; i++) ok = shape[i] == -1 || shape[i] == s[i + 1];
        if (!ok) throw shapeError(expected(), x);
        return x;
    }

    private String expected() {
        StringBuilder sb = new StringBuilder("[N");
        for (int d : shape) sb.append(", ").append(d == -1 ? "*" : Integer.toString(d));
        return sb.append(']').toString();
    }

    @Override
    protected String extraRepr() {
        return "shape=" + Shape.str(shape);
    }

    @Override
    public Config config() {
        return new Config(LayerConfig.list(shape));
    }
}
