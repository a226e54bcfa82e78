package dev.lamina.nn;

import dev.lamina.tensor.Rng;

import java.util.List;

/**
 * What a layer was built from, as an immutable record (Burn's module configs): every hyper-parameter that shapes
 * its parameters or its computation, none of its weights. {@link Module#config()} returns it;
 * {@link #build(Rng)} makes a fresh layer from it, initialised from {@code rng}, whose own {@code config()} equals
 * this one. The ONNX exporters read a layer only through its config and its parameters.
 *
 * <p>Multi-valued fields are immutable lists, so two configs are equal exactly when the layers are built alike.
 */
public interface LayerConfig {
    /** A new layer built from this config, its parameters initialised from {@code rng} (ignored by layers without any). */
    Module build(Rng rng);

    /** An immutable list of {@code values}. */
    static List<Integer> list(int... values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }

    /** The list as an array. */
    static int[] array(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }
}
