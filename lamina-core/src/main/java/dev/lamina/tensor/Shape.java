package dev.lamina.tensor;

import java.util.Arrays;

/** Static helpers for shapes and strides. Shapes are {@code int[]}, row-major, rank 0 = scalar. */
public final class Shape {
    private Shape() {}

    /** Number of elements of a shape; rejects negative dimensions and overflow. */
    public static int size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + str(shape));
            n *= d;
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + str(shape) + " has more than 2^31-1 elements");
        }
        return (int) n;
    }

    /** Row-major (C-order) strides of a contiguous tensor of this shape. */
    public static int[] contiguousStrides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(shape[i], 1);
        }
        return s;
    }

    /** "[2, 3, 4]" */
    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    /** Normalises a possibly negative axis against a rank; {@code op} names the caller in errors. */
    public static int axis(String op, int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException(op + ": dimension " + axis + " out of range for a tensor of rank " + rank);
        }
        return a;
    }

    /**
     * True if {@code small}, without its leading 1s, equals the trailing dimensions of {@code full}: a row that
     * broadcasts over {@code full} by repeating.
     */
    public static boolean isTrailing(int[] small, int[] full) {
        int lead = 0;
        while (lead < small.length && small[lead] == 1) lead++;
        int k = small.length - lead;
        if (k > full.length) return false;
        for (int i = 0; i < k; i++) {
            if (small[lead + i] != full[full.length - k + i]) return false;
        }
        return true;
    }

    /** NumPy/PyTorch broadcasting of two shapes; the error names the op and both shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new ShapeException(op + ": shapes " + str(a) + " and " + str(b) + " cannot be broadcast together (dimension " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Strides that read a tensor of shape {@code shape}/{@code strides} as if broadcast to {@code target}. */
    public static int[] broadcastStrides(int[] shape, int[] strides, int[] target) {
        int[] out = new int[target.length];
        int lead = target.length - shape.length;
        for (int i = 0; i < shape.length; i++) {
            out[lead + i] = shape[i] == 1 && target[lead + i] != 1 ? 0 : strides[i];
        }
        return out;
    }

    /** The product of the dimensions before {@code axis}: how many [axis, after] blocks a row-major tensor holds. */
    public static int outer(int[] shape, int axis) {
        int outer = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        return outer;
    }

    /** The product of the dimensions after {@code axis}: the distance between consecutive entries along it. */
    public static int inner(int[] shape, int axis) {
        int inner = 1;
        for (int d = axis + 1; d < shape.length; d++) inner *= shape[d];
        return inner;
    }

    /**
     * PyTorch's gather addressing: for each element p (row-major) of an index tensor of shape {@code indexShape}, the
     * storage position (from offset 0, with {@code strides}) of the source element whose coordinates are p's with
     * coordinate {@code axis} replaced by {@code index[p]}.
     */
    public static int[] gatherPositions(int[] strides, int axis, int[] index, int[] indexShape) {
        int[] pos = new int[index.length];
        int[] coord = new int[indexShape.length];
        for (int p = 0; p < index.length; p++) {
            int at = 0;
            for (int d = 0; d < coord.length; d++) at += (d == axis ? index[p] : coord[d]) * strides[d];
            pos[p] = at;
            for (int d = coord.length - 1; d >= 0; d--) {
                if (++coord[d] < indexShape[d]) break;
                coord[d] = 0;
            }
        }
        return pos;
    }
}
