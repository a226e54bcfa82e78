package dev.lamina.tensor;

import dev.lamina.backend.Backends;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.loss.NLLLoss;
import dev.lamina.nn.Embedding;
import dev.lamina.nn.Linear;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** I64 and BOOL tensors: exact storage, dtype-agnostic views and data movement, refusal of float ops; on both backends. */
class DTypeTest {
    private static final long BIG = 16_777_217L;   // 2^24 + 1: the first integer a float cannot hold

    private static void on(String backend, Executable body) {
        Backends.using(Backends.byName(backend), () -> {
            try {
                body.execute();
            } catch (Throwable t) {
                if (t instanceof RuntimeException r) throw r;
                if (t instanceof Error e) throw e;
                throw new AssertionError(t);
            }
            return null;
        });
    }

    private static void assertMessage(Throwable e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void bigIndicesSurviveViewsCopyCatAndIndexSelectExactly(String backend) {
        on(backend, () -> {
            // as floats they would not survive: 2^24 + 1 rounds to 2^24
            assertEquals(16_777_216f, Tensor.vector(BIG).item());
            assertNotEquals(BIG, (long) Tensor.vector(BIG).item());

            long[] v = {BIG, 3, -5, 1L << 40, BIG + 2, Long.MAX_VALUE};
            Tensor t = Tensor.ofLongs(v, 2, 3);
            assertEquals(DType.I64, t.dtype());
            assertEquals(backend, t.backend().name());
            assertArrayEquals(v, t.toLongArray());

            Tensor tt = t.t();   // a strided view
            assertFalse(tt.isContiguous());
            assertEquals(DType.I64, tt.dtype());
            Tensor copied = tt.contiguous();
            assertEquals(DType.I64, copied.dtype());
            assertTrue(copied.isContiguous());
            assertArrayEquals(new long[] {BIG, 1L << 40, 3, BIG + 2, -5, Long.MAX_VALUE}, copied.toLongArray());
            assertArrayEquals(copied.toLongArray(), tt.toLongArray());
            assertArrayEquals(v, t.copy().toLongArray());

            Tensor catted = Tensor.cat(List.of(t, tt.t(), t.narrow(0, 1, 1)), 0);   // a strided part among them
            assertEquals(DType.I64, catted.dtype());
            assertArrayEquals(new int[] {5, 3}, catted.shape());
            long[] c = catted.toLongArray();
            assertEquals(BIG, c[0]);
            assertEquals(BIG, c[6]);
            assertEquals(Long.MAX_VALUE, c[14]);
            assertEquals(BIG + 2, c[13]);

            Tensor picked = catted.indexSelect(0, Tensor.ofLongs(new long[] {4, 0, 4}, 3));
            assertArrayEquals(new long[] {1L << 40, BIG + 2, Long.MAX_VALUE, BIG, 3, -5, 1L << 40, BIG + 2, Long.MAX_VALUE}, picked.toLongArray());
            assertArrayEquals(new long[] {3, BIG + 2, 3, BIG + 2, BIG + 2}, catted.indexSelect(1, new int[] {1}).reshape(-1).toLongArray());

            // the same numbers as floats are gone
            Tensor asFloats = Tensor.of(new float[] {BIG, BIG + 2}, 2);
            assertNotEquals(BIG, (long) asFloats.toArray()[0]);
            // and toArray() on the exact I64 tensor refuses rather than rounding
            assertMessage(assertThrows(ArithmeticException.class, catted::toArray), "16777217", "toLongArray");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void everyViewIsDtypeAgnostic(String backend) {
        on(backend, () -> {
            long[] v = new long[24];
            for (int i = 0; i < v.length; i++) v[i] = BIG * i;
            Tensor t = Tensor.ofLongs(v, 2, 3, 4);
            assertArrayEquals(new long[] {BIG * 12, BIG * 13, BIG * 14, BIG * 15}, t.select(0, 1).select(0, 0).toLongArray());
            assertArrayEquals(new long[] {BIG, BIG * 3}, t.slice(2, 1, 4, 2).select(0, 0).select(0, 0).toLongArray());
            assertArrayEquals(new long[] {0, BIG * 12}, t.permute(2, 1, 0).select(0, 0).select(0, 0).toLongArray());
            assertArrayEquals(new long[] {0, BIG * 4, BIG * 8}, t.transpose(0, 2).select(0, 0).select(1, 0).toLongArray());
            assertArrayEquals(v, t.reshape(4, -1).view(24).toLongArray());
            assertArrayEquals(v, t.flatten(0, 2).toLongArray());
            assertArrayEquals(v, t.unsqueeze(1).squeeze(1).toLongArray());
            Tensor e = Tensor.ofLongs(new long[] {BIG, -BIG}, 2, 1).expand(2, 3);
            assertArrayEquals(new long[] {BIG, BIG, BIG, -BIG, -BIG, -BIG}, e.toLongArray());
            List<Tensor> parts = t.split(new int[] {1, 3}, 2);
            assertEquals(DType.I64, parts.get(1).dtype());
            assertArrayEquals(new long[] {BIG, BIG * 2, BIG * 3}, parts.get(1).select(0, 0).select(0, 0).toLongArray());
            List<Tensor> chunks = t.chunk(2, 2);
            assertArrayEquals(new long[] {BIG * 2, BIG * 3}, chunks.get(1).select(0, 0).select(0, 0).toLongArray());
            assertEquals(BIG * 23, t.select(0, 1).select(0, 2).select(0, 3).itemLong());
            assertSame(t.storageIdentity(), t.permute(0, 2, 1).storageIdentity());
            assertTrue(t.toString().contains("I64"));
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void gatherAndCopyIntoWorkOnI64Data(String backend) {
        on(backend, () -> {
            Tensor x = Tensor.ofLongs(new long[] {BIG, 1, 2, 3, BIG + 2, 5}, 2, 3);
            Tensor g = x.gather(1, Tensor.ofLongs(new long[] {2, 0, 1, 1}, 2, 2));
            assertEquals(DType.I64, g.dtype());
            assertArrayEquals(new long[] {2, BIG, BIG + 2, BIG + 2}, g.toLongArray());
            assertArrayEquals(new long[] {BIG, BIG + 2}, x.t().gather(0, Tensor.of(new float[] {0, 1}, 1, 2)).toLongArray());

            Tensor dst = Tensor.ofLongs(new long[6], 2, 3);
            dst.copyFrom_(x);
            assertArrayEquals(x.toLongArray(), dst.toLongArray());
            Tensor target = Tensor.ofLongs(new long[6], 3, 2);
            x.backend().copyInto_(x, target.t());   // a strided destination
            assertArrayEquals(new long[] {BIG, 3, 1, BIG + 2, 2, 5}, target.toLongArray());
            assertMessage(assertThrows(IllegalArgumentException.class, () -> dst.copyFrom_(Tensor.zeros(2, 3))), "copyFrom_", "F32", "I64");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void gatherAndIndexSelectGiveTheSameWithI64AndF32Indices(String backend) {
        on(backend, () -> {
            Tensor x = Tensor.randn(new Rng(3), 3, 4).requiresGrad(true);
            float[] fi = {3, 0, 1, 1, 2, 0};
            long[] li = {3, 0, 1, 1, 2, 0};
            Tensor gf = x.gather(1, Tensor.of(fi, 3, 2));
            Tensor gl = x.gather(1, Tensor.ofLongs(li, 3, 2));
            assertArrayEquals(gf.toArray(), gl.toArray());
            gf.mul(gf).sum().backward();
            float[] gradF = x.grad().toArray();
            x.zeroGrad();
            gl.mul(gl).sum().backward();
            assertArrayEquals(gradF, x.grad().toArray());

            Tensor sf = x.indexSelect(1, Tensor.of(fi, 6));
            Tensor sl = x.indexSelect(1, Tensor.ofLongs(li, 6));
            assertArrayEquals(sf.toArray(), sl.toArray());
            x.zeroGrad();
            sf.sum().backward();
            gradF = x.grad().toArray();
            x.zeroGrad();
            sl.sum().backward();
            assertArrayEquals(gradF, x.grad().toArray());

            // out of range, and beyond the int range (which a cast would wrap to 0), get the range error
            assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> x.indexSelect(1, Tensor.ofLongs(new long[] {4}, 1))), "index_select", "4", "[0, 4)");
            assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> x.indexSelect(0, Tensor.ofLongs(new long[] {1L << 32}, 1))), "index_select", "4294967296");
            assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> x.gather(1, Tensor.ofLongs(new long[] {-1, 0, 0}, 3, 1))), "gather", "-1");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> x.indexSelect(0, Tensor.ofBooleans(new boolean[] {true}, 1))), "index_select", "BOOL", "I64");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void embeddingTakesI64Ids(String backend) {
        on(backend, () -> {
            Embedding emb = new Embedding(10, 4, 2, new Rng(7));
            float[] idsF = {1, 2, 9, 1, 0, 2};
            long[] idsL = {1, 2, 9, 1, 0, 2};
            Tensor of = emb.forward(Tensor.of(idsF, 2, 3));
            Tensor ol = emb.forward(Tensor.ofLongs(idsL, 2, 3));
            assertArrayEquals(of.shape(), ol.shape());
            assertArrayEquals(of.toArray(), ol.toArray());
            of.square().sum().backward();
            float[] gradF = emb.weight().grad().toArray();
            emb.zeroGrad();
            ol.square().sum().backward();
            assertArrayEquals(gradF, emb.weight().grad().toArray());
            assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> emb.forward(Tensor.ofLongs(new long[] {3, 1L << 33}, 2))),
                    "token id 8589934592", "vocabulary of 10");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void lossesTakeI64ClassTargets(String backend) {
        on(backend, () -> {
            Tensor logits = Tensor.randn(new Rng(11), 4, 5).requiresGrad(true);
            float[] tf = {4, 0, -100, 2};
            long[] tl = {4, 0, -100, 2};
            Tensor lf = new CrossEntropyLoss().forward(logits, Tensor.of(tf, 4));
            Tensor ll = new CrossEntropyLoss().forward(logits, Tensor.ofLongs(tl, 4));
            assertEquals(lf.item(), ll.item());
            lf.backward();
            float[] gradF = logits.grad().toArray();
            logits.zeroGrad();
            ll.backward();
            assertArrayEquals(gradF, logits.grad().toArray());

            Tensor logp = logits.detach().logSoftmax(1);
            assertEquals(new NLLLoss().forward(logp, Tensor.of(tf, 4)).item(), new NLLLoss().forward(logp, Tensor.ofLongs(tl, 4)).item());

            // spatial targets [N, d] as I64
            Tensor logits3 = Tensor.randn(new Rng(12), 2, 3, 2);
            assertEquals(new CrossEntropyLoss().forward(logits3, Tensor.of(new float[] {0, 2, 1, 1}, 2, 2)).item(),
                    new CrossEntropyLoss().forward(logits3, Tensor.ofLongs(new long[] {0, 2, 1, 1}, 2, 2)).item());

            assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> new CrossEntropyLoss().forward(logits, Tensor.ofLongs(new long[] {0, 1, 1L << 40, 2}, 4))),
                    "cross_entropy", "1099511627776", "[0, 5)");
            assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> new NLLLoss().forward(logp, Tensor.ofLongs(new long[] {0, 5, 1, 2}, 4))),
                    "nll_loss", "5", "[0, 5)");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void floatOpsOnIntegerOrBoolTensorsFailNamingTheOp(String backend) {
        on(backend, () -> {
            Tensor i = Tensor.ofLongs(new long[] {1, 2, 3, 4}, 2, 2);
            Tensor b = Tensor.ofBooleans(new boolean[] {true, false, true, true}, 2, 2);
            Tensor f = Tensor.ones(2, 2);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> i.add(f)), "add", "I64", "to(DType.F32)");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> f.add(i)), "add", "I64", "to(DType.F32)");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> i.mul(2f)), "mul", "I64", "to(DType.F32)");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> i.exp()), "exp", "I64", "to(DType.F32)");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> i.relu()), "relu", "I64");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> i.gelu()), "gelu", "I64");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> i.silu()), "silu", "I64");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> i.rsub(1f)), "rsub", "I64");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> i.matmul(f)), "matmul", "I64", "to(DType.F32)");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> f.matmul(b)), "matmul", "BOOL", "to(DType.F32)");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> i.softmax(1)), "softmax", "I64");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> i.logSoftmax(1)), "log_softmax", "I64");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> i.sum()), "sum", "I64");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> i.sum(0, false)), "sum", "I64");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> i.mean()), "mean", "I64");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> i.max(1, false)), "max", "I64");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> i.argmax(1, false)), "argmax", "I64");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> i.gt(f)), "gt", "I64");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> b.eq(1f)), "eq", "BOOL");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> i.fill_(0f)), "fill_", "I64");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.cat(List.of(i, f), 0)), "cat", "F32", "I64");
            // a module kernel that reads storage directly still fails clearly, never computes garbage
            Linear lin = new Linear(2, 3, true, new Rng(1));
            assertMessage(assertThrows(IllegalArgumentException.class, () -> lin.forward(i)), "I64", "to(DType.F32)");
            // gradients only for floats
            assertMessage(assertThrows(IllegalArgumentException.class, () -> i.requiresGrad(true)), "requiresGrad", "I64", "F32");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> b.requiresGrad(true)), "requiresGrad", "BOOL");
            assertFalse(i.hasNonFinite());
            // the conversion is the way through
            assertArrayEquals(new float[] {2, 3, 4, 5}, i.to(DType.F32).add(f).toArray());
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void boolRoundTripAndConversions(String backend) {
        on(backend, () -> {
            boolean[] v = {true, false, false, true, true, false};
            Tensor b = Tensor.ofBooleans(v, 2, 3);
            assertEquals(DType.BOOL, b.dtype());
            assertArrayEquals(v, b.toBooleanArray());
            assertArrayEquals(new boolean[] {true, true, false, true, false, false}, b.t().contiguous().toBooleanArray());
            Tensor c = Tensor.cat(List.of(b, b.narrow(0, 1, 1)), 0);
            assertArrayEquals(new boolean[] {true, false, false, true, true, false, true, true, false}, c.toBooleanArray());
            assertArrayEquals(new boolean[] {true, true, true}, c.indexSelect(0, Tensor.ofLongs(new long[] {2, 1, 0}, 3)).select(1, 0).toBooleanArray());
            assertArrayEquals(new boolean[] {false, true}, b.gather(1, Tensor.ofLongs(new long[] {1, 0}, 2, 1)).reshape(2).toBooleanArray());
            assertArrayEquals(new float[] {1, 0, 0, 1, 1, 0}, b.to(DType.F32).toArray());
            assertArrayEquals(new float[] {1, 0, 0, 1, 1, 0}, b.toArray());
            assertArrayEquals(new long[] {1, 0, 0, 1, 1, 0}, b.to(DType.I64).toLongArray());
            assertArrayEquals(v, b.to(DType.F32).to(DType.BOOL).toBooleanArray());
            assertArrayEquals(v, b.to(DType.I64).to(DType.BOOL).toBooleanArray());
            assertArrayEquals(new boolean[] {true, false, true}, Tensor.vector(-0.5f, 0f, Float.NaN).to(DType.BOOL).toBooleanArray());
            assertSame(b, b.to(DType.BOOL));
            assertEquals(1f, b.get(0, 0));
            assertEquals(0f, b.t().get(2, 1));
            // where takes a BOOL condition as 0/1
            assertArrayEquals(new float[] {1, -1, -1, 1, 1, -1}, Tensor.where(b, Tensor.ones(2, 3), Tensor.full(-1f, 2, 3)).toArray());
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void floatToLongTruncatesTowardZeroAndRefusesNonFinite(String backend) {
        on(backend, () -> {
            Tensor f = Tensor.vector(-2.7f, 2.7f, -0.5f, 0.5f, 1e10f, -3f);
            assertArrayEquals(new long[] {-2, 2, 0, 0, 10_000_000_000L, -3}, f.to(DType.I64).toLongArray());
            assertArrayEquals(new long[] {2, 4}, Tensor.matrix(new float[][] {{-2.7f, 2.7f}, {-3f, 4f}}).t().select(0, 1).to(DType.I64).toLongArray());
            assertMessage(assertThrows(ArithmeticException.class, () -> Tensor.vector(1f, Float.NaN).to(DType.I64)), "to(I64)", "NaN", "position 1");
            assertMessage(assertThrows(ArithmeticException.class, () -> Tensor.vector(Float.POSITIVE_INFINITY).to(DType.I64)), "to(I64)", "Infinity");
            assertMessage(assertThrows(ArithmeticException.class, () -> Tensor.vector(1e30f).to(DType.I64)), "to(I64)", "long range");
            // I64 → F32: exact values come out as floats, the others are refused by toArray/item, rounded only by to(F32)
            Tensor l = Tensor.ofLongs(new long[] {-7, 1L << 30, BIG}, 3);
            assertArrayEquals(new float[] {-7, 1L << 30}, l.narrow(0, 0, 2).toArray());
            assertEquals(-7f, l.select(0, 0).item());
            assertEquals(1L << 30, l.get(1));
            assertMessage(assertThrows(ArithmeticException.class, () -> l.select(0, 2).item()), "16777217", "itemLong");
            assertArrayEquals(new float[] {-7, 1L << 30, 16_777_216f}, l.to(DType.F32).toArray());
            assertEquals(DType.F32, l.to(DType.F32).dtype());
            assertMessage(assertThrows(IllegalStateException.class, l::toBooleanArray), "toBooleanArray", "I64");
            assertMessage(assertThrows(IllegalStateException.class, () -> Tensor.zeros(2).toLongArray()), "toLongArray", "F32");
            // the index consumers accept I64 beyond 2^24
            assertArrayEquals(new int[] {16_777_217, 0}, Tensor.ofLongs(new long[] {BIG, 0}, 2).toIntArray("test", 20_000_000));
            assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> Tensor.ofLongs(new long[] {1L << 31}, 1).toIntArray("test", Integer.MAX_VALUE)), "test", "2147483648");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void comparisonsAndArgmaxStayF32(String backend) {
        on(backend, () -> {
            Tensor a = Tensor.vector(1f, 5f, 3f), b = Tensor.vector(2f, 5f, 1f);
            for (Tensor r : List.of(a.eq(b), a.ne(b), a.gt(b), a.lt(b), a.ge(b), a.le(b), a.gt(2f), a.eq(5f))) assertEquals(DType.F32, r.dtype());
            assertArrayEquals(new float[] {0, 1, 0}, a.eq(b).toArray());
            assertArrayEquals(new float[] {0, 0, 1}, a.gt(b).toArray());
            Tensor am = a.argmax(0, false);
            assertEquals(DType.F32, am.dtype());
            assertEquals(1f, am.item());
            assertEquals(1L, am.to(DType.I64).itemLong());
            assertEquals(DType.F32, Tensor.zeros(2).dtype());
        });
    }
}
