package dev.lamina.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NpyTest {

    @TempDir
    Path tmp;

    static Path fixture(String rel) {
        URL url = NpyTest.class.getResource("/fixtures/" + rel);
        if (url == null) {
            throw new AssertionError("missing fixture " + rel + " (run tools/fixtures/make_fixtures.py)");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    static NpyArray load(String rel) throws IOException {
        return Npy.read(fixture(rel));
    }

    // ------------------------------------------------------------------------------------ fixtures

    @Test
    void writesInt64AndBoolArraysThatReadBack(@TempDir Path dir) throws IOException {
        Path longs = dir.resolve("l.npy"), bools = dir.resolve("b.npy");
        Npy.write(longs, new int[] {2, 2}, new long[] {-3, 0, 7, 1L << 20});
        Npy.write(bools, new int[] {3}, new boolean[] {true, false, true});
        NpyArray l = Npy.read(longs), b = Npy.read(bools);
        assertEquals("<i8", l.dtype());
        assertArrayEquals(new int[] {2, 2}, l.shape());
        assertArrayEquals(new float[] {-3, 0, 7, 1 << 20}, l.data());
        assertEquals("|b1", b.dtype());
        assertArrayEquals(new float[] {1, 0, 1}, b.data());
        assertEquals(0, (Files.size(longs) - 4 * 8) % 64, "the data starts at a multiple of 64 bytes");
        assertThrows(IllegalArgumentException.class, () -> Npy.write(dir.resolve("bad.npy"), new int[] {3}, new long[] {1, 2}));
    }

    @Test
    void readsFloat32FixturesAndTheyAreConsistent() throws IOException {
        NpyArray a = load("matmul_2d/in0.npy");
        NpyArray b = load("matmul_2d/in1.npy");
        NpyArray c = load("matmul_2d/out.npy");
        assertEquals("<f4", a.dtype());
        assertArrayEquals(new int[] {5, 7}, a.shape());
        assertArrayEquals(new int[] {7, 3}, b.shape());
        assertArrayEquals(new int[] {5, 3}, c.shape());
        assertEquals(35, a.size());
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 3; j++) {
                double s = 0;
                for (int k = 0; k < 7; k++) {
                    s += (double) a.data()[i * 7 + k] * b.data()[k * 3 + j];
                }
                assertEquals(s, c.data()[i * 3 + j], 1e-5, "matmul_2d out[" + i + "," + j + "]");
            }
        }
    }

    @Test
    void readsInt64Fixtures() throws IOException {
        NpyArray idx = load("gather_dim1/idx.npy");
        assertEquals("<i8", idx.dtype());
        assertArrayEquals(new int[] {3, 2}, idx.shape());
        assertArrayEquals(new float[] {1, 1, 4, 0, 3, 3}, idx.data());

        NpyArray sel = load("index_select_dim0/idx.npy");
        assertArrayEquals(new int[] {4}, sel.shape());
        assertArrayEquals(new float[] {4, 0, 4, 2}, sel.data());

        NpyArray x = load("argmax_dim1/in0.npy");
        NpyArray am = load("argmax_dim1/out.npy");
        assertEquals("<i8", am.dtype());
        assertArrayEquals(new int[] {4}, am.shape());
        for (int r = 0; r < 4; r++) {
            int best = 0;
            for (int k = 1; k < 7; k++) {
                if (x.data()[r * 7 + k] > x.data()[r * 7 + best]) {
                    best = k;
                }
            }
            assertEquals(best, am.data()[r]);
        }
    }

    @Test
    void readsZeroDimensionalFixture() throws IOException {
        NpyArray x = load("sum_all/in0.npy");
        NpyArray out = load("sum_all/out.npy");
        NpyArray gout = load("sum_all/gout.npy");
        assertEquals(0, out.shape().length);
        assertEquals(0, gout.rank());
        assertEquals(1, out.size());
        double s = 0;
        for (float v : x.data()) {
            s += v;
        }
        assertEquals(s, out.data()[0], 1e-5);
        // d(out*gout)/d in0 = gout everywhere
        for (float g : load("sum_all/gin0.npy").data()) {
            assertEquals(gout.data()[0], g);
        }
    }

    // ------------------------------------------------------------------------------------ numpy-written formats

    private static final float[] SIX = {-1.25f, -0.75f, -0.25f, 0.25f, 0.75f, 1.25f};

    @Test
    void readsFloat64() throws IOException {
        NpyArray a = load("npy_formats/f8_2x3.npy");
        assertEquals("<f8", a.dtype());
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertArrayEquals(SIX, a.data());
    }

    @Test
    void readsVersions1To3() throws IOException {
        for (String f : new String[] {"f4_2x3.npy", "v2_f4.npy", "v3_f4.npy"}) {
            NpyArray a = load("npy_formats/" + f);
            assertEquals("<f4", a.dtype(), f);
            assertArrayEquals(new int[] {2, 3}, a.shape(), f);
            assertArrayEquals(SIX, a.data(), f);
        }
    }

    @Test
    void readsIntegerUnsignedAndBool() throws IOException {
        NpyArray i4 = load("npy_formats/i4_vec.npy");
        assertEquals("<i4", i4.dtype());
        assertArrayEquals(new float[] {-3, 0, 7, 100000}, i4.data());
        assertArrayEquals(new float[] {5, -1, 0, 1 << 20}, load("npy_formats/i8_vec.npy").data());
        NpyArray u1 = load("npy_formats/u1_vec.npy");
        assertEquals("|u1", u1.dtype());
        assertArrayEquals(new float[] {0, 1, 255}, u1.data());
        NpyArray mask = load("npy_formats/bool_mask.npy");
        assertEquals("|b1", mask.dtype());
        assertArrayEquals(new int[] {2, 3}, mask.shape());
        assertArrayEquals(new float[] {1, 0, 1, 0, 0, 1}, mask.data());
    }

    @Test
    void readsScalarBigEndianAndEmpty() throws IOException {
        NpyArray s = load("npy_formats/scalar_f4.npy");
        assertArrayEquals(new int[0], s.shape());
        assertEquals(1, s.size());
        assertEquals(3.5f, s.data()[0]);
        NpyArray be = load("npy_formats/be_f4.npy");
        assertEquals(">f4", be.dtype());
        assertArrayEquals(new float[] {1.5f, -2.0f, 0.25f}, be.data());
        NpyArray e = load("npy_formats/empty_f4.npy");
        assertArrayEquals(new int[] {0, 3}, e.shape());
        assertEquals(0, e.size());
    }

    @Test
    void rejectsNumpyFortranOrderFile() {
        Path p = fixture("npy_formats/fortran_f4.npy");
        IOException e = assertThrows(IOException.class, () -> Npy.read(p));
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("fortran_order"), e.getMessage());
    }

    @Test
    void readsOtherDtypesBuiltInTest() throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(3 * 8).order(ByteOrder.BIG_ENDIAN);
        bb.putDouble(0.5).putDouble(-1e300).putDouble(Double.NaN);
        NpyArray a = Npy.read(npy(1, dict("'>f8'", "False", "(3,)"), bb.array()), "be_f8");
        assertEquals(0.5f, a.data()[0]);
        assertEquals(Float.NEGATIVE_INFINITY, a.data()[1]);
        assertTrue(Float.isNaN(a.data()[2]));

        bb = ByteBuffer.allocate(2 * 8).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).putLong(1L << 40);
        assertArrayEquals(new float[] {1.8446744e19f, 1.09951163e12f},
                Npy.read(npy(1, dict("'<u8'", "False", "(2,)"), bb.array()), "u8").data());

        bb = ByteBuffer.allocate(2 * 2).order(ByteOrder.LITTLE_ENDIAN)
                .putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-0.25f));
        assertArrayEquals(new float[] {1.5f, -0.25f},
                Npy.read(npy(1, dict("'<f2'", "False", "(2,)"), bb.array()), "f2").data());

        // double-quoted strings, Python-2 'L' suffixes and no trailing comma are accepted
        String h = "{\"descr\": \"<i2\", \"fortran_order\": False, \"shape\": (1L, 2L)}";
        bb = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) -7).putShort((short) 300);
        NpyArray i2 = Npy.read(npy(1, h, bb.array()), "i2");
        assertArrayEquals(new int[] {1, 2}, i2.shape());
        assertArrayEquals(new float[] {-7, 300}, i2.data());
    }

    // ------------------------------------------------------------------------------------ writing

    @Test
    void writeIsByteIdenticalToNumpySave() throws IOException {
        assertArrayEquals(Files.readAllBytes(fixture("npy_formats/f4_2x3.npy")), toBytes(new int[] {2, 3}, SIX));
        assertArrayEquals(Files.readAllBytes(fixture("npy_formats/scalar_f4.npy")),
                toBytes(new int[0], new float[] {3.5f}));
        assertArrayEquals(Files.readAllBytes(fixture("npy_formats/empty_f4.npy")),
                toBytes(new int[] {0, 3}, new float[0]));
        // a fixture written by the generator (np.save of a float32 array)
        NpyArray in0 = load("matmul_batched/in0.npy");
        assertArrayEquals(Files.readAllBytes(fixture("matmul_batched/in0.npy")), toBytes(in0.shape(), in0.data()));
    }

    @Test
    void headerIsAlignedAndNewlineTerminated() {
        int[][] shapes = {{}, {1}, {7}, {2, 3}, {123456789, 0}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {0, 2147483647}};
        for (int[] shape : shapes) {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            byte[] b = toBytes(shape, new float[(int) n]);
            int hlen = (b[8] & 0xFF) | (b[9] & 0xFF) << 8;
            assertEquals(0, (10 + hlen) % 64, java.util.Arrays.toString(shape));
            assertEquals('\n', b[10 + hlen - 1]);
            assertEquals(1, b[6]);
            assertEquals(0, b[7]);
            assertEquals(10 + hlen + 4 * n, b.length);
        }
    }

    @Test
    void roundTripThroughFileKeepsBitsExactly() throws IOException {
        float[] data = new float[3 * 4 * 5];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) Math.sin(i) * (i + 1);
        }
        data[0] = Float.NaN;
        data[1] = -0.0f;
        data[2] = Float.POSITIVE_INFINITY;
        data[3] = Float.MIN_VALUE;
        data[4] = Float.intBitsToFloat(0x7fc00123); // NaN with payload
        Path p = tmp.resolve("rt.npy");
        Npy.write(p, new int[] {3, 4, 5}, data);
        NpyArray a = Npy.read(p);
        assertEquals("<f4", a.dtype());
        assertArrayEquals(new int[] {3, 4, 5}, a.shape());
        for (int i = 0; i < data.length; i++) {
            assertEquals(Float.floatToRawIntBits(data[i]), Float.floatToRawIntBits(a.data()[i]), "element " + i);
        }
        Npy.write(p, a);
        assertEquals(a, Npy.read(p));
    }

    @Test
    void roundTripLargerThanOneChunkViaStream() throws IOException {
        int n = 100_003; // > 64 KiB of data, not a multiple of the chunk size
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = i * 0.25f - 7f;
        }
        byte[] bytes = toBytes(new int[] {n}, data);
        NpyArray a = Npy.read(new ByteArrayInputStream(bytes), "big");
        assertArrayEquals(data, a.data());
    }

    @Test
    void streamReadConsumesExactlyOneArray() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, new int[] {2}, new float[] {1f, 2f});
        Npy.write(out, new int[0], new float[] {9f});
        out.write(42);
        InputStream in = new ByteArrayInputStream(out.toByteArray());
        assertArrayEquals(new float[] {1f, 2f}, Npy.read(in, "first").data());
        NpyArray second = Npy.read(in, "second");
        assertEquals(0, second.rank());
        assertArrayEquals(new float[] {9f}, second.data());
        assertEquals(42, in.read());
    }

    @Test
    void writeRejectsMismatchedShape() {
        assertThrows(IllegalArgumentException.class, () -> toBytesChecked(new int[] {2, 3}, new float[5]));
        assertThrows(IllegalArgumentException.class, () -> toBytesChecked(new int[] {-1}, new float[0]));
        assertThrows(IllegalArgumentException.class,
                () -> toBytesChecked(new int[] {65536, 65536}, new float[0]));
    }

    @Test
    void npyArrayValueSemantics() {
        NpyArray a = new NpyArray("<f4", new int[] {2}, new float[] {1, 2});
        NpyArray b = new NpyArray("<f4", new int[] {2}, new float[] {1, 2});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, new NpyArray("<f8", new int[] {2}, new float[] {1, 2}));
        assertEquals(1, new NpyArray("<f4", new int[0], new float[] {5}).size());
        assertThrows(IllegalArgumentException.class, () -> new NpyArray("<f4", new int[] {3}, new float[2]));
    }

    // ------------------------------------------------------------------------------------ rejections

    private static final byte[] SIX_BYTES = f4(SIX);

    static IOException rejected(byte[] bytes, String... expected) {
        String name = "corrupt-" + System.identityHashCode(bytes) + ".npy";
        IOException e = assertThrows(IOException.class, () -> Npy.read(new ByteArrayInputStream(bytes), name));
        String msg = e.getMessage();
        assertTrue(msg.contains(name), "message should name the source: " + msg);
        for (String s : expected) {
            assertTrue(msg.toLowerCase().contains(s.toLowerCase()), "message should mention '" + s + "': " + msg);
        }
        return e;
    }

    @Test
    void rejectsBadMagic() {
        byte[] good = npy(1, dict("'<f4'", "False", "(2, 3)"), SIX_BYTES);
        byte[] bad = good.clone();
        bad[5] = 'X';
        rejected(bad, "magic");
        bad = good.clone();
        bad[0] = 'x';
        rejected(bad, "magic");
        rejected(new byte[0], "magic");
        rejected(new byte[] {(byte) 0x93, 'N', 'U'}, "magic");
        rejected("PK\u0003\u0004 not npy at all".getBytes(StandardCharsets.ISO_8859_1), "magic");
    }

    @ParameterizedTest
    @ValueSource(ints = {0x0000, 0x0100, 0x0101, 0x0004, 0x00ff, 0x0201})
    void rejectsUnsupportedVersion(int majorMinor) {
        byte[] b = npy(1, dict("'<f4'", "False", "(2, 3)"), SIX_BYTES);
        b[6] = (byte) (majorMinor & 0xFF);
        b[7] = (byte) (majorMinor >> 8);
        rejected(b, "version");
    }

    @ParameterizedTest
    @ValueSource(strings = {"'<c8'", "'|O'", "'<U5'", "'=f4'", "'<f16'", "'<f3'", "'f4'", "'<M8[ns]'", "'|V8'",
            "''", "[('a', '<f4'), ('b', '<i4')]"})
    void rejectsUnsupportedDtype(String descr) {
        rejected(npy(1, dict(descr, "False", "(2, 3)"), SIX_BYTES), "dtype");
    }

    @Test
    void rejectsFortranOrder() {
        rejected(npy(1, dict("'<f4'", "True", "(2, 3)"), SIX_BYTES), "fortran_order");
    }

    @Test
    void rejectsNegativeShape() {
        rejected(npy(1, dict("'<f4'", "False", "(-1, 3)"), SIX_BYTES), "shape", "negative");
    }

    @Test
    void rejectsOverflowingShapeBeforeAllocating() {
        rejected(npy(1, dict("'<f4'", "False", "(65536, 65536)"), SIX_BYTES), "shape", "Integer.MAX_VALUE");
        rejected(npy(1, dict("'<f4'", "False", "(3000000000,)"), SIX_BYTES), "shape", "Integer.MAX_VALUE");
        rejected(npy(1, dict("'<f4'", "False", "(4294967296, 4294967296, 0)"), SIX_BYTES), "shape");
        rejected(npy(1, dict("'<f4'", "False", "(99999999999999999999999999,)"), SIX_BYTES), "shape", "overflow");
        // 2^31-1 elements is allowed by the shape check, but the data is missing
        rejected(npy(1, dict("'<f4'", "False", "(2147483647,)"), SIX_BYTES), "truncated");
    }

    @Test
    void rejectsTruncatedDataInStreamWithoutAllocatingClaimedSize() {
        // claims 1e9 float64 (8 GB) -- more than the test JVM heap; only 24 bytes follow
        rejected(npy(1, dict("'<f8'", "False", "(1000000000,)"), SIX_BYTES), "truncated", "24 bytes");
        // claims 1.5e9 floats on an unbounded-looking stream
        byte[] head = npy(2, dict("'<f4'", "False", "(1500000000,)"), new byte[0]);
        InputStream slow = new InputStream() {
            int pos;

            @Override
            public int read() {
                if (pos < head.length) {
                    return head[pos++] & 0xFF;
                }
                return pos++ < head.length + 1000 ? 0 : -1;
            }
        };
        IOException e = assertThrows(IOException.class, () -> Npy.read(slow, "slow.npy"));
        assertTrue(e.getMessage().contains("slow.npy") && e.getMessage().contains("truncated"), e.getMessage());
        // small case: one float short
        byte[] b = npy(1, dict("'<f4'", "False", "(2, 3)"), java.util.Arrays.copyOf(SIX_BYTES, 20));
        rejected(b, "truncated", "24 bytes", "20 bytes");
    }

    @Test
    void rejectsTruncatedFileUsingFileSize() throws IOException {
        Path p = tmp.resolve("short.npy");
        Files.write(p, npy(1, dict("'<f4'", "False", "(1000000000,)"), SIX_BYTES));
        IOException e = assertThrows(IOException.class, () -> Npy.read(p));
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("4000000000 bytes"), e.getMessage());

        // a complete file cut short by one byte
        byte[] full = toBytes(new int[] {2, 3}, SIX);
        Files.write(p, java.util.Arrays.copyOf(full, full.length - 1));
        e = assertThrows(IOException.class, () -> Npy.read(p));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void rejectsTruncatedHeader() {
        byte[] full = npy(1, dict("'<f4'", "False", "(2, 3)"), SIX_BYTES);
        rejected(java.util.Arrays.copyOf(full, 40), "truncated", "header");
        rejected(java.util.Arrays.copyOf(full, 9), "truncated", "header");
        rejected(java.util.Arrays.copyOf(full, 8), "truncated", "header");
        byte[] v2 = npy(2, dict("'<f4'", "False", "(2, 3)"), SIX_BYTES);
        rejected(java.util.Arrays.copyOf(v2, 11), "truncated", "header");
    }

    @Test
    void rejectsHugeHeaderLength() {
        byte[] b = npy(2, dict("'<f4'", "False", "(2, 3)"), SIX_BYTES);
        b[8] = b[9] = b[10] = b[11] = (byte) 0xFF;
        rejected(b, "header length");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'descr': '<f4', 'fortran_order': False}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } trailing",
        "not a dict at all",
        "",
        "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2, 3)}",
        "{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': 6}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (6)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,, 3)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2.0, 3)}",
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': True}",
        "{'descr': <f4, 'fortran_order': False, 'shape': (2, 3)}",
        "{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3)}",
        "{'descr' '<f4', 'fortran_order': False, 'shape': (2, 3)}",
        "{'descr': ('<f4',), 'fortran_order': False, 'shape': (2, 3)}",
        "{descr: '<f4', 'fortran_order': False, 'shape': (2, 3)}",
    })
    void rejectsMalformedHeaderDict(String header) {
        rejected(npy(1, header, SIX_BYTES), "header");
    }

    // ------------------------------------------------------------------------------------ helpers

    static String dict(String descr, String fortran, String shape) {
        return "{'descr': " + descr + ", 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
    }

    /** Builds a .npy byte image with the given version (1, 2 or 3), header dict text and raw data. */
    static byte[] npy(int major, String header, byte[] data) {
        int prefix = major == 1 ? 10 : 12;
        int pad = (64 - (prefix + header.length() + 1) % 64) % 64;
        byte[] h = (header + " ".repeat(pad) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer bb = ByteBuffer.allocate(prefix + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            bb.putShort((short) h.length);
        } else {
            bb.putInt(h.length);
        }
        return bb.put(h).put(data).array();
    }

    static byte[] f4(float[] v) {
        ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            bb.putFloat(f);
        }
        return bb.array();
    }

    static byte[] toBytes(int[] shape, float[] data) {
        try {
            return toBytesChecked(shape, data);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] toBytesChecked(int[] shape, float[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, shape, data);
        return out.toByteArray();
    }
}
