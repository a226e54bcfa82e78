package dev.lamina.nn;

import dev.lamina.nn.functional.BatchNormReluPoolOp;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Layers applied in order; children are named "0", "1", ... like PyTorch's {@code nn.Sequential}. */
public final class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    public Sequential(Module... layers) {
        for (Module m : layers) add(m);
    }

    /** Appends a layer and returns this. */
    public Sequential add(Module layer) {
        registerModule(Integer.toString(layers.size()), layer);
        layers.add(layer);
        return this;
    }

    @Override
    protected void childReplaced(String name, Module old, Module replacement) {
        layers.set(Integer.parseInt(name), replacement);
    }

    public Module get(int index) {
        return layers.get(index);
    }

    public int size() {
        return layers.size();
    }

    public List<Module> layers() {
        return List.copyOf(layers);
    }

    /**
     * Input: whatever the first layer takes. Output: whatever the last layer returns.
     *
     * <p>A run BatchNorm2d → ReLU → MaxPool2d(2×2, stride 2) runs as one fused op ({@link BatchNormReluPoolOp}:
     * the same output, fewer passes over memory); the layers, their parameters and buffers are unchanged.
     */
    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (int i = 0; i < layers.size(); i++) {
            Module m = layers.get(i);
            if (m instanceof BatchNorm2d bn && i + 2 < layers.size() && layers.get(i + 1) instanceof ReLU
                    && layers.get(i + 2) instanceof MaxPool2d pool && BatchNormReluPoolOp.applies(pool.window(), x)) {
                x = bn.forward(x, pool.window());
                i += 2;
                continue;
            }
            x = m.forward(x);
        }
        return x;
    }

    /**
     * As {@link #forward(Tensor)}, with every layer run on its own (no fusion) and shown to {@code observer} in
     * order; a nested {@code Sequential} shows its own layers first, then itself. The result is the same as
     * {@code forward}'s.
     */
    public Tensor forward(Tensor input, ForwardObserver observer) {
        Tensor x = input;
        for (Module m : layers) {
            Tensor in = x;
            Tensor out = m instanceof Sequential inner ? inner.forward(in, observer) : m.forward(in);
            x = observer.observe(m, in, out);
        }
        return x;
    }
}
