package dev.lamina.backend;

import dev.lamina.kernels.Elementwise.Binary;
import dev.lamina.kernels.Elementwise.Unary;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The inference engine's module ops: the CPU's one-pass kernels against the default bodies (the reference backend). */
class InferenceOpsTest {
    private final Backend cpu = Backends.byName("cpu"), ref = Backends.byName("reference");

    /** tanh-GELU as an exporter spells it: 0.5·x·(1 + tanh(0.79788·(x + 0.044715·x³))), plus a bias row first. */
    private static ElementwiseProgram geluOfBiased() {
        // slots: 0 x [..., n], 1 bias [n], 2 0.044715, 3 0.79788, 4 1, 5 0.5
        return ElementwiseProgram.of(6, List.of(
                ElementwiseProgram.Step.of(Binary.ADD, 0, 1),     // 6  h = x + b
                ElementwiseProgram.Step.of(Binary.MUL, 6, 6),     // 7  h²
                ElementwiseProgram.Step.of(Binary.MUL, 7, 6),     // 8  h³
                ElementwiseProgram.Step.of(Binary.MUL, 8, 2),     // 9
                ElementwiseProgram.Step.of(Binary.ADD, 6, 9),     // 10
                ElementwiseProgram.Step.of(Binary.MUL, 10, 3),    // 11
                ElementwiseProgram.Step.of(Unary.TANH, 11),       // 12
                ElementwiseProgram.Step.of(Binary.ADD, 12, 4),    // 13
                ElementwiseProgram.Step.of(Binary.MUL, 6, 13),    // 14
                ElementwiseProgram.Step.of(Binary.MUL, 14, 5)));  // 15
    }

    private static Tensor[] inputs(Backend b, int rows, int cols) {
        return Backends.using(b, () -> new Tensor[] {Tensor.randn(new Rng(3), rows, cols), Tensor.randn(new Rng(4), cols),
                Tensor.scalar(0.044715f), Tensor.scalar(0.79788456f), Tensor.scalar(1f), Tensor.scalar(0.5f)});
    }

    @Test
    void registersAreReusedByLiveness() {
        ElementwiseProgram p = geluOfBiased();
        assertEquals(-1, p.register()[p.steps().size() - 1]);
        assertEquals(2, p.registers(), "h stays live until the last product; one more register carries the chain");
    }

    @Test
    void theOnePassKernelMatchesTheStepByStepDefaultOnALargeOutput() {
        ElementwiseProgram p = geluOfBiased();
        int rows = 37, cols = 301;   // several blocks of 4096, a row that does not divide them
        float[] fast = cpu.run(p, inputs(cpu, rows, cols), new int[] {rows, cols}).toArray();
        float[] stepByStep = Backends.using(cpu, () -> {
            Tensor[] in = inputs(cpu, rows, cols);
            Tensor h = in[0].add(in[1]);
            return h.mul(h.mul(h).mul(h).mul(in[2]).add(h).mul(in[3]).tanh().add(in[4])).mul(in[5]).toArray();
        });
        assertArrayEquals(stepByStep, fast, "one pass, the same kernels: bit for bit");
        float[] reference = ref.run(p, inputs(ref, rows, cols), new int[] {rows, cols}).toArray();
        for (int i = 0; i < fast.length; i++) assertEquals(fast[i], reference[i], 1e-5f, "element " + i);
    }

    @Test
    void inputsThatDoNotFitOnePassRunStepByStep() {
        ElementwiseProgram p = ElementwiseProgram.of(2, List.of(ElementwiseProgram.Step.of(Binary.MUL, 0, 1), ElementwiseProgram.Step.of(Unary.EXP, 2)));
        Tensor col = Tensor.randn(new Rng(5), 4, 1), row = Tensor.randn(new Rng(6), 1, 3);   // an outer product: no full-shape input
        assertNull(p.onePassKinds(new Tensor[] {col, row}, new int[] {4, 3}));
        assertArrayEquals(col.mul(row).exp().toArray(), cpu.run(p, new Tensor[] {col, row}, new int[] {4, 3}).toArray());
    }

    @Test
    void aStepThatReadsAValueNotYetComputedIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> ElementwiseProgram.of(1, List.of(ElementwiseProgram.Step.of(Unary.NEG, 1))));
        assertEquals("step 0 reads slot 1, not computed before it", e.getMessage());
    }

    @Test
    void packedProductsMatchMatmulOnBothBackends() {
        for (Backend b : List.of(cpu, ref)) {
            float[][] got = Backends.using(b, () -> {
                Tensor a = Tensor.randn(new Rng(7), 2, 5, 33), w = Tensor.randn(new Rng(8), 17, 33), bias = Tensor.randn(new Rng(9), 17);
                PackedMatrix packed = b.packRight(w, true);   // Gemm's transB: the weight as [n, k]
                assertEquals(33, packed.k());
                assertEquals(17, packed.n());
                return new float[][] {b.matmulPacked(a, false, packed, bias).toArray(), a.matmul(w.t()).add(bias).toArray()};
            });
            for (int i = 0; i < got[0].length; i++) assertEquals(got[1][i], got[0][i], 1e-4f, b.name() + " element " + i);
        }
    }

    @Test
    void aStepWithTheWrongOperandsIsRefused() {
        var both = assertThrows(IllegalArgumentException.class, () -> new ElementwiseProgram.Step(Unary.NEG, Binary.ADD, new int[] {0}));
        assertEquals("a step is either unary or binary", both.getMessage());
        var count = assertThrows(IllegalArgumentException.class, () -> new ElementwiseProgram.Step(null, Binary.ADD, new int[] {0}));
        assertEquals("step ADD with 1 operands", count.getMessage());
    }

    @Test
    void aProgramWhoseResultIsNotTheExpectedShapeIsRefused() {
        ElementwiseProgram p = ElementwiseProgram.of(1, List.of(ElementwiseProgram.Step.of(Unary.NEG, 0)));
        var e = assertThrows(IllegalArgumentException.class, () -> ref.run(p, new Tensor[] {Tensor.ones(2, 3)}, new int[] {3, 2}));
        assertEquals("elementwise program: result [2, 3], expected [3, 2]", e.getMessage());
    }

    @Test
    void aMatrixPackedByAnotherBackendIsRefusedByTheDefault() {
        PackedMatrix cpuPacked = cpu.packRight(Tensor.ones(4, 3), false);
        var e = assertThrows(IllegalArgumentException.class, () -> ref.matmulPacked(Tensor.ones(2, 4), false, cpuPacked, null));
        assertEquals("matmulPacked: Packed was packed by another backend", e.getMessage());
    }
}
