package dev.lamina.tensor;

import dev.lamina.backend.Backends;
import dev.lamina.backend.Comparison;
import dev.lamina.backend.IntegerBinary;
import dev.lamina.backend.IntegerReduction;
import dev.lamina.backend.IntegerUnary;
import dev.lamina.backend.Logical;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The typed primitives (I64 arithmetic and reductions, comparisons giving BOOL, logic, select on every dtype): exact
 * beyond 2^24, ONNX's Div and Mod semantics on negative operands, broadcasting and strided operands, the same result
 * on the CPU and reference backends, and refusals naming the op and the dtypes.
 */
class TypedOpsTest {
    private static final long BIG = (1L << 40) + 3;

    private static <T> T on(String backend, Supplier<T> body) {
        return Backends.using(Backends.byName(backend), body::get);
    }

    private static void assertMessage(Throwable e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void integerArithmeticIsExactAndBroadcasts(String backend) {
        on(backend, () -> {
            Tensor a = Tensor.ofLongs(new long[] {BIG, -BIG, 7, -7, 0, 1L << 50}, 2, 3);
            Tensor row = Tensor.ofLongs(new long[] {1, 2, 3}, 3);
            assertArrayEquals(new long[] {BIG + 1, -BIG + 2, 10, -6, 2, (1L << 50) + 3}, TypedOps.add(a, row).toLongArray());
            assertArrayEquals(new long[] {BIG - 1, -BIG - 2, 4, -8, -2, (1L << 50) - 3}, TypedOps.sub(a, row).toLongArray());
            assertArrayEquals(new long[] {BIG, -2 * BIG, 21, -7, 0, 3L << 50}, TypedOps.mul(a, row).toLongArray());
            // a strided (transposed) operand against a scalar
            Tensor two = Tensor.ofLongs(new long[] {2});
            assertArrayEquals(new long[] {2 * BIG, -14, -2 * BIG, 0, 14, 2L << 50}, TypedOps.mul(a.t(), two).toLongArray());
            assertArrayEquals(new long[] {-BIG, BIG, -7, 7, 0, -(1L << 50)}, TypedOps.integer(IntegerUnary.NEG, a).toLongArray());
            assertArrayEquals(new long[] {BIG, BIG, 7, 7, 0, 1L << 50}, TypedOps.integer(IntegerUnary.ABS, a).toLongArray());
            assertArrayEquals(new long[] {BIG, 1, 7, 1, 1, 1L << 50},
                    TypedOps.integer(IntegerBinary.MAX, a, Tensor.ofLongs(new long[] {1})).toLongArray());
            assertArrayEquals(new long[] {1, -BIG, 1, -7, 0, 1},
                    TypedOps.integer(IntegerBinary.MIN, a, Tensor.ofLongs(new long[] {1})).toLongArray());
            assertArrayEquals(new long[] {1024, 1, -27}, TypedOps.integer(IntegerBinary.POW,
                    Tensor.ofLongs(new long[] {2, -1, -3}, 3), Tensor.ofLongs(new long[] {10, 0, 3}, 3)).toLongArray());
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void divisionTruncatesAndModFollowsOnnx(String backend) {
        on(backend, () -> {
            Tensor a = Tensor.ofLongs(new long[] {7, -7, 7, -7, BIG, -BIG}, 6);
            Tensor b = Tensor.ofLongs(new long[] {2, 2, -2, -2, 10, 10}, 6);
            // ONNX Div on integers truncates toward zero
            assertArrayEquals(new long[] {3, -3, -3, 3, BIG / 10, -(BIG / 10)}, TypedOps.div(a, b).toLongArray());
            Tensor c = Tensor.ofLongs(new long[] {3, 3, -3, -3, 10, 10}, 6);
            // fmod=0: the sign of the divisor (ONNX's example: Mod(-4, 3) = 2, Mod(4, -3) = -2)
            assertArrayEquals(new long[] {1, 2, -2, -1, 9, 1}, TypedOps.mod(a, c).toLongArray());
            // fmod=1: the sign of the dividend
            assertArrayEquals(new long[] {1, -1, 1, -1, 9, -9}, TypedOps.fmod(a, c).toLongArray());
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> TypedOps.div(a, Tensor.ofLongs(new long[] {0})));
            assertMessage(e, "div", "division by zero");
            assertMessage(assertThrows(ArithmeticException.class, () -> TypedOps.mod(a, Tensor.ofLongs(new long[] {0}))), "mod", "division by zero");
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void comparisonsGiveBool(String backend) {
        on(backend, () -> {
            Tensor a = Tensor.ofLongs(new long[] {BIG, BIG + 1, -1}, 3);
            Tensor b = Tensor.ofLongs(new long[] {BIG + 1}, 1);
            Tensor lt = TypedOps.compare(Comparison.LT, a, b);
            assertEquals(DType.BOOL, lt.dtype());
            assertArrayEquals(new boolean[] {true, false, true}, lt.toBooleanArray());
            assertArrayEquals(new boolean[] {false, true, false}, TypedOps.compare(Comparison.EQ, a, b).toBooleanArray());
            assertArrayEquals(new boolean[] {false, true, false}, TypedOps.compare(Comparison.GE, a, b).toBooleanArray());
            assertArrayEquals(new boolean[] {true, true, true}, TypedOps.compare(Comparison.LE, a, b).toBooleanArray());
            assertArrayEquals(new boolean[] {false, false, false}, TypedOps.compare(Comparison.GT, a, b).toBooleanArray());
            // floats: NaN compares false except for NE; a column against a row broadcasts to a matrix
            Tensor f = Tensor.of(new float[] {1, Float.NaN}, 2, 1), g = Tensor.vector(1, 2);
            assertArrayEquals(new boolean[] {true, false, false, false}, TypedOps.compare(Comparison.EQ, f, g).toBooleanArray());
            assertArrayEquals(new boolean[] {false, true, true, true}, TypedOps.compare(Comparison.NE, f, g).toBooleanArray());
            Tensor m = TypedOps.compare(Comparison.LT, f, g);
            assertArrayEquals(new int[] {2, 2}, m.shape());
            assertArrayEquals(new boolean[] {false, true, false, false}, m.toBooleanArray());
            Tensor bools = Tensor.ofBooleans(new boolean[] {true, false}, 2);
            assertArrayEquals(new boolean[] {true, false}, TypedOps.compare(Comparison.EQ, bools, Tensor.ofBooleans(new boolean[] {true}, 1)).toBooleanArray());
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void logicAndWhereOnEveryDtype(String backend) {
        on(backend, () -> {
            Tensor p = Tensor.ofBooleans(new boolean[] {true, true, false, false}, 4);
            Tensor q = Tensor.ofBooleans(new boolean[] {true, false, true, false}, 4);
            assertArrayEquals(new boolean[] {true, false, false, false}, TypedOps.logical(Logical.AND, p, q).toBooleanArray());
            assertArrayEquals(new boolean[] {true, true, true, false}, TypedOps.logical(Logical.OR, p, q).toBooleanArray());
            assertArrayEquals(new boolean[] {false, true, true, false}, TypedOps.logical(Logical.XOR, p, q).toBooleanArray());
            assertArrayEquals(new boolean[] {false, false, true, true}, TypedOps.not(p).toBooleanArray());

            Tensor cond = Tensor.ofBooleans(new boolean[] {true, false}, 2, 1);
            Tensor big = Tensor.ofLongs(new long[] {BIG, BIG + 1, BIG + 2}, 3);
            Tensor w = TypedOps.where(cond, big, Tensor.ofLongs(new long[] {-1}));
            assertEquals(DType.I64, w.dtype());
            assertArrayEquals(new int[] {2, 3}, w.shape());
            assertArrayEquals(new long[] {BIG, BIG + 1, BIG + 2, -1, -1, -1}, w.toLongArray());
            Tensor wf = TypedOps.where(cond, Tensor.vector(1, 2, 3), Tensor.scalar(0));
            assertEquals(DType.F32, wf.dtype());
            assertArrayEquals(new float[] {1, 2, 3, 0, 0, 0}, wf.toArray());
            assertArrayEquals(new boolean[] {true, false, false, true}, TypedOps.where(p, q, TypedOps.not(q)).toBooleanArray());
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void integerReductionsOverAxes(String backend) {
        on(backend, () -> {
            Tensor x = Tensor.ofLongs(new long[] {BIG, 2, -3, 4, 5, -6}, 2, 3);
            assertArrayEquals(new long[] {BIG - 1, 3}, TypedOps.reduce(IntegerReduction.SUM, x, new int[] {1}, false).toLongArray());
            Tensor col = TypedOps.reduce(IntegerReduction.PROD, x, new int[] {0}, true);
            assertArrayEquals(new int[] {1, 3}, col.shape());
            assertArrayEquals(new long[] {4 * BIG, 10, 18}, col.toLongArray());
            assertArrayEquals(new long[] {BIG}, TypedOps.reduce(IntegerReduction.MAX, x, new int[] {0, 1}, false).toLongArray());
            assertArrayEquals(new long[] {-6}, TypedOps.reduce(IntegerReduction.MIN, x.t(), new int[] {0, 1}, false).toLongArray());
            Tensor close = Tensor.ofLongs(new long[] {1L << 24, (1L << 24) + 1, 3, -BIG, BIG, BIG}, 2, 3);   // one float, two longs
            assertArrayEquals(new long[] {1, 1}, TypedOps.argExtremum(close, 1, true, false).toLongArray());
            assertArrayEquals(new long[] {2, 0}, TypedOps.argExtremum(close, 1, false, false).toLongArray());
            Tensor firstTie = TypedOps.argExtremum(close.t(), 0, true, true);   // strided; ties go to the first
            assertArrayEquals(new int[] {1, 2}, firstTie.shape());
            assertArrayEquals(new long[] {1, 1}, firstTie.toLongArray());
            // an empty axis gives the identity
            Tensor empty = Tensor.ofLongs(new long[0], 2, 0);
            assertArrayEquals(new long[] {1, 1}, TypedOps.reduce(IntegerReduction.PROD, empty, new int[] {1}, false).toLongArray());
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void cumsumAndNonZero(String backend) {
        on(backend, () -> {
            Tensor x = Tensor.ofLongs(new long[] {BIG, 1, 2, 3, -BIG, 5}, 2, 3);
            assertArrayEquals(new long[] {BIG, BIG + 1, BIG + 3, 3, 3 - BIG, 8 - BIG}, TypedOps.cumsum(x, 1, false, false).toLongArray());
            assertArrayEquals(new long[] {0, BIG, BIG + 1, 0, 3, 3 - BIG}, TypedOps.cumsum(x, 1, true, false).toLongArray());
            assertArrayEquals(new long[] {BIG + 3, 3, 2, 8 - BIG, 5 - BIG, 5}, TypedOps.cumsum(x, 1, false, true).toLongArray());
            assertArrayEquals(new long[] {BIG + 3, -BIG + 1, 7, 3, -BIG, 5}, TypedOps.cumsum(x, 0, false, true).toLongArray());
            Tensor f = TypedOps.cumsum(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).t(), 0, true, false);   // a strided operand
            assertEquals(DType.F32, f.dtype());
            assertArrayEquals(new float[] {0, 0, 1, 3}, f.toArray());

            Tensor nz = TypedOps.nonZero(Tensor.of(new float[] {0, Float.NaN, 0, 2, 0, -1}, 2, 3));
            assertEquals(DType.I64, nz.dtype());
            assertArrayEquals(new int[] {2, 3}, nz.shape());
            assertArrayEquals(new long[] {0, 1, 1, 1, 0, 2}, nz.toLongArray());
            assertArrayEquals(new long[] {1, 2}, TypedOps.nonZero(Tensor.ofBooleans(new boolean[] {false, true, true}, 3)).toLongArray());
            Tensor scalar = TypedOps.nonZero(Tensor.ofLongs(new long[] {BIG}).reshape());   // a 0-d value counts as one dimension
            assertArrayEquals(new int[] {1, 1}, scalar.shape());
            assertArrayEquals(new long[] {0}, scalar.toLongArray());
            assertArrayEquals(new int[] {2, 0}, TypedOps.nonZero(Tensor.ofLongs(new long[4], 2, 2)).shape());
            return null;
        });
    }

    @Test
    void cpuAndReferenceAgreeOnARandomBroadcast() {
        Rng rng = new Rng(7);
        long[] av = new long[4 * 5 * 6], bv = new long[5 * 1];
        for (int i = 0; i < av.length; i++) av[i] = (long) (rng.nextDouble() * 2e12) - (long) 1e12;
        for (int i = 0; i < bv.length; i++) bv[i] = (long) (rng.nextDouble() * 200) - 100;
        for (IntegerBinary op : new IntegerBinary[] {IntegerBinary.ADD, IntegerBinary.SUB, IntegerBinary.MUL, IntegerBinary.MIN, IntegerBinary.MAX}) {
            long[] cpu = on("cpu", () -> TypedOps.integer(op, Tensor.ofLongs(av, 4, 5, 6).permute(2, 0, 1), Tensor.ofLongs(bv, 5).reshape(1, 5)).toLongArray());
            long[] ref = on("reference", () -> TypedOps.integer(op, Tensor.ofLongs(av, 4, 5, 6).permute(2, 0, 1), Tensor.ofLongs(bv, 5).reshape(1, 5)).toLongArray());
            assertArrayEquals(ref, cpu, op.name());
        }
    }

    @Test
    void wrongDtypesAreRefusedNamingOpAndDtypes() {
        Tensor i = Tensor.ofLongs(new long[] {1, 2}, 2), f = Tensor.vector(1, 2), b = Tensor.ofBooleans(new boolean[] {true, false}, 2);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> TypedOps.add(i, f)), "add", "I64", "F32");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> TypedOps.div(f, f)), "div", "F32");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> TypedOps.compare(Comparison.LT, i, f)), "lt", "I64", "F32");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> TypedOps.compare(Comparison.LT, b, b)), "lt", "BOOL");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> TypedOps.logical(Logical.AND, b, i)), "and", "BOOL", "I64");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> TypedOps.not(f)), "not", "F32");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> TypedOps.where(f, i, i)), "where", "condition", "F32");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> TypedOps.where(b, i, f)), "where", "I64", "F32");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> TypedOps.reduce(IntegerReduction.SUM, f, new int[] {0}, false)), "sum", "F32");
        assertMessage(assertThrows(ShapeException.class, () -> TypedOps.add(i, Tensor.ofLongs(new long[] {1, 2, 3}, 3))), "add");
    }
}
