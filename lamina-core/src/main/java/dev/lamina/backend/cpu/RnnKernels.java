package dev.lamina.backend.cpu;

import dev.lamina.kernels.CpuFeatures;
import dev.lamina.kernels.Elementwise;
import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;

/**
 * The per-row gate math of the fused recurrent ops ({@link CpuRecurrentOps}): one batch row of one time step
 * at a time, each function a single-purpose loop over {@code count} hidden units starting at the given offsets
 * (gate q of unit j at offset + q·hidden + j), so a thread can take a range of units. With the Vector API the whole vectors go
 * through {@link VectorRnnKernels} (lane-wise exp and tanh), the tail through the same formulas in scalar code.
 */
final class RnnKernels {
    private RnnKernels() {}

    static float sigmoid(float x) {
        return Elementwise.sigmoid(x);
    }

    static float tanh(float x) {
        return (float) Math.tanh(x);
    }

    /**
     * LSTM step forward for one row. {@code a[ao..ao+4H)} holds the pre-activations (i, f, g, o) and is
     * overwritten by the activations; c = f·cPrev + i·g, tc = tanh(c), h = o·tc.
     */
    static void lstmForward(float[] a, int ao, float[] cPrev, int cpo, float[] c, int co, float[] tc, int to, float[] h, int ho, int hidden, int count) {
        int j = CpuFeatures.VECTOR ? VectorRnnKernels.lstmForward(a, ao, cPrev, cpo, c, co, tc, to, h, ho, hidden, count) : 0;
        for (; j < count; j++) {
            float i = sigmoid(a[ao + j]);
            float f = sigmoid(a[ao + hidden + j]);
            float g = tanh(a[ao + 2 * hidden + j]);
            float o = sigmoid(a[ao + 3 * hidden + j]);
            a[ao + j] = i;
            a[ao + hidden + j] = f;
            a[ao + 2 * hidden + j] = g;
            a[ao + 3 * hidden + j] = o;
            float cv = f * cPrev[cpo + j] + i * g;
            float t = tanh(cv);
            c[co + j] = cv;
            tc[to + j] = t;
            h[ho + j] = o * t;
        }
    }

    /**
     * LSTM step backward for one row, from the cached activations {@code a} (i, f, g, o), tanh(c) {@code tc} and
     * the previous cell state. {@code dh} is the full gradient of h at this step; {@code dc} the gradient of c
     * arriving from the next step, replaced by the gradient of cPrev. Writes the pre-activation gradients to
     * {@code da}.
     */
    static void lstmBackward(float[] a, int ao, float[] tc, int to, float[] cPrev, int cpo, float[] dh, int dho, float[] dc, int dco, float[] da, int dao, int hidden, int count) {
        int j = CpuFeatures.VECTOR ? VectorRnnKernels.lstmBackward(a, ao, tc, to, cPrev, cpo, dh, dho, dc, dco, da, dao, hidden, count) : 0;
        for (; j < count; j++) {
            float i = a[ao + j], f = a[ao + hidden + j], g = a[ao + 2 * hidden + j], o = a[ao + 3 * hidden + j];
            float t = tc[to + j], d = dh[dho + j];
            float dct = dc[dco + j] + d * o * (1f - t * t);
            da[dao + j] = dct * g * i * (1f - i);
            da[dao + hidden + j] = dct * cPrev[cpo + j] * f * (1f - f);
            da[dao + 2 * hidden + j] = dct * i * (1f - g * g);
            da[dao + 3 * hidden + j] = d * t * o * (1f - o);
            dc[dco + j] = dct * f;
        }
    }

    /**
     * GRU step forward for one row. {@code gi[gio..+3H)} holds x·W_ihᵀ + b_ih (+ b_hr, b_hz), {@code gh} holds
     * hPrev·W_hhᵀ; r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), hn = gh_n + b_hn, n = tanh(gi_n + r·hn),
     * h = (1 − z)·n + z·hPrev. Caches r, z, n in gi and hn in gh's n part. {@code bhn} may be null (no bias).
     */
    static void gruForward(float[] gi, int gio, float[] gh, int gho, float[] bhn, int bo, float[] hPrev, int hpo, float[] h, int ho, int hidden, int count) {
        int j = CpuFeatures.VECTOR ? VectorRnnKernels.gruForward(gi, gio, gh, gho, bhn, bo, hPrev, hpo, h, ho, hidden, count) : 0;
        for (; j < count; j++) {
            float r = sigmoid(gi[gio + j] + gh[gho + j]);
            float z = sigmoid(gi[gio + hidden + j] + gh[gho + hidden + j]);
            float hn = gh[gho + 2 * hidden + j] + (bhn == null ? 0f : bhn[bo + j]);
            float n = tanh(gi[gio + 2 * hidden + j] + r * hn);
            gi[gio + j] = r;
            gi[gio + hidden + j] = z;
            gi[gio + 2 * hidden + j] = n;
            gh[gho + 2 * hidden + j] = hn;
            float hp = hPrev[hpo + j];
            h[ho + j] = n + z * (hp - n);
        }
    }

