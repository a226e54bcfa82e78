package dev.lamina.spark.ml;

import dev.lamina.tensor.Tensor;

/** A model ready to run on an executor: a batch of features [N, F] → outputs [N, K]. */
@FunctionalInterface
interface BatchRunner {
    Tensor run(Tensor features);
}
