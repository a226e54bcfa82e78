package dev.lamina.onnx;

import dev.lamina.tensor.Tensor;

import java.util.List;

/**
 * Sees every executed node of a graph as {@link OnnxModel#runObserved} runs it: for tools that
 * look inside an imported model (lamina explain). The tensors are valid only during the call (their arrays may be
 * reused by later nodes): copy or measure them there.
 */
@FunctionalInterface
public interface NodeObserver {
    /**
     * @param node     the node's name ({@code #index} when the graph gives none)
     * @param op       the operator as executed (after fusion, e.g. {@code Conv} with its activation folded in)
     * @param inputs   the node's inputs (null where absent or not floating point)
     * @param constant for each input, whether it is a constant of the graph (an initializer: a weight)
     * @param outputs  the node's outputs (null where not floating point)
     */
    void node(String node, String op, List<Tensor> inputs, boolean[] constant, List<Tensor> outputs);
}
