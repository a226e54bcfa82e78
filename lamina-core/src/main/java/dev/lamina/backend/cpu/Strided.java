package dev.lamina.backend.cpu;

/**
 * Copies between strided views and row-major runs, a row (last dimension) at a time, for every storage type
 * ({@code float[]}, {@code long[]}, {@code boolean[]}): contiguous rows by {@link System#arraycopy}, strided rows by a
 * loop over the row.
 */
final class Strided {
    private Strided() {}

    /** Copies the view (src, srcOffset, shape, strides) into dst from dstOffset, row-major. */
    static void copy(Object src, int srcOffset, int[] shape, int[] strides, Object dst, int dstOffset) {
        rows(src, srcOffset, shape, strides, dst, dstOffset, true);
    }

    /** Writes the row-major run src from srcOffset into the view (dst, dstOffset, shape, strides). */
    static void scatter(Object src, int srcOffset, Object dst, int dstOffset, int[] shape, int[] strides) {
        rows(dst, dstOffset, shape, strides, src, srcOffset, false);
    }

    /** Moves every row between the view and the run: into the run when {@code toRun}, else into the view. */
    private static void rows(Object view, int viewOffset, int[] shape, int[] strides, Object run, int runOffset, boolean toRun) {
        int n = 1;
        for (int s : shape) n *= s;
        if (n == 0) return;
        int rank = shape.length;
        if (rank == 0) {
            if (toRun) System.arraycopy(view, viewOffset, run, runOffset, 1);
            else System.arraycopy(run, runOffset, view, viewOffset, 1);
            return;
        }
        int last = shape[rank - 1], lastStride = strides[rank - 1];
        int[] coord = new int[rank - 1];
        for (int i = runOffset, end = runOffset + n; i < end; i += last) {
            int p = viewOffset;
            for (int d = 0; d < rank - 1; d++) p += coord[d] * strides[d];
            if (lastStride == 1) {
                if (toRun) System.arraycopy(view, p, run, i, last);
                else System.arraycopy(run, i, view, p, last);
            } else {
                stridedRow(view, p, lastStride, run, i, last, toRun);
            }
            for (int d = rank - 2; d >= 0; d--) {
                if (++coord[d] < shape[d]) break;
                coord[d] = 0;
            }
        }
    }

    /** One row of {@code len} elements, {@code stride} apart in the view, consecutive in the run. */
    private static void stridedRow(Object view, int p, int stride, Object run, int i, int len, boolean toRun) {
        switch (view) {
            case float[] v -> {
                float[] r = (float[]) run;
                if (toRun) for (int j = 0; j < len; j++) r[i + j] = v[p + j * stride];
                else for (int j = 0; j < len; j++) v[p + j * stride] = r[i + j];
            }
            case long[] v -> {
                long[] r = (long[]) run;
                if (toRun) for (int j = 0; j < len; j++) r[i + j] = v[p + j * stride];
                else for (int j = 0; j < len; j++) v[p + j * stride] = r[i + j];
            }
            case boolean[] v -> {
                boolean[] r = (boolean[]) run;
                if (toRun) for (int j = 0; j < len; j++) r[i + j] = v[p + j * stride];
                else for (int j = 0; j < len; j++) v[p + j * stride] = r[i + j];
            }
            default -> throw new IllegalArgumentException("strided copy of a " + view.getClass().getSimpleName());
        }
    }
}
