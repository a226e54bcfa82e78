package dev.lamina.backend.cpu;

import dev.lamina.kernels.Gemm;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
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
 * positions of a tap are one shifted run of the plane), a gather otherwise. Vector API only ({@link Gemm#stripsApply}).
 */
final class VectorConvStrips implements Gemm.BStrips {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final long FULL = L == 64 ? -1L : (1L << L) - 1;

    /** Per-thread work arrays of one strip: lane coordinates, per tap and half strip a mask and the lane indices. */
    private static final class Scratch {
        int[] ys = new int[0], xs = new int[0], index = new int[0];
        long[] masks = new long[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final Im2col.Geometry g;
    private final float[] img;
    private final int imgOff;
    private final int taps;
    private final boolean flat;

    /** The columns of the image {@code img[imgOff ...]} ([g.c, g.h, g.w], contiguous) under geometry {@code g}. */
    VectorConvStrips(Im2col.Geometry g, float[] img, int imgOff) {
        if (Gemm.stripWidth() != 2 * L) throw new IllegalStateException("strip width " + Gemm.stripWidth() + " is not two vectors of " + L);
        this.g = g;
        this.img = img;
        this.imgOff = imgOff;
        this.taps = g.kh() * g.kw();
        this.flat = g.flat();
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
        }
        int[] ys = s.ys, xs = s.xs, index = s.index;
        long[] masks = s.masks;
        for (int q = 0; q < nr; q++) { // the input position of the kernel's origin for each output position of the strip
            int col = j + q;
            ys[q] = q < cols ? col / g.ow() * g.sh() - g.pt() : Integer.MIN_VALUE / 2;
            xs[q] = q < cols ? col % g.ow() * g.sw() - g.pl() : Integer.MIN_VALUE / 2;
        }
        for (int t = 0; t < taps; t++) {
            int dy = t / g.kw() * g.dh(), dx = t % g.kw() * g.dw();
            for (int half = 0; half < 2; half++) {
                long bits = 0;
                for (int l = 0; l < L; l++) {
                    int iy = ys[half * L + l] + dy, ix = xs[half * L + l] + dx;
                    boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                    if (inside) bits |= 1L << l;
                    index[(2 * t + half) * L + l] = inside ? iy * w + ix : 0;
                }
                masks[2 * t + half] = bits;
            }
        }
        int ci = p0 / taps, t = p0 % taps;
        for (int r = 0; r < kc; r++) {
            int plane = imgOff + ci * hw, dst = o + r * nr;
            for (int half = 0; half < 2; half++) {
                long bits = masks[2 * t + half];
                FloatVector v;
                if (bits == 0) {
                    v = FloatVector.zero(F);
                } else if (flat) { // lane l reads plane + (j + half·L + l) + the tap's flat shift
                    int at = plane + j + half * L + (t / g.kw() * g.dh() - g.pt()) * w + t % g.kw() * g.dw() - g.pl();
                    v = bits == FULL && at >= 0 && at + L <= img.length
                            ? FloatVector.fromArray(F, img, at)
                            : FloatVector.fromArray(F, img, at, VectorMask.fromLong(F, bits));
                } else {
                    v = FloatVector.fromArray(F, img, plane, index, (2 * t + half) * L, VectorMask.fromLong(F, bits));
                }
                v.intoArray(bp, dst + half * L);
            }
            if (++t == taps) {
                t = 0;
                ci++;
            }
        }
    }
}
