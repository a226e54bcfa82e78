package dev.lamina.nn;

import dev.lamina.tensor.Tensor;

/**
 * Named sub-modules that a model groups under one prefix without a forward of their own, as PyTorch's
 * {@code nn.ModuleDict} (so state-dict names such as {@code attention.output.dense.weight} come out as PyTorch
 * writes them); the model that owns it calls the parts. Calling {@link #forward} fails naming the module.
 */
public final class ModuleDict extends Module {
    /** Adds {@code module} under {@code name} and returns it. */
    public <M extends Module> M put(String name, M module) {
        return registerModule(name, module);
    }

    /** The sub-module under {@code name}; fails naming the names there when there is none. */
    public Module get(String name) {
        Module m = children().get(name);
        if (m == null) throw new IllegalArgumentException(describe() + ": no sub-module '" + name + "' (has " + children().keySet() + ")");
        return m;
    }

    @Override
    protected void childReplaced(String name, Module old, Module replacement) {
    }

    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException(describe() + " groups " + children().keySet() + " and has no forward of its own; its owner calls the parts");
    }
}
