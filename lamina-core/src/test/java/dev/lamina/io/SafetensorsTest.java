package dev.lamina.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafetensorsTest {
    @TempDir
    Path dir;

    // ------------------------------------------------------------------------------------------------ round trip

    @Test
    void roundTripIsBitExact() throws IOException {
        Rng rng = new Rng(42);
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("a.weight", Tensor.randn(rng, 7, 5));
        in.put("special", Tensor.vector(0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
                -Float.MIN_NORMAL, Float.MAX_VALUE, Float.intBitsToFloat(0x7fc12345), Float.NaN));
        in.put("scalar", Tensor.scalar(3.25f));
        in.put("empty", Tensor.zeros(0, 3));
        in.put("view (transposed)", Tensor.randn(rng, 3, 4).t());
        in.put("slice", Tensor.arange(10).slice(0, 2, 8, 2));
        in.put("ünïcode \"quoted\" \\ \n\t\u0001 中文 \uD83D\uDE00", Tensor.randn(rng, 2, 1, 3));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("note", "\"quoted\" é\nline");
        Path p = dir.resolve("m.safetensors");
        Safetensors.write(p, in, meta);

        Safetensors.Contents c = Safetensors.readAll(p);
        assertEquals(new ArrayList<>(in.keySet()), new ArrayList<>(c.tensors().keySet()));
        assertEquals(meta, c.metadata());
        assertEquals(meta, Safetensors.readMetadata(p));
        for (Map.Entry<String, Tensor> e : in.entrySet()) {
            Tensor got = c.tensors().get(e.getKey());
            assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey());
            assertBitsEqual(e.getKey(), e.getValue().toArray(), got.toArray());
            assertEquals("F32", c.dtypes().get(e.getKey()));
        }

        byte[] raw = Files.readAllBytes(p);
        long n = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, (8 + n) % 8, "header padded to a multiple of 8");
        String header = new String(raw, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\""), header);
        assertTrue(header.endsWith("}") || header.stripTrailing().endsWith("}"), header);
        long expectedData = 0;
        for (Tensor t : in.values()) expectedData += 4L * t.numel();
        assertEquals(8 + n + expectedData, raw.length);
    }

    @Test
    void writesWithoutMetadataAndReplacesAnExistingFile() throws IOException {
        Path p = dir.resolve("x.safetensors");
        Safetensors.write(p, Map.of("a", Tensor.vector(1, 2)));
        Safetensors.write(p, Map.of("b", Tensor.vector(3)), null);
        Safetensors.Contents c = Safetensors.readAll(p);
        assertEquals(List.of("b"), new ArrayList<>(c.tensors().keySet()));
        assertTrue(c.metadata().isEmpty());
        assertEquals(List.of(p), listDir());
        Safetensors.write(p, Map.of());
        assertTrue(Safetensors.read(p).isEmpty());
    }

    @Test
    void writeRejectsTheReservedName() {
        assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(dir.resolve("r.safetensors"), Map.of("__metadata__", Tensor.scalar(1))));
    }

    // ------------------------------------------------------------------------------------------------ atomic write

    @Test
    void failureMidwayLeavesTheOldFileIntact() throws IOException {
        Path p = dir.resolve("model.safetensors");
        Safetensors.write(p, Map.of("old", Tensor.vector(1, 2, 3)));
        byte[] before = Files.readAllBytes(p);
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("a", Tensor.randn(new Rng(1), 100_000));
        in.put("b", Tensor.randn(new Rng(2), 1000));
        RuntimeException boom = assertThrows(RuntimeException.class, () -> Safetensors.write(p, in, Map.of(), i -> {
            if (i == 1) throw new IllegalStateException("simulated failure while writing tensor " + i);
        }));
        assertTrue(boom.getMessage().contains("simulated"));
        assertArrayEquals(before, Files.readAllBytes(p));
        assertEquals(List.of(p), listDir(), "the temporary file is removed");
    }

    @Test
    void readOnlyDirectoryLeavesTheOldFileIntact() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("ro"));
        Path p = sub.resolve("model.safetensors");
        Safetensors.write(p, Map.of("old", Tensor.vector(1, 2, 3)));
        byte[] before = Files.readAllBytes(p);
        Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            boolean writable;
            try {
                Files.delete(Files.createFile(sub.resolve("probe")));
                writable = true;
            } catch (AccessDeniedException e) {
                writable = false;
            }
            assumeTrue(!writable, "running with permissions that ignore a read-only directory (root?)");
            assertThrows(IOException.class, () -> Safetensors.write(p, Map.of("new", Tensor.vector(4))));
            assertArrayEquals(before, Files.readAllBytes(p));
        } finally {
            Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void missingDirectoryFailsCleanly() {
        assertThrows(IOException.class, () -> Safetensors.write(dir.resolve("nope/x.safetensors"), Map.of("a", Tensor.scalar(1))));
    }

    // ------------------------------------------------------------------------------------------------ malformed files

    static Stream<Arguments> malformed() {
        String ok = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        byte[] eight = new byte[8];
        return Stream.of(
                // size and header length
                Arguments.of("empty file", new byte[0], "only 0 bytes"),
                Arguments.of("truncated length", new byte[] {5, 0, 0}, "only 3 bytes"),
                Arguments.of("huge header length", withLength(Long.MAX_VALUE, "{}".getBytes()), "exceeds the limit"),
                Arguments.of("u64 header length", withLength(-1L, "{}".getBytes()), "18446744073709551615"),
                Arguments.of("header length over cap", withLength(200L << 20, "{}".getBytes()), "exceeds the limit"),
                Arguments.of("header length beyond file", withLength(1000, "{}".getBytes()), "larger than the 2 bytes"),
                Arguments.of("truncated header", withLength(40, "{\"a\":{\"dtype\":".getBytes()), "larger than"),
                Arguments.of("tiny header", withLength(0, new byte[0]), "too small"),
                // UTF-8 and JSON
                Arguments.of("not json", file("hello world", eight), "does not start with '{'"),
                Arguments.of("invalid utf-8", file(new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'}, new byte[0]), "not valid UTF-8"),
                Arguments.of("unterminated object", file("{" + ok, eight), "unexpected end"),
                Arguments.of("trailing comma", file("{" + ok + ",}", eight), "expected a string key"),
                Arguments.of("trailing garbage", file("{" + ok + "}x", eight), "unexpected text after"),
                Arguments.of("two objects", file("{" + ok + "}{}", eight), "unexpected text after"),
                Arguments.of("single quotes", file("{'a':1}", eight), "expected a string key"),
                Arguments.of("bad escape", file("{\"a\\q\":1}", eight), "invalid escape"),
                Arguments.of("bad unicode escape", file("{\"a\\u12G4\":1}", eight), "invalid \\u escape"),
                Arguments.of("raw control char", file("{\"a\nb\":1}", eight), "control character"),
                Arguments.of("duplicate tensor", file("{" + ok + "," + ok + "}", eight), "duplicate key \"a\""),
                Arguments.of("duplicate field", file("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight), "duplicate key \"dtype\""),
                Arguments.of("float in shape", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", eight), "only integers"),
                Arguments.of("exponent offset", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8e0]}}", eight), "only integers"),
                Arguments.of("leading zero", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[02],\"data_offsets\":[0,8]}}", eight), "leading zero"),
                Arguments.of("integer overflow", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}", eight), "out of range"),
                Arguments.of("deep nesting", file("{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}", eight), "nesting deeper"),
                Arguments.of("top-level array", file("[1]", eight), "does not start with '{'"),
                // fields
                Arguments.of("tensor not an object", file("{\"a\":[1]}", eight), "expected an object"),
                Arguments.of("missing dtype", file("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", eight), "missing field \"dtype\""),
                Arguments.of("missing shape", file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", eight), "missing field \"shape\""),
                Arguments.of("missing offsets", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", eight), "missing field \"data_offsets\""),
                Arguments.of("unknown field", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", eight), "unknown field \"x\""),
                Arguments.of("unknown dtype", file("{\"a\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", eight), "unsupported dtype \"C64\""),
                Arguments.of("dtype not a string", file("{\"a\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", eight), "must be a string"),
                Arguments.of("shape not integers", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", eight), "array of integers"),
                Arguments.of("three offsets", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}", eight), "two integers"),
                Arguments.of("metadata not strings", file("{\"__metadata__\":{\"k\":1}," + ok + "}", eight), "must be a string"),
                Arguments.of("metadata not object", file("{\"__metadata__\":[]," + ok + "}", eight), "must be an object"),
                // sizes and offsets
                Arguments.of("wrong dtype size", file("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight), "needs 4 bytes but data_offsets [0, 8] span 8"),
                Arguments.of("negative dimension", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", eight), "negative dimension"),
                Arguments.of("overflowing shape", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", eight), "more than"),
                Arguments.of("huge shape", file("{\"a\":{\"dtype\":\"F64\",\"shape\":[2000000000],\"data_offsets\":[0,16000000000]}}", eight), "beyond the end"),
                Arguments.of("offsets beyond end", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", eight), "beyond the end of the 8-byte"),
                Arguments.of("truncated data", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[5]), "beyond the end of the 5-byte"),
                Arguments.of("reversed offsets", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", eight), "invalid data_offsets"),
                Arguments.of("negative offset", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", eight), "invalid data_offsets"),
                Arguments.of("overlapping ranges", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]), "overlap"),
                Arguments.of("same range twice", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", eight), "overlap"),
                Arguments.of("gap", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[12]), "belong to no tensor"),
                Arguments.of("gap at start", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight), "bytes [0, 4)"),
                Arguments.of("trailing bytes", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", eight), "trailing bytes"),
                Arguments.of("invalid bool", file("{\"a\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[0,2]}}", new byte[] {1, 2}), "invalid BOOL byte 2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedFilesAreRejected(String what, byte[] bytes, String fragment) throws IOException {
        Path p = dir.resolve("bad.safetensors");
        Files.write(p, bytes);
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(p));
        assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
        if (!what.equals("invalid bool")) { // the only case found in the data rather than the header
            assertThrows(IOException.class, () -> Safetensors.readMetadata(p));
        }
    }

    @Test
    void acceptsPaddingEscapesEmptyTensorsAndAllWhitespace() throws IOException {
        String h = " {\n\t\"__metadata__\" : { \"k\\u00e9\\n\" : \"v\\/\" } ,\r\n \"\\u4e2d\\ud83d\\ude00\" : { \"shape\" : [ ] , "
                + "\"data_offsets\" : [ 0 , 2 ] , \"dtype\" : \"BF16\" }, \"e\": {\"dtype\":\"I8\",\"shape\":[0,5],\"data_offsets\":[2,2]} }    ";
        Path p = dir.resolve("ok.safetensors");
        // a header that starts with a space is not allowed by the spec's '{' rule, so trim the front only
        Files.write(p, file(h.stripLeading(), new byte[] {(byte) 0xC0, 0x3F}));
        Safetensors.Contents c = Safetensors.readAll(p);
        assertEquals(Map.of("k\u00e9\n", "v/"), c.metadata());
        Tensor t = c.tensors().get("\u4e2d\uD83D\uDE00");
        assertArrayEquals(new int[0], t.shape());
        assertEquals(1.5f, t.item());
        assertArrayEquals(new int[] {0, 5}, c.tensors().get("e").shape());
        assertEquals(List.of("\u4e2d\uD83D\uDE00", "e"), new ArrayList<>(c.tensors().keySet()));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private List<Path> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    static void assertBitsEqual(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + "[" + i + "]: expected " + expected[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(expected[i])) + ") but was " + actual[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(actual[i])) + ")");
            }
        }
    }

    private static byte[] withLength(long n, byte[] rest) {
        return ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN).putLong(n).put(rest).array();
    }

    private static byte[] file(String header, byte[] data) {
        return file(header.getBytes(StandardCharsets.UTF_8), data);
    }

    private static byte[] file(byte[] header, byte[] data) {
        return ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).put(data).array();
    }
}
