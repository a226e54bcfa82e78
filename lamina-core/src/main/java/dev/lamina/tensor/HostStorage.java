package dev.lamina.tensor;

import java.util.Objects;

/**
 * Storage in the JVM heap: one {@code float[]} ({@link DType#F32}), {@code long[]} ({@link DType#I64}) or
 * {@code boolean[]} ({@link DType#BOOL}), on {@link Device#CPU}. The array is reached only through
 * {@link Tensor#storage()}, {@link Tensor#longStorage()} and {@link Tensor#booleanStorage()}, which only kernels and
 * {@code io} may call (an ArchUnit rule checks it).
 */
public final class HostStorage implements Storage {
    final float[] floats;
    final long[] longs;
    final boolean[] booleans;
    private final DType dtype;

    private HostStorage(DType dtype, float[] floats, long[] longs, boolean[] booleans) {
        this.dtype = dtype;
        this.floats = floats;
        this.longs = longs;
        this.booleans = booleans;
    }

    static HostStorage of(float[] values) {
        return new HostStorage(DType.F32, Objects.requireNonNull(values), null, null);
    }

    static HostStorage of(long[] values) {
        return new HostStorage(DType.I64, null, Objects.requireNonNull(values), null);
    }

    static HostStorage of(boolean[] values) {
        return new HostStorage(DType.BOOL, null, null, Objects.requireNonNull(values));
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int length() {
        return switch (dtype) {
            case F32 -> floats.length;
            case I64 -> longs.length;
            case BOOL -> booleans.length;
        };
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public HostStorage toHost() {
        return this;
    }

    /** The array itself: what tensors sharing this storage have in common. */
    Object array() {
        return switch (dtype) {
            case F32 -> floats;
            case I64 -> longs;
            case BOOL -> booleans;
        };
    }

    @Override
    public String toString() {
        return "HostStorage(" + dtype + ", " + length() + " elements)";
    }
}
