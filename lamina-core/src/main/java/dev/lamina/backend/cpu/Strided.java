package dev.lamina.backend.cpu;

/** Copies between strided views and row-major runs, a row (last dimension) at a time. */
final class Strided {
    private Strided() {}

    /** Copies the view (src, srcOffset, shape, strides) into dst from dstOffset, row-major. */
    static void copy(float[] src, int srcOffset, int[] shape, int[] strides, float[] dst, int dstOffset) {
        int n = 1;
        for (int s : shape) n *= s;
        if (n == 0) return;
        int rank = shape.length;
        if (rank == 0) {
            dst[dstOffset] = src[srcOffset];
            return;
        }
        int last = shape[rank - 1], lastStride = strides[rank - 1];
        int rows = n / last;
        int[] coord = new int[rank - 1];
        int o = dstOffset;
        for (int r = 0; r < rows; r++) {
            int p = srcOffset;
            for (int d = 0; d < rank - 1; d++) p += coord[d] * strides[d];
            if (lastStride == 1) {
                System.arraycopy(src, p, dst, o, last);
            } else {
                for (int j = 0; j < last; j++) dst[o + j] = src[p + j * lastStride];
            }
            o += last;
            for (int d = rank - 2; d >= 0; d--) {
                if (++coord[d] < shape[d]) break;
                coord[d] = 0;
            }
        }
    }

    /** Writes the row-major run src from srcOffset into the view (dst, dstOffset, shape, strides). */
    static void scatter(float[] src, int srcOffset, float[] dst, int dstOffset, int[] shape, int[] strides) {
        int n = 1;
        for (int s : shape) n *= s;
        if (n == 0) return;
        int rank = shape.length;
        if (rank == 0) {
            dst[dstOffset] = src[srcOffset];
            return;
        }
        int last = shape[rank - 1], lastStride = strides[rank - 1];
        int[] coord = new int[rank - 1];
        for (int i = srcOffset, end = srcOffset + n; i < end; i += last) {
            int p = dstOffset;
            for (int d = 0; d < rank - 1; d++) p += coord[d] * strides[d];
            if (lastStride == 1) {
                System.arraycopy(src, i, dst, p, last);
            } else {
                for (int j = 0; j < last; j++) dst[p + j * lastStride] = src[i + j];
            }
            for (int d = rank - 2; d >= 0; d--) {
                if (++coord[d] < shape[d]) break;
                coord[d] = 0;
            }
        }
    }

    /**
     * {@link #copy} for any primitive array type (the I64 and BOOL storages): rows by {@link System#arraycopy}, strided
     * rows element by element.
     */
    static void copyAny(Object src, int srcOffset, int[] shape, int[] strides, Object dst, int dstOffset) {
        int n = 1;
        for (int s : shape) n *= s;
        if (n == 0) return;
        int rank = shape.length;
        if (rank == 0) {
            System.arraycopy(src, srcOffset, dst, dstOffset, 1);
            return;
        }
        int last = shape[rank - 1], lastStride = strides[rank - 1];
        int rows = n / last;
        int[] coord = new int[rank - 1];
        int o = dstOffset;
        for (int r = 0; r < rows; r++) {
            int p = srcOffset;
            for (int d = 0; d < rank - 1; d++) p += coord[d] * strides[d];
            if (lastStride == 1) {
                System.arraycopy(src, p, dst, o, last);
            } else {
                for (int j = 0; j < last; j++) System.arraycopy(src, p + j * lastStride, dst, o + j, 1);
            }
            o += last;
            for (int d = rank - 2; d >= 0; d--) {
                if (++coord[d] < shape[d]) break;
                coord[d] = 0;
            }
        }
    }

    /** {@link #scatter} for any primitive array type. */
    static void scatterAny(Object src, int srcOffset, Object dst, int dstOffset, int[] shape, int[] strides) {
        int n = 1;
        for (int s : shape) n *= s;
        if (n == 0) return;
        int rank = shape.length;
        if (rank == 0) {
            System.arraycopy(src, srcOffset, dst, dstOffset, 1);
            return;
        }
        int last = shape[rank - 1], lastStride = strides[rank - 1];
        int[] coord = new int[rank - 1];
        for (int i = srcOffset, end = srcOffset + n; i < end; i += last) {
            int p = dstOffset;
            for (int d = 0; d < rank - 1; d++) p += coord[d] * strides[d];
            if (lastStride == 1) {
                System.arraycopy(src, i, dst, p, last);
            } else {
                for (int j = 0; j < last; j++) System.arraycopy(src, i + j, dst, p + j * lastStride, 1);
            }
            for (int d = rank - 2; d >= 0; d--) {
                if (++coord[d] < shape[d]) break;
                coord[d] = 0;
            }
        }
    }
}
