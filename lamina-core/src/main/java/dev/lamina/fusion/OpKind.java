package dev.lamina.fusion;

import dev.lamina.kernels.Activation;

/**
 * The kinds of operation that fusion rules are written in, shared by both worlds that fuse: layers of a
 * {@code Sequential} (each layer class maps to a kind in one place there) and nodes of an imported ONNX graph (each
 * operator type maps to a kind in one place in {@code dev.lamina.onnx}).
 */
public enum OpKind {
    CONVOLUTION(null),
    BATCH_NORM(null),
    /** An element-wise sum with a second tensor of the output's shape (a residual block's skip connection). */
    RESIDUAL_ADD(null),
    MAX_POOL(null),
    RELU(Activation.RELU),
    /** Clamping to constant bounds; ReLU6 is CLIP 0..6. */
    CLIP(Activation.CLIP),
    SIGMOID(Activation.SIGMOID),
    SILU(Activation.SILU),
    HARDSWISH(Activation.HARDSWISH);

    private final Activation epilogue;

    OpKind(Activation epilogue) {
        this.epilogue = epilogue;
    }

    /** The convolution-epilogue activation this kind is, or null when it is no activation. */
    public Activation epilogue() {
        return epilogue;
    }
}
