package dev.lamina.data;

import dev.lamina.tensor.Tensor;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reader of the IDX format of MNIST and Fashion-MNIST (raw or gzipped, detected by content): a big-endian magic
 * (0x0000, a type code, the rank), the dimensions as big-endian u32, then the values. Unsigned bytes only, the
 * type those data sets use. The header's sizes are checked before anything is allocated.
 */
public final class Idx {
    private Idx() {}

    /** Largest element count accepted (2^31 - 1 floats would not fit the heap of a test JVM anyway). */
    private static final long MAX_ELEMENTS = 1L << 30;

    /** Reads the file as a float tensor of its declared shape, values 0–255. */
    public static Tensor read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("IDX file not found: " + file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            int b0 = raw.read(), b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16)) : raw;
            return read(in, file.toString());
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + ": corrupt gzip data (" + e.getMessage() + ")", e);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated or corrupt gzip file: it ends before its data does (" + e.getMessage() + ")", e);
        }
    }

    static Tensor read(InputStream stream, String name) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new IOException(name + ": truncated IDX file (no header)");
        }
        int type = (magic >>> 8) & 0xFF, rank = magic & 0xFF;
        if ((magic >>> 16) != 0 || rank == 0 || rank > 4) throw new IOException(name + ": not an IDX file (magic 0x" + Integer.toHexString(magic) + ")");
        if (type != 0x08) throw new IOException(name + ": IDX element type 0x" + Integer.toHexString(type) + " is not supported (only unsigned bytes, 0x08)");
        int[] shape = new int[rank];
        long count = 1;
        for (int d = 0; d < rank; d++) {
            try {
                long dim = Integer.toUnsignedLong(in.readInt());
                if (dim > Integer.MAX_VALUE) throw new IOException(name + ": dimension " + d + " is " + dim + ", too large");
                shape[d] = (int) dim;
                count *= dim;
            } catch (EOFException e) {
                throw new IOException(name + ": truncated IDX header");
            }
            if (count > MAX_ELEMENTS) throw new IOException(name + ": IDX header claims more than " + MAX_ELEMENTS + " elements");
        }
        byte[] bytes = new byte[(int) count];
        int read = in.readNBytes(bytes, 0, bytes.length);
        if (read < bytes.length) throw new IOException(name + ": truncated IDX data: header declares " + count + " values, file holds " + read);
        float[] values = new float[bytes.length];
        for (int i = 0; i < bytes.length; i++) values[i] = bytes[i] & 0xFF;
        return Tensor.of(values, shape);
    }
}