    /**
     * GRU step backward for one row from the cached r, z, n (in {@code gi}) and hn (in {@code gh}): writes the
     * gradients of the input-side pre-activations to {@code dgi}, of the hidden-side ones (W_hh·h + b_hh) to
     * {@code dgh}, and the direct part dh·z of the gradient of hPrev to {@code dhPrev}.
     */
    static void gruBackward(float[] gi, int gio, float[] gh, int gho, float[] hPrev, int hpo, float[] dh, int dho,
                            float[] dgi, int dgio, float[] dgh, int dgho, float[] dhPrev, int dhpo, int hidden, int count) {
        int j = CpuFeatures.VECTOR ? VectorRnnKernels.gruBackward(gi, gio, gh, gho, hPrev, hpo, dh, dho, dgi, dgio, dgh, dgho, dhPrev, dhpo, hidden, count) : 0;
        for (; j < count; j++) {
            float r = gi[gio + j], z = gi[gio + hidden + j], n = gi[gio + 2 * hidden + j], hn = gh[gho + 2 * hidden + j];
            float d = dh[dho + j];
            float dan = d * (1f - z) * (1f - n * n);
            float dar = dan * hn * r * (1f - r);
            float daz = d * (hPrev[hpo + j] - n) * z * (1f - z);
            dgi[dgio + j] = dar;
            dgi[dgio + hidden + j] = daz;
            dgi[dgio + 2 * hidden + j] = dan;
            dgh[dgho + j] = dar;
            dgh[dgho + hidden + j] = daz;
            dgh[dgho + 2 * hidden + j] = dan * r;
            dhPrev[dhpo + j] = d * z;
        }
    }

    /**
     * o[j] += Σ_r a[ao + r·n + j] over r in [0, rows): column sums of a row-major [rows, n] block, rows added in
     * order; threads take column ranges (the bias gradient of a 2048-row LSTM backward ran serially otherwise).
     */
    static void addColumnSums(float[] a, int ao, int rows, int n, float[] o, int oo) {
        Parallel.forRange(n, Math.max(16, COLUMN_SUM_GRAIN / rows), (j0, j1) -> {
            for (int r = 0; r < rows; r++) {
                int base = ao + r * n;
                for (int j = j0; j < j1; j++) o[oo + j] += a[base + j];
            }
        });
    }

    /** Copies {@code row} into each of the first {@code rows} rows of the row-major {@code dst} (threads take row ranges). */
    static void fillRows(float[] dst, int rows, float[] row) {
        int n = row.length;
        Parallel.forRange(rows, Math.max(1, COLUMN_SUM_GRAIN / n), (r0, r1) -> {
            for (int r = r0; r < r1; r++) System.arraycopy(row, 0, dst, r * n, n);
        });
    }

    /** dst row r = src row ids[r] (rows of width g); threads take row ranges. */
    static void gatherRows(float[] src, int[] ids, int g, float[] dst) {
        Parallel.forRange(ids.length, Math.max(1, COLUMN_SUM_GRAIN / g), (r0, r1) -> {
            for (int r = r0; r < r1; r++) System.arraycopy(src, ids[r] * g, dst, r * g, g);
        });
    }

    /** dst row ids[r] += src row r for r in order (rows of width g); threads take column ranges, so sums keep that order. */
    static void scatterAddRows(float[] src, int[] ids, int g, float[] dst) {
        Parallel.forRange(g, Math.max(16, COLUMN_SUM_GRAIN / Math.max(1, ids.length)), (j0, j1) -> {
            for (int r = 0; r < ids.length; r++) {
                int s = r * g, d = ids[r] * g;
                for (int j = j0; j < j1; j++) dst[d + j] += src[s + j];
            }
        });
    }

    /** Additions (or copies) per chunk below which a column sum (or row fill) stays on one thread. */
    private static final int COLUMN_SUM_GRAIN = 1 << 16;

    /** Work of one time step on batch rows [r0, r1) and hidden units [j0, j1). */
    @FunctionalInterface
    interface StepBody {
        void run(int r0, int r1, int j0, int j1);
    }

    /** A fresh copy of a state gradient [batch, H] ({@code n} values), or zeros when the loss does not reach that state. */
    static float[] copyOrZeros(Tensor grad, int n) {
        if (grad == null) return new float[n];
        Tensor g = grad.contiguous();
        return Arrays.copyOfRange(g.storage(), g.storageOffset(), g.storageOffset() + n);
    }

    /** Whether a step can be split by hidden units: H a multiple of the GEMM's column grain. */
    static boolean byUnits(int hidden, int grain) {
        return hidden % grain == 0;
    }

    /**
     * Runs one time step across the worker pool: split by hidden units (in multiples of {@code grain}) when
     * {@link #byUnits} (each thread then computes its own columns of the step's GEMM and the gate math on them: one
     * fork-join per step), else by batch rows.
     */
    static void forStep(int batch, int hidden, int gates, int grain, StepBody body) {
        if (byUnits(hidden, grain)) {
            long macsPerGroup = (long) batch * gates * grain * hidden;
            Parallel.forRange(hidden / grain, (int) Math.max(1, STEP_GRAIN / macsPerGroup), (u0, u1) -> body.run(0, batch, u0 * grain, u1 * grain));
        } else {
            Parallel.forRange(batch, Math.max(1, ROW_GRAIN / (gates * hidden)), (r0, r1) -> body.run(r0, r1, 0, hidden));
        }
    }

    /** Multiply-adds per chunk below which a step stays on one thread. */
    private static final long STEP_GRAIN = 1L << 16;
    /** Gate values per chunk below which a step's rows stay on one thread (row split). */
    private static final int ROW_GRAIN = 1 << 13;
}
