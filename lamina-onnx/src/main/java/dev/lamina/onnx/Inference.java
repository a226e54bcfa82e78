package dev.lamina.onnx;

import dev.lamina.nn.Module;
import dev.lamina.tensor.Tensor;

import java.util.Map;

/**
 * Lamina's own models on the inference engine: {@link #compile} writes a module (in eval mode) as the ONNX graph
 * {@link OnnxExport} would export and loads it as an {@link OnnxModel}, so a network built in Java gets what an
 * imported one gets — constants folded, convolutions with their activations and residual adds in one pass, attention
 * chains in the attention kernel, weights packed once for the GEMM. The compiled model is a snapshot: later changes
 * to the module's parameters are not seen (compile again after training). Its results equal the module's eval-mode
 * forward within float rounding (the fused kernels may round differently: relative error about 1e-6), and one
 * compiled model may be run from several threads at once.
 */
public final class Inference {
    private final OnnxModel model;
    private final String input, output;

    private Inference(OnnxModel model) {
        this.model = model;
        this.input = model.inputs().get(0).name();
        this.output = model.outputs().get(0).name();
    }

    /**
     * Compiles {@code module} for inputs shaped like {@code exampleShape} (batch first; the batch size may differ at
     * run time). The module is left in eval mode.
     *
     * @throws IllegalArgumentException for a layer the exporter does not cover, naming its path and class
     */
    public static Inference compile(Module module, int... exampleShape) {
        module.eval();
        return new Inference(OnnxModel.parse(OnnxExport.toModelProto(module, exampleShape, false).toByteArray()));
    }

    /** The module's output for {@code x} (no gradient is recorded). */
    public Tensor run(Tensor x) {
        return model.run(Map.of(input, x)).get(output);
    }

    /** The engine's model, e.g. for {@link OnnxModel#run(Map, NodeProfile)} or {@link OnnxModel#executedOperatorCounts()}. */
    public OnnxModel model() {
        return model;
    }
}
