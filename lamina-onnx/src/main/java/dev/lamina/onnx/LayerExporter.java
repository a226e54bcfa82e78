package dev.lamina.onnx;

import dev.lamina.nn.Module;
import dev.lamina.onnx.OnnxExport.Traced;
import dev.lamina.tensor.Tensor;

/**
 * How one layer class becomes ONNX nodes: one exporter per layer family, found by the layer's class (or the nearest
 * superclass with one) in {@link OnnxExport}'s registry. A user's own layer exports once its exporter is
 * {@linkplain OnnxExport#register registered}.
 *
 * @param <M> the layer class
 */
@FunctionalInterface
public interface LayerExporter<M extends Module> {
    /**
     * Adds the nodes computing {@code layer} to {@code graph} and returns the name of the value holding its output.
     *
     * @param graph the graph being built: {@link OnnxExport#node}, {@link OnnxExport#param} and the attribute helpers
     * @param prefix the layer's state-dict prefix ({@code "features.3."}, empty at the top), for parameter names
     * @param where the layer's path, for node names and errors
     * @param x the input value: its name and the tensor traced through the model (for shapes)
     * @param y the layer's output traced on {@code x.value()} (for shapes)
     */
    String emit(OnnxExport graph, String prefix, String where, M layer, Traced x, Tensor y);
}
