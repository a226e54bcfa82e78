package dev.lamina.io;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Reader and writer for the NumPy {@code .npy} format (versions 1.0, 2.0 and 3.0), without dependencies.
 *
 * <p>Reading accepts the numeric descriptors {@code f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8} in little ({@code <})
 * or big ({@code >}) endian order ({@code |} for one-byte types) and {@code |b1}; all values are converted to
 * float32 (see {@link NpyArray}). Fortran-ordered arrays, structured/object dtypes and malformed files are
 * rejected with an {@link IOException} whose message starts with the source name. Sizes are validated before
 * anything of the claimed size is allocated, so a corrupt header cannot trigger a huge allocation.
 *
 * <p>Writing produces a version 1.0 C-ordered file of {@code '<f4'} (float values), {@code '<i8'} (long values) or
 * {@code '|b1'} (boolean values), laid out exactly like {@code numpy.save} does (header padded with spaces and a final {@code '\n'} so the data starts at a multiple
 * of 64 bytes).
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Header-length cap; numpy itself refuses headers over 10000 bytes by default. */
    private static final int MAX_HEADER_LEN = 1 << 20;
    private static final int ARRAY_ALIGN = 64;
    /** numpy leaves room for growing the first axis to 21 digits in place. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    private static final int CHUNK = 1 << 16;

    private Npy() {
    }

    // ------------------------------------------------------------------------------------------------ reading

    /** Reads a {@code .npy} file. */
    public static NpyArray read(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        String name = path.toString();
        long fileSize = Files.size(path);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), CHUNK)) {
            return read(in, name, fileSize);
        }
    }

    /**
     * Reads one array from a stream positioned at the start of the {@code .npy} data. Exactly the array's
     * bytes are consumed; the stream is not closed.
     *
     * @param sourceName used in error messages (e.g. the file or resource name)
     */
    public static NpyArray read(InputStream in, String sourceName) throws IOException {
        Objects.requireNonNull(in, "in");
        return read(in, sourceName == null ? "<stream>" : sourceName, -1);
    }

    private static NpyArray read(InputStream in, String src, long totalSize) throws IOException {
        byte[] magic = readHeaderBytes(in, src, 8, "magic string and version");
        for (int i = 0; i < MAGIC.length; i++) {
            if (magic[i] != MAGIC[i]) {
                throw new IOException(src + ": not a .npy file (bad magic string)");
            }
        }
        int major = magic[6] & 0xFF;
        int minor = magic[7] & 0xFF;
        if (minor != 0 || major < 1 || major > 3) {
            throw new IOException(src + ": unsupported .npy format version " + major + "." + minor
                    + " (supported: 1.0, 2.0, 3.0)");
        }
        long headerLen;
        int prefixLen;
        if (major == 1) {
            byte[] b = readHeaderBytes(in, src, 2, "header length");
            headerLen = (b[0] & 0xFF) | (b[1] & 0xFF) << 8;
            prefixLen = 10;
        } else {
            byte[] b = readHeaderBytes(in, src, 4, "header length");
            headerLen = (b[0] & 0xFFL) | (b[1] & 0xFFL) << 8 | (b[2] & 0xFFL) << 16 | (b[3] & 0xFFL) << 24;
            prefixLen = 12;
        }
        if (headerLen > MAX_HEADER_LEN) {
            throw new IOException(src + ": header length " + headerLen + " exceeds the limit of " + MAX_HEADER_LEN);
        }
        if (totalSize >= 0 && prefixLen + headerLen > totalSize) {
            throw new IOException(src + ": truncated header (header length " + headerLen + " but the file has only "
                    + (totalSize - prefixLen) + " bytes after the prefix)");
        }
        byte[] hb = readHeaderBytes(in, src, (int) headerLen, "header of " + headerLen + " bytes");
        String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);

        Header h = parseHeader(header, src);
        Dtype dt = Dtype.parse(h.descr, src);
        if (h.fortranOrder) {
            throw new IOException(src + ": fortran_order True is not supported (save the array in C order)");
        }
        int n = 1;
        for (int d : h.shape) {
            n *= d; // cannot overflow: parseHeader checked the product against Integer.MAX_VALUE
        }
        long nbytes = (long) n * dt.size;
        if (totalSize >= 0) {
            long available = totalSize - prefixLen - headerLen;
            if (available < nbytes) {
                throw new IOException(src + ": truncated data: header claims shape " + Arrays.toString(h.shape)
                        + " of " + h.descr + " (" + nbytes + " bytes) but only " + available + " bytes follow the header");
            }
        }
        float[] data = readData(in, src, dt, n, nbytes, h);
        return new NpyArray(h.descr, h.shape, data);
    }

    private static byte[] readHeaderBytes(InputStream in, String src, int len, String what) throws IOException {
        byte[] b = in.readNBytes(len);
        if (b.length < len) {
            if (what.startsWith("magic") && b.length < MAGIC.length) {
                throw new IOException(src + ": not a .npy file (bad magic string; only " + b.length + " bytes)");
            }
            throw new IOException(src + ": truncated header (end of data while reading the " + what + ")");
        }
        return b;
    }

    /**
     * Reads {@code n} elements chunk by chunk. The float array grows with the data actually received
     * (doubling, capped at n), so a stream much shorter than its header claims fails with a truncation error
     * instead of first allocating the claimed size.
     */
    private static float[] readData(InputStream in, String src, Dtype dt, int n, long nbytes, Header h)
            throws IOException {
        float[] out = new float[Math.min(n, CHUNK)];
        byte[] buf = new byte[(int) Math.min(Math.max(nbytes, 0), (CHUNK / dt.size) * (long) dt.size)];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(dt.order);
        int done = 0;
        while (done < n) {
            int count = Math.min(n - done, buf.length / dt.size);
            int len = count * dt.size;
            int got = in.readNBytes(buf, 0, len);
            if (got < len) {
                long have = (long) done * dt.size + got;
                throw new IOException(src + ": truncated data: header claims shape " + Arrays.toString(h.shape)
                        + " of " + h.descr + " (" + nbytes + " bytes) but the data ends after " + have + " bytes");
            }
            if (done + count > out.length) {
                out = Arrays.copyOf(out, (int) Math.min(n, Math.max(done + count, 2L * out.length)));
            }
            dt.decode(bb, count, out, done);
            done += count;
        }
        return out.length == n ? out : Arrays.copyOf(out, n);
    }

    // ------------------------------------------------------------------------------------------------ dtypes

    private record Dtype(char kind, int size, ByteOrder order) {

        static Dtype parse(String descr, String src) throws IOException {
            if (descr.length() < 3) {
                throw unsupported(descr, src);
            }
            char bo = descr.charAt(0);
            char kind = descr.charAt(1);
            int size;
            try {
                size = Integer.parseInt(descr.substring(2));
            } catch (NumberFormatException e) {
                throw unsupported(descr, src);
            }
            boolean ok = switch (kind) {
                case 'f' -> size == 2 || size == 4 || size == 8;
                case 'i', 'u' -> size == 1 || size == 2 || size == 4 || size == 8;
                case 'b' -> size == 1;
                default -> false;
            };
            if (!ok) {
                throw unsupported(descr, src);
            }
            ByteOrder order;
            if (bo == '<') {
                order = ByteOrder.LITTLE_ENDIAN;
            } else if (bo == '>') {
                order = ByteOrder.BIG_ENDIAN;
            } else if (bo == '|' && size == 1) {
                order = ByteOrder.LITTLE_ENDIAN;
            } else {
                throw unsupported(descr, src);
            }
            return new Dtype(kind, size, order);
        }

        private static IOException unsupported(String descr, String src) {
            return new IOException(src + ": unsupported dtype '" + descr + "' (supported: <f4 <f8 <f2 <i8 <i4 <i2 "
                    + "|i1 |u1 <u2 <u4 <u8 |b1, little- or big-endian)");
        }

        /** Decodes {@code count} elements from the start of {@code bb} into {@code out[off..]}. */
        void decode(ByteBuffer bb, int count, float[] out, int off) {
            bb.clear();
            switch (kind) {
                case 'f' -> {
                    switch (size) {
                        case 2 -> { for (int i = 0; i < count; i++) out[off + i] = Float.float16ToFloat(bb.getShort()); }
                        case 4 -> { for (int i = 0; i < count; i++) out[off + i] = bb.getFloat(); }
                        default -> { for (int i = 0; i < count; i++) out[off + i] = (float) bb.getDouble(); }
                    }
                }
                case 'i' -> {
                    switch (size) {
                        case 1 -> { for (int i = 0; i < count; i++) out[off + i] = bb.get(); }
                        case 2 -> { for (int i = 0; i < count; i++) out[off + i] = bb.getShort(); }
                        case 4 -> { for (int i = 0; i < count; i++) out[off + i] = bb.getInt(); }
                        default -> { for (int i = 0; i < count; i++) out[off + i] = bb.getLong(); }
                    }
                }
                case 'u' -> {
                    switch (size) {
                        case 1 -> { for (int i = 0; i < count; i++) out[off + i] = bb.get() & 0xFF; }
                        case 2 -> { for (int i = 0; i < count; i++) out[off + i] = bb.getShort() & 0xFFFF; }
                        case 4 -> { for (int i = 0; i < count; i++) out[off + i] = bb.getInt() & 0xFFFFFFFFL; }
                        default -> {
                            for (int i = 0; i < count; i++) {
                                long v = bb.getLong();
                                out[off + i] = v >= 0 ? (float) v : (float) ((v >>> 1) | (v & 1)) * 2f;
                            }
                        }
                    }
                }
                default -> { for (int i = 0; i < count; i++) out[off + i] = bb.get() != 0 ? 1f : 0f; }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ header

    private record Header(String descr, boolean fortranOrder, int[] shape) {
    }

    /** Parses the Python dict literal {'descr': str, 'fortran_order': bool, 'shape': tuple-of-ints}. */
    static Header parseHeader(String text, String src) throws IOException {
        DictParser p = new DictParser(text, src);
        Map<String, Object> d = p.parse();
        for (String k : d.keySet()) {
            if (!k.equals("descr") && !k.equals("fortran_order") && !k.equals("shape")) {
                throw p.error("unexpected key '" + k + "'");
            }
        }
        Object descr = d.get("descr");
        Object fortran = d.get("fortran_order");
        Object shape = d.get("shape");
        if (descr == null || fortran == null || shape == null) {
            throw p.error("missing key(s); need 'descr', 'fortran_order' and 'shape', got " + d.keySet());
        }
        if (descr instanceof DictParser.Structured) {
            throw new IOException(src + ": unsupported dtype (structured dtype " + ((DictParser.Structured) descr).text
                    + "); only plain numeric/bool dtypes are supported");
        }
        if (!(descr instanceof String s)) {
            throw p.error("'descr' must be a string");
        }
        if (!(fortran instanceof Boolean f)) {
            throw p.error("'fortran_order' must be True or False");
        }
        if (!(shape instanceof long[] dims)) {
            throw p.error("'shape' must be a tuple of integers");
        }
        int[] ishape = new int[dims.length];
        long n = 1;
        for (int i = 0; i < dims.length; i++) {
            long v = dims[i];
            if (v < 0) {
                throw new IOException(src + ": invalid shape " + Arrays.toString(dims) + " (negative dimension)");
            }
            if (v > Integer.MAX_VALUE) {
                throw new IOException(src + ": invalid shape " + Arrays.toString(dims) + " (dimension " + v
                        + " exceeds Integer.MAX_VALUE)");
            }
            ishape[i] = (int) v;
            n *= v;
            if (n > Integer.MAX_VALUE) {
                throw new IOException(src + ": shape " + Arrays.toString(dims) + " has more than Integer.MAX_VALUE ("
                        + Integer.MAX_VALUE + ") elements");
            }
        }
        return new Header(s, f, ishape);
    }

    /** A minimal parser for the subset of Python literals that appear in .npy headers. */
    private static final class DictParser {
        record Structured(String text) {
        }

        private final String s;
        private final String src;
        private int pos;

        DictParser(String s, String src) {
            this.s = s;
            this.src = src;
        }

        IOException error(String what) {
            String shown = s.strip();
            if (shown.length() > 200) {
                shown = shown.substring(0, 200) + "...";
            }
            return new IOException(src + ": malformed header dict: " + what + " in \"" + shown + "\"");
        }

        Map<String, Object> parse() throws IOException {
            Map<String, Object> out = new LinkedHashMap<>();
            skipWs();
            expect('{');
            skipWs();
            while (peek() != '}') {
                String key = parseString();
                skipWs();
                expect(':');
                skipWs();
                Object value = parseValue();
                if (out.put(key, value) != null) {
                    throw error("duplicate key '" + key + "'");
                }
                skipWs();
                if (peek() == ',') {
                    pos++;
                    skipWs();
                } else if (peek() != '}') {
                    throw error("expected ',' or '}' at offset " + pos);
                }
            }
            pos++;
            skipWs();
            if (pos != s.length()) {
                throw error("unexpected text after the closing '}' at offset " + pos);
            }
            return out;
        }

        private Object parseValue() throws IOException {
            char c = peek();
            if (c == '\'' || c == '"') {
                return parseString();
            }
            if (c == '(') {
                return parseTuple();
            }
            if (c == '[') {
                int start = pos;
                int depth = 0;
                do {
                    char x = peek();
                    if (x == '[') {
                        depth++;
                    } else if (x == ']') {
                        depth--;
                    }
                    pos++;
                } while (depth > 0);
                return new Structured(s.substring(start, pos));
            }
            if (s.startsWith("True", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            throw error("unexpected value at offset " + pos);
        }

        private long[] parseTuple() throws IOException {
            expect('(');
            skipWs();
            long[] dims = new long[4];
            int n = 0;
            boolean trailingComma = false;
            while (peek() != ')') {
                if (n == dims.length) {
                    dims = Arrays.copyOf(dims, n * 2);
                }
                dims[n++] = parseInt();
                skipWs();
                trailingComma = false;
                if (peek() == ',') {
                    pos++;
                    trailingComma = true;
                    skipWs();
                } else if (peek() != ')') {
                    throw error("expected ',' or ')' in shape at offset " + pos);
                }
            }
            pos++;
            if (n == 1 && !trailingComma) {
                throw error("'shape' must be a tuple of integers (a 1-tuple needs a trailing comma)");
            }
            return Arrays.copyOf(dims, n);
        }

        private long parseInt() throws IOException {
            int start = pos;
            if (peek() == '-' || peek() == '+') {
                pos++;
            }
            int digits = pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos)) && s.charAt(pos) < 128) {
                pos++;
            }
            if (pos == digits) {
                throw error("expected an integer in shape at offset " + start);
            }
            String num = s.substring(start, pos);
            if (pos < s.length() && (s.charAt(pos) == 'L' || s.charAt(pos) == 'l')) {
                pos++; // Python 2 long suffix, written by old numpy versions
            }
            try {
                return Long.parseLong(num);
            } catch (NumberFormatException e) {
                // too many digits for a long: certainly an overflowing dimension
                throw new IOException(src + ": invalid shape (dimension " + num + " overflows)");
            }
        }

        private String parseString() throws IOException {
            char q = peek();
            if (q != '\'' && q != '"') {
                throw error("expected a quoted string at offset " + pos);
            }
            pos++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(pos++);
                if (c == q) {
                    return sb.toString();
                }
                if (c == '\\') {
                    if (pos >= s.length()) {
                        throw error("unterminated string");
                    }
                    c = s.charAt(pos++);
                }
                sb.append(c);
            }
        }

        private void expect(char c) throws IOException {
            if (peek() != c) {
                throw error("expected '" + c + "' at offset " + pos);
            }
            pos++;
        }

        private char peek() throws IOException {
            if (pos >= s.length()) {
                throw error("unexpected end of header");
            }
            return s.charAt(pos);
        }

        private void skipWs() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t' || s.charAt(pos) == '\n'
                    || s.charAt(pos) == '\r')) {
                pos++;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ writing

    /** Writes {@code data} with the given shape as a version 1.0 {@code '<f4'} C-ordered {@code .npy} file, atomically. */
    public static void write(Path path, int[] shape, float[] data) throws IOException {
        Objects.requireNonNull(path, "path");
        byte[] header = header(shape, data);
        AtomicFiles.writeStream(path, out -> {
            out.write(header);
            writeData(out, data);
        });
    }

    /** Writes 64-bit integers (an I64 tensor's values) as a version 1.0 {@code '<i8'} C-ordered {@code .npy} file, atomically. */
    public static void write(Path path, int[] shape, long[] data) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(data, "data");
        byte[] header = header(shape, data.length, "<i8");
        AtomicFiles.writeStream(path, out -> {
            out.write(header);
            ByteBuffer bb = ByteBuffer.allocate(Math.min(CHUNK, Math.max(8, data.length * 8))).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < data.length; ) {
                bb.clear();
                int count = Math.min(data.length - i, bb.capacity() / 8);
                for (int k = 0; k < count; k++) bb.putLong(data[i + k]);
                out.write(bb.array(), 0, count * 8);
                i += count;
            }
        });
    }

    /** Writes truth values (a BOOL tensor's values) as a version 1.0 {@code '|b1'} C-ordered {@code .npy} file, atomically. */
    public static void write(Path path, int[] shape, boolean[] data) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(data, "data");
        byte[] header = header(shape, data.length, "|b1");
        byte[] bytes = new byte[data.length];
        for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) (data[i] ? 1 : 0);
        AtomicFiles.writeStream(path, out -> {
            out.write(header);
            out.write(bytes);
        });
    }

    /** Writes an {@link NpyArray}'s shape and data as {@code '<f4'} (its original dtype is not preserved). */
    public static void write(Path path, NpyArray array) throws IOException {
        write(path, array.shape(), array.data());
    }

    /** Writes a version 1.0 {@code '<f4'} array to a stream; the stream is flushed but not closed. */
    public static void write(OutputStream out, int[] shape, float[] data) throws IOException {
        Objects.requireNonNull(out, "out");
        byte[] header = header(shape, data);
        out.write(header);
        writeData(out, data);
        out.flush();
    }

    /** Builds the magic, version, header length and padded header dict of a {@code '<f4'} array, exactly as numpy.save does. */
    static byte[] header(int[] shape, float[] data) {
        Objects.requireNonNull(data, "data");
        return header(shape, data.length, "<f4");
    }

    /** The header of an array of {@code length} elements of numpy type {@code descr}. */
    private static byte[] header(int[] shape, int length, String descr) {
        Objects.requireNonNull(shape, "shape");
        long n = 1;
        StringBuilder dims = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= shape[i];
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has too many elements");
            }
            dims.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        dims.append(shape.length == 1 ? ",)" : ")");
        if (n != length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " elements but data has " + length);
        }
        StringBuilder h = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': ")
                .append(dims).append(", }");
        if (shape.length > 0) {
            h.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length()));
        }
        int hlen = h.length() + 1; // + '\n'
        int pad = ARRAY_ALIGN - ((MAGIC.length + 2 + 2 + hlen) % ARRAY_ALIGN);
        if (pad == ARRAY_ALIGN) {
            pad = 0;
        }
        h.append(" ".repeat(pad)).append('\n');
        byte[] text = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (text.length > 0xFFFF) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too long for a v1.0 header");
        }
        ByteBuffer bb = ByteBuffer.allocate(MAGIC.length + 4 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length).put(text);
        return bb.array();
    }

    private static void writeData(OutputStream out, float[] data) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(Math.min(CHUNK, Math.max(4, data.length * 4)))
                .order(ByteOrder.LITTLE_ENDIAN);
        int i = 0;
        while (i < data.length) {
            bb.clear();
            int count = Math.min(data.length - i, bb.capacity() / 4);
            for (int k = 0; k < count; k++) {
                bb.putFloat(data[i + k]); // putFloat keeps NaN payloads (floatToRawIntBits)
            }
            out.write(bb.array(), 0, count * 4);
            i += count;
        }
    }

    /** Reads a complete in-memory .npy file (its length plays the role of the file size). */
    static NpyArray read(byte[] bytes, String sourceName) throws IOException {
        return read(new ByteArrayInputStream(bytes), sourceName, bytes.length);
    }
}
