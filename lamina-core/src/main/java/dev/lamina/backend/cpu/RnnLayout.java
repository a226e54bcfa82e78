package dev.lamina.backend.cpu;

import dev.lamina.tensor.Tensor;

/**
 * Where things live in the packed result of {@link CpuRecurrentOps}' LSTM and GRU: hidden states in blocks of batch·H
 * floats, blocks 0..seq; the initial state sits in the block before the first step processed (block 0 forward,
 * block seq in reverse), so the previous states of all steps form one contiguous run (read by the dW_hh GEMM).
 * Then hN, cN (LSTM only) and, with a mask, a separate output that is zero at the masked steps. The op's outputs
 * are views of this buffer (output from {@code outOff}, hN, cN), each its own tensor on the tape.
 */
final class RnnLayout {
    final int steps, batch, hid, bh, hnOff, cnOff, outOff, total;
    final boolean reverse, masked;

    RnnLayout(int steps, int batch, int hid, boolean reverse, boolean masked, boolean withCell) {
        this.steps = steps;
        this.batch = batch;
        this.hid = hid;
        this.bh = batch * hid;
        this.reverse = reverse;
        this.masked = masked;
        this.hnOff = (steps + 1) * bh;
        this.cnOff = hnOff + bh;
        int end = withCell ? cnOff + bh : cnOff;
        this.outOff = masked ? end : (reverse ? 0 : bh);
        this.total = end + (masked ? steps * bh : 0);
    }

    int initialBlock() {
        return reverse ? steps : 0;
    }

    int finalBlock() {
        return reverse ? 0 : steps;
    }

    /** Block holding the state before step t. */
    int prevBlock(int t) {
        return reverse ? t + 1 : t;
    }

    /** Block holding the state after step t. */
    int curBlock(int t) {
        return reverse ? t : t + 1;
    }

    void writeMaskedOutput(float[] packed, float[] mask) {
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                if (mask[t * batch + b] != 0f) System.arraycopy(packed, curBlock(t) * bh + b * hid, packed, outOff + t * bh + b * hid, hid);
            }
        }
    }

    /** output [seq, batch, H]: a view of the packed states. */
    Tensor output(Tensor packed) {
        return Tensor.view(packed, outOff, new int[] {steps, batch, hid}, new int[] {bh, hid, 1});
    }

    /** hN [batch, H]: a view of the packed states. */
    Tensor hN(Tensor packed) {
        return Tensor.view(packed, hnOff, new int[] {batch, hid}, new int[] {hid, 1});
    }

    /** cN [batch, H] (LSTM): a view of the packed states. */
    Tensor cN(Tensor packed) {
        return Tensor.view(packed, cnOff, new int[] {batch, hid}, new int[] {hid, 1});
    }
}
