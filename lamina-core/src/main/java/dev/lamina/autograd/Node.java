package dev.lamina.autograd;

import dev.lamina.tensor.Tensor;

/**
 * One recorded op on the tape: its name (for errors and graph dumps), its inputs, its outputs (one for most ops;
 * several for LSTM, GRU and attention) and its gradient rule, which receives the gradients of all outputs at once.
 * Each output tensor knows its node and its index among the node's outputs.
 */
public final class Node {
    private final String op;
    private final Tensor[] inputs;
    private final Tensor[] outputs;
    private final GradFn singleRule;
    private final MultiGradFn multiRule;

    private Node(String op, Tensor[] inputs, Tensor[] outputs, GradFn singleRule, MultiGradFn multiRule) {
        this.op = op;
        this.inputs = inputs;
        this.outputs = outputs;
        this.singleRule = singleRule;
        this.multiRule = multiRule;
    }

    /** A node with one output: {@code rule} maps the output's gradient to the inputs' gradients. */
    public static Node single(String op, Tensor[] inputs, Tensor output, GradFn rule) {
        return new Node(op, inputs, new Tensor[] {output}, rule, null);
    }

    /** A node with several outputs; {@code rule} receives all their gradients (null where none reached). */
    public static Node multi(String op, Tensor[] inputs, Tensor[] outputs, MultiGradFn rule) {
        return new Node(op, inputs, outputs.clone(), null, rule);
    }

    public String op() {
        return op;
    }

    /** The inputs, in the order the rule returns their gradients (entries may be null). */
    public Tensor[] inputs() {
        return inputs;
    }

    public int outputCount() {
        return outputs.length;
    }

    Tensor output(int i) {
        return outputs[i];
    }

    Tensor[] applyRule(Tensor[] gradOuts) {
        return singleRule != null ? singleRule.apply(gradOuts[0]) : multiRule.apply(gradOuts);
    }
}
