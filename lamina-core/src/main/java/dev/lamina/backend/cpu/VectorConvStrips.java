package dev.lamina.backend.cpu;

import dev.lamina.kernels.Gemm;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The column matrix of one image and group of a convolution ({@link Im2col}'s layout: row {@code (ci·kh + i)·kw + j},
 * column {@code y·ow + x}) written straight into the GEMM's B strips, so the column matrix is never stored: on a
 * batch-1 3×3 layer of ResNet it is several MB written once and read back once. The strips hold the values im2col
 * would have written (zeros in the padding), so the product is the same, bit for bit.
 *
 * <p>Per strip of {@link Gemm#stripWidth()} output positions, per kernel tap, one lane mask of the positions whose input
 * falls inside the image (and, off the flat case, one index per lane); then each row of the strip is one masked vector
 * load per half strip: contiguous when {@link Im2col.Geometry#flat} (stride 1, output as large as the input: the
 * positions of a tap are one shifted run of the plane); at stride 2 across, the even lanes of two contiguous loads for
 * each of the (at most two) grid rows the half strip spans; a gather otherwise. Vector API only ({@link Gemm#stripsApply}).
 */
final class VectorConvStrips implements Gemm.BStrips {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final long FULL = L == 64 ? -1L : (1L << L) - 1;
    /** The even lanes of two consecutive vectors: a stride-2 run of the image from two contiguous loads. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(F, l -> 2 * l);

    /** Per-thread work arrays of one strip: lane coordinates, per tap and half strip a mask and the lane indices. */
    private static final class Scratch {
        int[] ys = new int[0], xs = new int[0], index = new int[0], runs = new int[0];
        long[] masks = new long[0], second = new long[2], rowIn = new long[0], colIn = new long[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final Im2col.Geometry g;
    private final float[] img;
    private final int imgOff;
    private final int taps;
    /** Per tap (ky, kx): its offset from the kernel's origin, ky·dh rows and kx·dw columns. */
    private final int[] tapRow, tapCol;
    /** Per tap, in the flat case: the flat offset of its input from the output position, (ky·dh − pt)·w + kx·dw − pl. */
    private final int[] flatShift;
    private final boolean flat;
    /** Stride 2 across, and a grid row at least a vector long: a half strip spans at most two grid rows. */
    private final boolean evenRuns;

    /** The columns of the image {@code img[imgOff ...]} ([g.c, g.h, g.w], contiguous) under geometry {@code g}. */
    VectorConvStrips(Im2col.Geometry g, float[] img, int imgOff) {
        if (Gemm.stripWidth() != 2 * L) throw new IllegalStateException("strip width " + Gemm.stripWidth() + " is not two vectors of " + L);
        this.g = g;
        this.img = img;
        this.imgOff = imgOff;
        this.taps = g.kh() * g.kw();
        this.tapRow = new int[taps];
        this.tapCol = new int[taps];
        this.flatShift = new int[taps];
        for (int t = 0; t < taps; t++) {
            tapRow[t] = t / g.kw() * g.dh();
            tapCol[t] = t % g.kw() * g.dw();
            flatShift[t] = (tapRow[t] - g.pt()) * g.w() + tapCol[t] - g.pl();
        }
        this.flat = g.flat();
        this.evenRuns = !flat && g.sw() == 2 && g.ow() >= L;
    }

    @Override
    public void pack(int j, int cols, int p0, int kc, float[] bp, int o) {
        int nr = 2 * L, h = g.h(), w = g.w(), hw = h * w;
        Scratch s = SCRATCH.get();
        if (s.ys.length < nr) {
            s.ys = new int[nr];
            s.xs = new int[nr];
        }
        if (s.masks.length < 2 * taps) {
            s.masks = new long[2 * taps];
            s.index = new int[2 * taps * L];
            s.runs = new int[4 * taps];
        }
        if (s.rowIn.length < 2 * g.kh() || s.colIn.length < 2 * g.kw()) {
            s.rowIn = new long[2 * g.kh()];
            s.colIn = new long[2 * g.kw()];
        }
        int[] ys = s.ys, xs = s.xs, index = s.index, runs = s.runs;
        long[] masks = s.masks;
        for (int q = 0; q < nr; q++) { // the input position of the kernel's origin for each output position of the strip
            int col = j + q;
            ys[q] = q < cols ? col / g.ow() * g.sh() - g.pt() : Integer.MIN_VALUE / 2;
            xs[q] = q < cols ? col % g.ow() * g.sw() - g.pl() : Integer.MIN_VALUE / 2;
        }
        // a tap's lanes inside the image: those whose row is inside (per kernel row) and whose column is (per column)
        long[] rowIn = s.rowIn, colIn = s.colIn;
        for (int half = 0; half < 2; half++) {
            for (int i = 0; i < g.kh(); i++) rowIn[2 * i + half] = lanesWithin(ys, half * L, i * g.dh(), h);
            for (int jj = 0; jj < g.kw(); jj++) colIn[2 * jj + half] = lanesWithin(xs, half * L, jj * g.dw(), w);
        }
        for (int i = 0, t = 0; i < g.kh(); i++) {
            for (int jj = 0; jj < g.kw(); jj++, t++) {
                for (int half = 0; half < 2; half++) masks[2 * t + half] = rowIn[2 * i + half] & colIn[2 * jj + half];
            }
        }
        if (!flat && !evenRuns) {
            for (int t = 0; t < taps; t++) gatherIndex(ys, xs, t, 0, index);
            for (int t = 0; t < taps; t++) gatherIndex(ys, xs, t, 1, index);
        }
        // Stride 2: the lanes of a half strip in grid row A, then (from lane split) in row B; lane l of run A reads
        // plane + runs[·] + 2l, of run B plane + runs[· + 1] + 2l (the split lane's index shifted back by 2·split).
        long[] second = s.second;
        if (evenRuns) {
            for (int half = 0; half < 2; half++) {
                int q0 = half * L, split = L;
                for (int l = 1; l < L && q0 + l < cols; l++) {
                    if (ys[q0 + l] != ys[q0]) {
                        split = l;
                        break;
                    }
                }
                second[half] = split == L ? 0 : FULL & -(1L << split);
                for (int t = 0; t < taps; t++) {
                    runs[2 * (2 * t + half)] = (ys[q0] + tapRow[t]) * w + xs[q0] + tapCol[t];
                    runs[2 * (2 * t + half) + 1] = split == L ? 0 : (ys[q0 + split] + tapRow[t]) * w + xs[q0 + split] + tapCol[t] - 2 * split;
                }
            }
        }
        int ci = p0 / taps, t = p0 % taps;
        for (int r = 0; r < kc; r++) {
            int plane = imgOff + ci * hw, dst = o + r * nr;
            for (int half = 0; half < 2; half++) {
                long bits = masks[2 * t + half];
                int d = dst + half * L;
                // each case stores its own vector: a vector merged from several branches would be boxed on the heap
                if (bits == 0) {
                    FloatVector.zero(F).intoArray(bp, d);
                } else if (flat) { // lane l reads plane + (j + half·L + l) + the tap's flat shift
                    int at = plane + j + half * L + flatShift[t];
                    if (at < 0 || at + L > img.length) FloatVector.fromArray(F, img, at, VectorMask.fromLong(F, bits)).intoArray(bp, d);
                    else if (bits == FULL) FloatVector.fromArray(F, img, at).intoArray(bp, d);
                    else FloatVector.zero(F).blend(FloatVector.fromArray(F, img, at), VectorMask.fromLong(F, bits)).intoArray(bp, d);
                } else if (!evenRuns || !evenRuns(plane, runs, 2 * (2 * t + half), second[half], bits, bp, d)) {
                    if (evenRuns) gatherIndex(ys, xs, t, half, index); // an edge of the array: gathered after all
                    FloatVector.fromArray(F, img, plane, index, (2 * t + half) * L, VectorMask.fromLong(F, bits)).intoArray(bp, d);
                }
            }
            if (++t == taps) {
                t = 0;
                ci++;
            }
        }
    }

    /** Bits of the lanes l of a half strip (from lane q0) with {@code 0 ≤ origin[q0 + l] + shift < size}. */
    private static long lanesWithin(int[] origin, int q0, int shift, int size) {
        long bits = 0;
        for (int l = 0; l < L; l++) {
            int at = origin[q0 + l] + shift;
            if (at >= 0 && at < size) bits |= 1L << l;
        }
        return bits;
    }

    /** The gather's lane indices of tap t in one half strip, relative to the channel's plane (0 outside the image). */
    private void gatherIndex(int[] ys, int[] xs, int t, int half, int[] index) {
        int h = g.h(), w = g.w();
        for (int l = 0; l < L; l++) {
            int iy = ys[half * L + l] + tapRow[t], ix = xs[half * L + l] + tapCol[t];
            index[(2 * t + half) * L + l] = iy >= 0 && iy < h && ix >= 0 && ix < w ? iy * w + ix : 0;
        }
    }

    /**
     * The half strip from its stride-2 runs (see {@link #pack}) into {@code bp[d ...]}: run A's even lanes, run B's
     * where {@code second} is set, zero outside {@code valid}; false (nothing written) when a run's two vectors would
     * leave the array (the caller gathers).
     */
    private boolean evenRuns(int plane, int[] runs, int at, long second, long valid, float[] bp, int d) {
        int a = plane + runs[at], b = plane + runs[at + 1];
        if (a < 0 || a + 2 * L > img.length || second != 0 && (b < 0 || b + 2 * L > img.length)) return false;
        FloatVector v = FloatVector.fromArray(F, img, a).rearrange(EVEN, FloatVector.fromArray(F, img, a + L));
        if (second != 0) {
            v = v.blend(FloatVector.fromArray(F, img, b).rearrange(EVEN, FloatVector.fromArray(F, img, b + L)), VectorMask.fromLong(F, second));
        }
        FloatVector.zero(F).blend(v, VectorMask.fromLong(F, valid)).intoArray(bp, d);
        return true;
    }
}
