package dev.lamina.backend;

import dev.lamina.tensor.Tensor;

/**
 * A backend: the tensor primitives of {@link TensorOps} and the module-op families that extend them, each family an
 * interface whose default bodies are composed from the primitives (run without the tape), so a new backend starts
 * by implementing {@link TensorOps} and overrides a family where it has a faster kernel.
 *
 * <p>Implementations are listed in {@code META-INF/services/dev.lamina.backend.Backend} and chosen with
 * {@link Backends}: {@code cpu} (the default) and {@code reference}.
 */
public interface Backend extends TensorOps, InferenceOps, OptimizerOps, LinearOps, EmbeddingOps, RecurrentOps, AttentionOps, PoolOps, ChannelDropoutOps, ResampleOps, NormOps, ConvOps, LossOps {
    @Override
    default Tensor wrap(float[] values, int... shape) {
        return Tensor.onBackend(this, values, shape);
    }
}
