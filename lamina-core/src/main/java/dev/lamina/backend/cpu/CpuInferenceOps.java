package dev.lamina.backend.cpu;

import dev.lamina.backend.ElementwiseProgram;
import dev.lamina.backend.ElementwiseProgram.Kind;
import dev.lamina.backend.InferenceOps;
import dev.lamina.backend.PackedMatrix;
import dev.lamina.kernels.Elementwise;
import dev.lamina.kernels.Elementwise.Binary;
import dev.lamina.kernels.PackedGemm;
import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Buffers;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

/**
 * The inference engine's ops on the CPU: an element-wise program walks its output in blocks of {@link #BLOCK}
 * elements that stay in the core's cache, each step applied to the block with the kernel the separate op would use
 * ({@link Elementwise}), so results are bit-identical to running the steps one by one; blocks are shared among the
 * worker threads. Constant right operands are packed once into the GEMM's strips ({@link PackedGemm}).
 */
public interface CpuInferenceOps extends InferenceOps {
    /** Elements per block: a few live blocks of 16 KB fit in the first-level cache. */
    int BLOCK = 4096;

    @Override
    default Tensor run(ElementwiseProgram program, Tensor[] in, int[] outShape) {
        Kind[] kinds = program.onePassKinds(in, outShape);
        if (kinds == null) return InferenceOps.super.run(program, in, outShape);
        int n = Shape.size(outShape);
        float[] out = Buffers.uninitialized(n);
        int blocks = (n + BLOCK - 1) / BLOCK;
        int minChunk = Math.max(1, (2 * Elementwise.PARALLEL_GRAIN) / (BLOCK * program.steps().size()));
        Parallel.forRange(blocks, minChunk, (b0, b1) -> {
            float[][] regs = Scratch.registers(program.registers());
            for (int b = b0; b < b1; b++) Scratch.block(program, b * BLOCK, Math.min(BLOCK, n - b * BLOCK), in, kinds, regs, out);
        });
        return wrap(out, outShape);
    }

    @Override
    default PackedMatrix packRight(Tensor b, boolean transposed) {
        Tensor bc = b.contiguous();
        int k = transposed ? b.size(1) : b.size(0), cols = transposed ? b.size(0) : b.size(1);
        return new Packed(PackedGemm.pack(k, cols, bc.storage(), bc.storageOffset(), transposed ? 1 : cols, transposed ? k : 1));
    }

    /** B packed into the GEMM's strips. */
    record Packed(PackedGemm gemm) implements PackedMatrix {
        @Override
        public int k() {
            return gemm.k();
        }

        @Override
        public int n() {
            return gemm.n();
        }
    }

    @Override
    default Tensor matmulPacked(Tensor a, boolean transA, PackedMatrix packed, Tensor bias) {
        if (!(packed instanceof Packed p)) return InferenceOps.super.matmulPacked(a, transA, packed, bias);
        PackedGemm b = p.gemm();
        Tensor ac = a.contiguous();
        int k = b.k(), cols = b.n();
        int m = transA ? a.size(1) : (int) (ac.numel() / k);
        int[] shape = transA ? new int[] {m, cols} : a.shape();
        shape[shape.length - 1] = cols;
        float[] y = Buffers.uninitialized(m * cols); // the bias rows, or the product with accumulate false
        if (bias != null) {
            Tensor bc = bias.contiguous();
            for (int i = 0; i < m; i++) System.arraycopy(bc.storage(), bc.storageOffset(), y, i * cols, cols);
        }
        b.multiplyShared(m, ac.storage(), ac.storageOffset(), transA ? 1 : k, transA ? m : 1, y, 0, cols, bias != null);
        return wrap(y, shape);
    }

    /** Per-thread block registers and the blocked kernel. */
    final class Scratch {
        private Scratch() {}

        private static final ThreadLocal<float[][]> REGISTERS = ThreadLocal.withInitial(() -> new float[0][]);

        /** At least {@code count} registers of {@link #BLOCK} floats, kept per thread across runs. */
        static float[][] registers(int count) {
            float[][] r = REGISTERS.get();
            if (r.length < count) {
                float[][] grown = java.util.Arrays.copyOf(r, count);
                for (int i = r.length; i < count; i++) grown[i] = new float[BLOCK];
                REGISTERS.set(grown);
                r = grown;
            }
            return r;
        }

        /** Elements [start, start + len) of the output through every step. */
        static void block(ElementwiseProgram program, int start, int len, Tensor[] in, Kind[] kinds, float[][] regs, float[] out) {
            int e = program.inputs();
            int[] register = program.register();
            for (int j = 0; j < program.steps().size(); j++) {
                float[] dst = register[j] < 0 ? out : regs[register[j]];
                int dOff = register[j] < 0 ? start : 0;
                ElementwiseProgram.Step s = program.steps().get(j);
                int[] ops = s.operands();
                if (s.unary() != null) {
                    int o = ops[0];
                    float[] a = o >= e ? regs[register[o - e]] : in[o].storage();
                    int aOff = o >= e ? 0 : in[o].storageOffset() + (kinds[o] == Kind.FULL ? start : 0);
                    Elementwise.unary(s.unary(), a, aOff, dst, dOff, len);
                    continue;
                }
                Binary op = s.binary();
                int x = ops[0], y = ops[1];
                Kind kx = x >= e ? Kind.FULL : kinds[x], ky = y >= e ? Kind.FULL : kinds[y];
                float[] xa = x >= e ? regs[register[x - e]] : in[x].storage();
                float[] ya = y >= e ? regs[register[y - e]] : in[y].storage();
                int xo = x >= e ? 0 : in[x].storageOffset() + (kx == Kind.FULL ? start : 0);
                int yo = y >= e ? 0 : in[y].storageOffset() + (ky == Kind.FULL ? start : 0);
                if (kx == Kind.FULL && ky == Kind.FULL) {
                    Elementwise.binary(op, xa, xo, ya, yo, dst, dOff, len);
                } else if (ky == Kind.SCALAR) {
                    Elementwise.binaryScalar(op, xa, xo, ya[yo], dst, dOff, len);
                } else if (kx == Kind.SCALAR) {
                    Elementwise.scalarBinary(op, xa[xo], ya, yo, dst, dOff, len);
                } else if (ky == Kind.ROW) {
                    int row = in[y].numel();
                    for (int p = 0; p < len; ) {
                        int r = (start + p) % row, seg = Math.min(row - r, len - p);
                        Elementwise.binary(op, xa, xo + p, ya, yo + r, dst, dOff + p, seg);
                        p += seg;
                    }
                } else {
                    int row = in[x].numel();
                    for (int p = 0; p < len; ) {
                        int r = (start + p) % row, seg = Math.min(row - r, len - p);
                        Elementwise.binary(op, xa, xo + r, ya, yo + p, dst, dOff + p, seg);
                        p += seg;
                    }
                }
            }
        }
    }
}
