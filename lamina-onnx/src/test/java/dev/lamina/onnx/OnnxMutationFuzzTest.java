package dev.lamina.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Seeded mutation fuzzing without an engine, so it runs everywhere in a few seconds: thousands of byte flips,
 * byte sets, insertions, deletions, truncations and chunk duplications of the valid fixture models; each mutant
 * must load and run, or fail with an {@link OnnxException}. A failure prints the seed and iteration to replay it.
 *
 * <p>Coverage-guided fuzzing with Jazzer is {@code tools/fuzz.sh} (target {@code fuzz.OnnxFuzzTarget}), outside
 * the unit tests: it needs a newer ASM than Jazzer 0.24.0 ships to instrument Java 25 classes.
 */
class OnnxMutationFuzzTest {
    private static final long SEED = 20261126L;
    private static final int ITERATIONS = 4000;

    @Test
    void mutantsFailCleanly() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        for (String c : OnnxFixtures.cases()) seeds.add(Files.readAllBytes(OnnxFixtures.dir(c).resolve("model.onnx")));
        Rng rng = new Rng(SEED);
        int loaded = 0;
        long start = System.nanoTime();
        for (int it = 0; it < ITERATIONS; it++) {
            byte[] b = mutate(seeds.get(rng.nextInt(seeds.size())), rng);
            try {
                runClean(b);
                if (loads(b)) loaded++;
            } catch (Throwable t) {
                fail("iteration " + it + " (seed " + SEED + "): " + t, t);
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        // the mutants must not all die in the protobuf parser, or the importer's own checks go untested
        assertTrue(loaded > ITERATIONS / 20, "only " + loaded + " of " + ITERATIONS + " mutants loaded");
        System.out.printf("OnnxMutationFuzzTest: %d mutants in %.1f s, %d loaded%n", ITERATIONS, secs, loaded);
    }

    /** Loads and, when that works, runs the model on small inputs; only {@link OnnxException} may escape. */
    static void runClean(byte[] data) {
        OnnxModel m;
        try {
            m = OnnxModel.parse(data);
        } catch (OnnxException e) {
            return;
        }
        Map<String, Tensor> feeds = new HashMap<>();
        for (OnnxModel.ValueInfo in : m.inputs()) {
            int[] shape = new int[in.dims().size()];
            long n = 1;
            for (int d = 0; d < shape.length; d++) {
                String s = in.dims().get(d);
                shape[d] = s.chars().allMatch(Character::isDigit) && !s.isEmpty() && s.length() < 6 ? Integer.parseInt(s) : 2;
                n *= Math.max(1, shape[d]);
            }
            if (n > 1 << 16) return; // mutated input shapes can ask for anything; keep iterations fast
            feeds.put(in.name(), Tensor.full(1f, shape));
        }
        try {
            m.run(feeds);
        } catch (OnnxException e) {
            // clean rejection
        }
    }

    /**
     * Structure-aware mutants: the same fixtures decoded, then one to three edits of the graph itself (an
     * initializer's dims, an int or ints attribute, a node's operator or inputs, a dropped node, a declared input
     * dim); most of these load, so the run-time checks of every operator get exercised.
     */
    @Test
    void graphMutantsFailCleanly() throws IOException {
        List<onnx.Onnx.ModelProto> seeds = new ArrayList<>();
        for (String c : OnnxFixtures.cases()) seeds.add(onnx.Onnx.ModelProto.parseFrom(Files.readAllBytes(OnnxFixtures.dir(c).resolve("model.onnx"))));
        List<String> ops = OnnxModel.supportedOperators();
        Rng rng = new Rng(SEED + 1);
        int ran = 0;
        for (int it = 0; it < ITERATIONS / 2; it++) {
            onnx.Onnx.ModelProto.Builder m = seeds.get(rng.nextInt(seeds.size())).toBuilder();
            onnx.Onnx.GraphProto.Builder g = m.getGraphBuilder();
            int edits = 1 + rng.nextInt(3);
            for (int e = 0; e < edits; e++) {
                switch (rng.nextInt(6)) {
                    case 0 -> {
                        if (g.getInitializerCount() == 0) break;
                        onnx.Onnx.TensorProto.Builder t = g.getInitializerBuilder(rng.nextInt(g.getInitializerCount()));
                        if (t.getDimsCount() > 0) t.setDims(rng.nextInt(t.getDimsCount()), interesting(rng));
                    }
                    case 1, 2 -> {
                        onnx.Onnx.NodeProto.Builder n = g.getNodeBuilder(rng.nextInt(g.getNodeCount()));
                        if (n.getAttributeCount() == 0) break;
                        onnx.Onnx.AttributeProto.Builder a = n.getAttributeBuilder(rng.nextInt(n.getAttributeCount()));
                        if (a.getIntsCount() > 0) a.setInts(rng.nextInt(a.getIntsCount()), interesting(rng));
                        else a.setI(interesting(rng));
                    }
                    case 3 -> g.getNodeBuilder(rng.nextInt(g.getNodeCount())).setOpType(ops.get(rng.nextInt(ops.size())));
                    case 4 -> {
                        onnx.Onnx.NodeProto.Builder n = g.getNodeBuilder(rng.nextInt(g.getNodeCount()));
                        onnx.Onnx.NodeProto.Builder o = g.getNodeBuilder(rng.nextInt(g.getNodeCount()));
                        if (n.getInputCount() > 0 && o.getInputCount() > 0) n.setInput(rng.nextInt(n.getInputCount()), o.getInput(rng.nextInt(o.getInputCount())));
                    }
                    default -> {
                        if (rng.nextInt(2) == 0 && g.getNodeCount() > 1) {
                            g.removeNode(rng.nextInt(g.getNodeCount()));
                        } else if (g.getInputCount() > 0) {
                            var shape = g.getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
                            if (shape.getDimCount() > 0) shape.getDimBuilder(rng.nextInt(shape.getDimCount())).setDimValue(1 + rng.nextInt(9));
                        }
                    }
                }
            }
            byte[] b = m.build().toByteArray();
            try {
                if (loads(b)) ran++;
                runClean(b);
            } catch (Throwable t) {
                fail("graph mutant " + it + " (seed " + (SEED + 1) + "): " + t, t);
            }
        }
        assertTrue(ran > ITERATIONS / 10, "only " + ran + " graph mutants loaded");
    }

    private static long interesting(Rng rng) {
        long[] v = {0, 1, 2, 3, -1, -2, 7, 64, 1 << 20, Integer.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE};
        return v[rng.nextInt(v.length)];
    }

    private static boolean loads(byte[] b) {
        try {
            OnnxModel.parse(b);
            return true;
        } catch (OnnxException e) {
            return false;
        }
    }

    static byte[] mutate(byte[] src, Rng rng) {
        byte[] b = src.clone();
        int edits = 1 + rng.nextInt(4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int pos = rng.nextInt(b.length);
            switch (rng.nextInt(7)) {
                case 0 -> b[pos] ^= (byte) (1 << rng.nextInt(8));                       // bit flip
                case 1 -> b[pos] = (byte) rng.nextInt(256);                              // random byte
                case 2 -> b[pos] = (byte) new int[] {0, 1, 0x7f, 0x80, 0xff}[rng.nextInt(5)]; // interesting byte
                case 3 -> b = java.util.Arrays.copyOf(b, pos);                            // truncate
                case 4 -> {                                                              // delete a run
                    int len = Math.min(b.length - pos, 1 + rng.nextInt(16));
                    byte[] o = new byte[b.length - len];
                    System.arraycopy(b, 0, o, 0, pos);
                    System.arraycopy(b, pos + len, o, pos, b.length - pos - len);
                    b = o;
                }
                case 5 -> {                                                              // insert random bytes
                    int len = 1 + rng.nextInt(8);
                    byte[] o = new byte[b.length + len];
                    System.arraycopy(b, 0, o, 0, pos);
                    for (int k = 0; k < len; k++) o[pos + k] = (byte) rng.nextInt(256);
                    System.arraycopy(b, pos, o, pos + len, b.length - pos);
                    b = o;
                }
                default -> {                                                             // duplicate a chunk
                    int len = Math.min(b.length - pos, 1 + rng.nextInt(64));
                    byte[] o = new byte[b.length + len];
                    System.arraycopy(b, 0, o, 0, pos + len);
                    System.arraycopy(b, pos, o, pos + len, b.length - pos);
                    b = o;
                }
            }
        }
        return b;
    }
}
