package dev.lamina.io;

import java.util.Arrays;

/**
 * A dense array read from (or to be written to) a NumPy {@code .npy} file, decoupled from the tensor
 * classes.
 *
 * @param dtype the original NumPy type descriptor, e.g. {@code "<f4"}, {@code "<i8"}, {@code "|b1"}
 * @param shape the shape in C (row-major) order; empty for a 0-d array (which holds one element)
 * @param data  the elements in C order, converted to float32 (integers above 2^24 lose precision;
 *              booleans become 0/1)
 */
public record NpyArray(String dtype, int[] shape, float[] data) {

    public NpyArray {
        if (dtype == null || shape == null || data == null) {
            throw new NullPointerException("dtype, shape and data must not be null");
        }
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has too many elements");
            }
        }
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " elements but data has " + data.length);
        }
        shape = shape.clone();
    }

    /** Number of elements: the product of the shape (1 for a 0-d array). */
    public int size() {
        return data.length;
    }

    /** Number of dimensions (0 for a scalar). */
    public int rank() {
        return shape.length;
    }

    /** A copy of the shape (the accessor returns the internal array; do not modify it). */
    public int[] shapeCopy() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray other
                && dtype.equals(other.dtype)
                && Arrays.equals(shape, other.shape)
                && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        String values = data.length <= 8
                ? Arrays.toString(data)
                : Arrays.toString(Arrays.copyOf(data, 8)).replace("]", ", ...]");
        return "NpyArray[dtype=" + dtype + ", shape=" + Arrays.toString(shape) + ", data=" + values + "]";
    }
}
