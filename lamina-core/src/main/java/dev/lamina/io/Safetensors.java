package dev.lamina.io;

import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Reader and writer for the <a href="https://github.com/huggingface/safetensors">safetensors</a> format, without
 * dependencies: an 8-byte little-endian u64 header length {@code N}, {@code N} bytes of UTF-8 JSON
 * {@code {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}} (possibly padded
 * with trailing spaces), then the byte buffer, with offsets relative to its start and tensors stored row-major,
 * little-endian.
 *
 * <p>Reading accepts the dtypes {@code F32 F16 BF16 F64 I64 I32 I16 I8 U8 BOOL} and converts every tensor to
 * float32 (F64 and large integers are rounded to nearest). Nothing in the header is trusted: the header length,
 * its UTF-8 and JSON (parsed strictly: duplicate keys, unknown fields, non-integer numbers and nesting deeper
 * than {@value #MAX_DEPTH} are rejected), every shape, dtype size and offset, and the layout of the buffer (the
 * ranges must tile it exactly: no overlap, no gap, no trailing bytes) are all checked against the file size
 * before any tensor is allocated. Problems are reported as an {@link IOException} whose message starts with the
 * file name.
 *
 * <p>Writing produces F32 tensors with the header padded with spaces to a multiple of 8 bytes, atomically: the
 * data goes to a temporary file in the target's directory, is forced to disk, and is renamed over the target
 * with {@link StandardCopyOption#ATOMIC_MOVE}, so a failure never leaves a half-written file at the target.
 */
public final class Safetensors {

    /** Largest header accepted when reading (the reference implementation uses the same cap). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final int MAX_DEPTH = 32;
    /** Largest element count a float[] (and so a tensor) can hold on common JVMs. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private static final int CHUNK = 1 << 16;
    private static final String METADATA = "__metadata__";

    private Safetensors() {
    }

    /**
     * What a file holds: tensors (as float32, in header order), the free-form {@code __metadata__} strings (empty
     * when absent) and each tensor's stored dtype name ({@code "F16"}, ...). All maps are unmodifiable.
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata, Map<String, String> dtypes) {
    }

    /** The dtypes that can be read; {@code size} is bytes per element. */
    private enum Dtype {
        F32(4), F16(2), BF16(2), F64(8), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

        final int size;

        Dtype(int size) {
            this.size = size;
        }
    }

    /** One validated header entry; offsets are relative to the start of the byte buffer. */
    private record Entry(String name, Dtype dtype, int[] shape, int numel, long begin, long end) {
    }

    private record Header(long headerLen, List<Entry> entries, Map<String, String> metadata) {
    }

    // ------------------------------------------------------------------------------------------------ reading

    /** The tensors of a safetensors file as float32, in header order. */
    public static Map<String, Tensor> read(Path path) throws IOException {
        return readAll(path).tensors();
    }

    /** Only the {@code __metadata__} map; the whole header is still validated, but no tensor data is read. */
    public static Map<String, String> readMetadata(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return readHeader(ch, path.toString()).metadata();
        }
    }

    /** Tensors, metadata and stored dtypes of a safetensors file. */
    public static Contents readAll(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        String src = path.toString();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            Header h = readHeader(ch, src);
            long base = 8 + h.headerLen();
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, String> dtypes = new LinkedHashMap<>();
            ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : h.entries()) {
                float[] data = new float[e.numel()];
                readData(ch, src, e, base, buf, data);
                tensors.put(e.name(), Tensor.of(data, e.shape()));
                dtypes.put(e.name(), e.dtype().name());
            }
            return new Contents(Collections.unmodifiableMap(tensors), h.metadata(), Collections.unmodifiableMap(dtypes));
        }
    }

    private static Header readHeader(FileChannel ch, String src) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 8) {
            throw new IOException(src + ": not a safetensors file (only " + fileSize + " bytes, the header length alone needs 8)");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0, src, "header length");
        long n = lenBuf.getLong(0);
        String shown = Long.toUnsignedString(n);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new IOException(src + ": header length " + shown + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (n > fileSize - 8) {
            throw new IOException(src + ": header length " + shown + " is larger than the " + (fileSize - 8)
                    + " bytes that follow it (truncated or not a safetensors file)");
        }
        if (n < 2) {
            throw new IOException(src + ": header length " + n + " is too small for a JSON object");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(ch, hb, 8, src, "header");
        hb.flip();
        if (hb.get(0) != '{') {
            throw new IOException(src + ": header does not start with '{' (not a safetensors file?)");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(hb).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(src + ": header is not valid UTF-8", e);
        }
        int start = 0;
        while (start < text.length() && " \t\n\r".indexOf(text.charAt(start)) >= 0) start++;
        if (start == text.length() || text.charAt(start) != '{') throw new IOException(src + ": invalid JSON header: the header must be a JSON object");
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) StrictJson.parse(text, src, "JSON header", MAX_DEPTH, true);
        return validate(json, src, n, fileSize - 8 - n);
    }

    private static Header validate(Map<String, Object> json, String src, long headerLen, long bufferLen) throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Object> kv : json.entrySet()) {
            String name = kv.getKey();
            if (name.equals(METADATA)) {
                if (!(kv.getValue() instanceof Map<?, ?> m)) {
                    throw new IOException(src + ": \"__metadata__\" must be an object of strings");
                }
                for (Map.Entry<?, ?> me : m.entrySet()) {
                    if (!(me.getValue() instanceof String v)) {
                        throw new IOException(src + ": \"__metadata__\" value for " + q((String) me.getKey()) + " must be a string");
                    }
                    metadata.put((String) me.getKey(), v);
                }
                continue;
            }
            entries.add(entry(name, kv.getValue(), src, bufferLen));
        }
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long pos = 0;
        Entry prev = null;
        for (Entry e : byOffset) {
            if (e.begin() < pos) {
                throw new IOException(src + ": tensor " + q(e.name()) + " data_offsets [" + e.begin() + ", " + e.end()
                        + "] overlap tensor " + q(prev.name()) + " [" + prev.begin() + ", " + prev.end() + "]");
            }
            if (e.begin() > pos) {
                throw new IOException(src + ": bytes [" + pos + ", " + e.begin() + ") of the data buffer belong to no tensor"
                        + " (gap before " + q(e.name()) + "); the buffer must be fully indexed");
            }
            pos = e.end();
            prev = e;
        }
        if (pos != bufferLen) {
            throw new IOException(src + ": the data buffer has " + bufferLen + " bytes but the tensors index only " + pos
                    + " (trailing bytes not covered by any tensor)");
        }
        return new Header(headerLen, entries, Collections.unmodifiableMap(metadata));
    }

    private static Entry entry(String name, Object value, String src, long bufferLen) throws IOException {
        String what = src + ": tensor " + q(name);
        if (!(value instanceof Map<?, ?> m)) {
            throw new IOException(what + ": expected an object with dtype, shape and data_offsets");
        }
        for (Object k : m.keySet()) {
            if (!Set.of("dtype", "shape", "data_offsets").contains(k)) {
                throw new IOException(what + ": unknown field " + q((String) k));
            }
        }
        for (String k : List.of("dtype", "shape", "data_offsets")) {
            if (!m.containsKey(k)) {
                throw new IOException(what + ": missing field \"" + k + "\"");
            }
        }
        if (!(m.get("dtype") instanceof String ds)) {
            throw new IOException(what + ": \"dtype\" must be a string");
        }
        Dtype dtype;
        try {
            dtype = Dtype.valueOf(ds);
        } catch (IllegalArgumentException e) {
            throw new IOException(what + ": unsupported dtype " + q(ds) + " (supported: " + Arrays.toString(Dtype.values()) + ")");
        }
        if (!(m.get("shape") instanceof List<?> shapeList)) {
            throw new IOException(what + ": \"shape\" must be an array of integers");
        }
        int[] shape = new int[shapeList.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(shapeList.get(i) instanceof Long d)) {
                throw new IOException(what + ": \"shape\" must be an array of integers, got " + shapeList);
            }
            if (d < 0) {
                throw new IOException(what + ": negative dimension in shape " + shapeList);
            }
            if (d > MAX_ELEMENTS || (d > 0 && numel > MAX_ELEMENTS / d)) {
                throw new IOException(what + ": shape " + shapeList + " has more than " + MAX_ELEMENTS + " elements");
            }
            numel *= d;
            shape[i] = (int) (long) d;
        }
        if (!(m.get("data_offsets") instanceof List<?> offs) || offs.size() != 2
                || !(offs.get(0) instanceof Long begin) || !(offs.get(1) instanceof Long end)) {
            throw new IOException(what + ": \"data_offsets\" must be an array of two integers");
        }
        if (begin < 0 || end < begin) {
            throw new IOException(what + ": invalid data_offsets [" + begin + ", " + end + "]");
        }
        long nbytes = numel * dtype.size;
        if (end - begin != nbytes) {
            throw new IOException(what + ": shape " + shapeList + " of " + dtype + " needs " + nbytes
                    + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        if (end > bufferLen) {
            throw new IOException(what + ": data_offsets [" + begin + ", " + end + "] go beyond the end of the "
                    + bufferLen + "-byte data buffer");
        }
        return new Entry(name, dtype, shape, (int) numel, begin, end);
    }

    private static void readData(FileChannel ch, String src, Entry e, long base, ByteBuffer buf, float[] out) throws IOException {
        int perChunk = CHUNK / e.dtype().size;
        int done = 0;
        while (done < out.length) {
            int count = Math.min(out.length - done, perChunk);
            buf.clear().limit(count * e.dtype().size);
            readFully(ch, buf, base + e.begin() + (long) done * e.dtype().size, src, "data of tensor " + q(e.name()));
            buf.flip();
            for (int i = 0; i < count; i++) {
                out[done + i] = switch (e.dtype()) {
                    case F32 -> buf.getFloat();
                    case F16 -> Float.float16ToFloat(buf.getShort());
                    case BF16 -> Float.intBitsToFloat((buf.getShort() & 0xFFFF) << 16);
                    case F64 -> (float) buf.getDouble();
                    case I64 -> (float) buf.getLong();
                    case I32 -> (float) buf.getInt();
                    case I16 -> buf.getShort();
                    case I8 -> buf.get();
                    case U8 -> buf.get() & 0xFF;
                    case BOOL -> {
                        int b = buf.get();
                        if (b != 0 && b != 1) {
                            throw new IOException(src + ": tensor " + q(e.name()) + ": invalid BOOL byte " + (b & 0xFF)
                                    + " at element " + (done + i));
                        }
                        yield b;
                    }
                };
            }
            done += count;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, String src, String what) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new IOException(src + ": truncated file (end of file while reading the " + what + ")");
            }
            pos += r;
        }
    }

    /** A name quoted for messages, cut short if very long. */
    private static String q(String s) {
        return "\"" + (s.length() > 120 ? s.substring(0, 120) + "..." : s) + "\"";
    }

    // ------------------------------------------------------------------------------------------------ writing

    /** Writes {@code tensors} as F32 with no metadata; see {@link #write(Path, Map, Map)}. */
    public static void write(Path path, Map<String, Tensor> tensors) throws IOException {
        write(path, tensors, Map.of());
    }

    /**
     * Writes {@code tensors} (in map order) as F32 and {@code metadata} (may be null or empty) as
     * {@code __metadata__}, atomically replacing {@code path}: on any failure the previous file, if any, is left
     * untouched and the temporary file is removed.
     */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(path, tensors, metadata, i -> { });
    }

    /** As {@link #write(Path, Map, Map)}; {@code beforeTensor} runs before each tensor's data (tests inject failures). */
    static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata, IntConsumer beforeTensor)
            throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(tensors, "tensors");
        List<Map.Entry<String, Tensor>> list = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "tensor name");
            Objects.requireNonNull(e.getValue(), () -> "tensor " + q(name) + " is null");
            if (name.equals(METADATA)) {
                throw new IllegalArgumentException("\"__metadata__\" is reserved and cannot name a tensor");
            }
            list.add(Map.entry(name, e.getValue()));
        }
        byte[] header = header(list, metadata == null ? Map.of() : metadata);

        AtomicFiles.write(path, ch -> {
            ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            buf.putLong(header.length);
            buf.flip();
            writeFully(ch, buf);
            writeFully(ch, ByteBuffer.wrap(header));
            for (int i = 0; i < list.size(); i++) {
                beforeTensor.accept(i);
                writeTensor(ch, list.get(i).getValue(), buf);
            }
        });
    }

    private static byte[] header(List<Map.Entry<String, Tensor>> list, Map<String, String> metadata) {
        StringBuilder sb = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            sb.append("\"__metadata__\":{");
            boolean first = true;
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                jsonString(sb, Objects.requireNonNull(e.getKey(), "metadata key"));
                sb.append(':');
                jsonString(sb, Objects.requireNonNull(e.getValue(), () -> "metadata value for " + q(e.getKey())));
            }
            sb.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : list) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            jsonString(sb, e.getKey());
            int[] shape = e.getValue().shape();
            long nbytes = 4L * e.getValue().numel();
            sb.append(":{\"dtype\":\"F32\",\"shape\":[");
            for (int i = 0; i < shape.length; i++) {
                sb.append(i == 0 ? "" : ",").append(shape[i]);
            }
            sb.append("],\"data_offsets\":[").append(offset).append(',').append(offset + nbytes).append("]}");
            offset += nbytes;
        }
        sb.append('}');
        byte[] raw = sb.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (raw.length + 7) & ~7;
        byte[] out = Arrays.copyOf(raw, padded);
        Arrays.fill(out, raw.length, padded, (byte) ' ');
        return out;
    }

    private static void jsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else if (Character.isSurrogate(c)
                    && !(Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
                    && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)))) {
                sb.append(String.format("\\u%04x", (int) c)); // a lone surrogate has no UTF-8 encoding
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }

    private static void writeTensor(FileChannel ch, Tensor t, ByteBuffer buf) throws IOException {
        float[] data;
        int off;
        if (t.isContiguous()) {
            data = t.storage();
            off = t.storageOffset();
        } else {
            data = t.toArray();
            off = 0;
        }
        int n = t.numel();
        int done = 0;
        while (done < n) {
            buf.clear();
            int count = Math.min(n - done, buf.capacity() / 4);
            for (int k = 0; k < count; k++) {
                buf.putFloat(data[off + done + k]); // keeps NaN payloads
            }
            buf.flip();
            writeFully(ch, buf);
            done += count;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
