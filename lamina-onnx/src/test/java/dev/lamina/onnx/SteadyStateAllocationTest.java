package dev.lamina.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Tensor;

import java.lang.management.ManagementFactory;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * A loaded model reuses the arrays of its intermediate results from run to run (the plan gives each back after its
 * last reader): a steady-state run allocates less than half of what it allocates without reuse (what is left: Tensor
 * and map objects, pooling's scratch rows, the global pools' small outputs), and gives the same bits.
 */
class SteadyStateAllocationTest {
    private static long allocated(Runnable r) {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = bean.getCurrentThreadAllocatedBytes();
        r.run();
        return bean.getCurrentThreadAllocatedBytes() - before;
    }

    /** The least a run allocates over a few runs (a JIT compilation in between would only add). */
    private static long leastAllocated(OnnxModel model, Map<String, Tensor> feeds, int runs) {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < runs; i++) least = Math.min(least, allocated(() -> model.run(feeds)));
        return least;
    }

    @Test
    void steadyRunsReuseTheArraysOfTheirIntermediateResults() throws Exception {
        int threads = Parallel.threads();
        Parallel.setThreads(1); // every allocation on this thread, where the bean counts it
        try {
            // every large intermediate array comes from the pool: convolutions, and in the transformers GELU (its Φ goes
            // where the output goes), LayerNorm (x̂ likewise) and the attention probabilities (scratch given back)
            for (String fixture : new String[] {"infer_resnet_basic", "infer_resnet_bottleneck", "infer_mobilenet_v2", "infer_efficientnet",
                    "infer_bert", "infer_gpt", "infer_convnext"}) {
                OnnxModel model = OnnxModel.load(OnnxFixtures.dir(fixture).resolve("model.onnx"));
                Map<String, Tensor> feeds = OnnxFixtures.inputs(fixture);
                float[] first = model.run(feeds).get("out0").toArray();
                // Interpreted or C1-compiled, the vector kernels box every vector on the heap, which would hide the
                // arrays: measure until the JIT has compiled them (a busy machine takes longer), at most 20 s.
                long deadline = System.nanoTime() + 20_000_000_000L, fresh, reused;
                do {
                    for (int i = 0; i < 200; i++) model.run(feeds);
                    model.reuseBuffers = false;
                    fresh = leastAllocated(model, feeds, 5);
                    model.reuseBuffers = true;
                    model.run(feeds); // fills the pool again
                    reused = leastAllocated(model, feeds, 5);
                } while (reused >= fresh / 2 && System.nanoTime() < deadline);
                assertArrayEquals(first, model.run(feeds).get("out0").toArray(), fixture + ": reused arrays give the same bits");
                assertTrue(reused < fresh / 2, fixture + ": a run allocates " + reused + " bytes reusing arrays, " + fresh + " without");
            }
        } finally {
            Parallel.setThreads(threads);
        }
    }

    /**
     * Kernels that allocate their output with {@code new} still give it back at its last reader; the pool keeps only
     * what a run takes, so it does not grow from run to run (it once grew by every such array, without bound).
     */
    @Test
    void thePoolHoldsNoMoreAfterManyRunsThanAfterAFew() throws Exception {
        for (String fixture : new String[] {"infer_bert", "infer_gpt", "infer_resnet_basic", "infer_mobilenet_v2", "infer_convnext"}) {
            OnnxModel model = OnnxModel.load(OnnxFixtures.dir(fixture).resolve("model.onnx"));
            Map<String, Tensor> feeds = OnnxFixtures.inputs(fixture);
            float[] first = model.run(feeds).get("out0").toArray();
            // what a run gives back but did not take fills the pool up to its bound over a few runs (five for the BERT)
            for (int i = 0; i < 11; i++) model.run(feeds);
            long afterAFew = model.pooledFloats();
            for (int i = 0; i < 40; i++) model.run(feeds);
            assertEquals(afterAFew, model.pooledFloats(), fixture + ": floats held by the pool after 12 runs and after 52");
            assertArrayEquals(first, model.run(feeds).get("out0").toArray(), fixture + ": same bits with the bounded pool");
        }
    }
}
