package dev.lamina.data;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class DatasetSplitTest {
    /** n examples whose single feature is their index; targets cycle through {@code classes} classes unevenly. */
    private static Dataset indexed(int n, int classes) {
        float[] x = new float[n], y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = (i * i + 3 * i) % classes;
        }
        return new Dataset(Tensor.of(x, n, 1), Tensor.of(y, n));
    }

    private static int[] ids(Dataset d) {
        float[] f = d.features().toArray();
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++) out[i] = (int) f[i];
        return out;
    }

    private static void assertPartition(Dataset whole, Dataset[] parts) {
        Set<Integer> seen = new HashSet<>();
        int total = 0;
        for (Dataset p : parts) {
            int[] ids = ids(p);
            total += ids.length;
            float[] y = p.targets().toArray();
            for (int k = 0; k < ids.length; k++) {
                assertTrue(seen.add(ids[k]), "example " + ids[k] + " in two parts");
                assertEquals(whole.targets().toArray()[ids[k]], y[k], "targets travel with their features");
                if (k > 0) assertTrue(ids[k] > ids[k - 1], "each part keeps the original order");
            }
        }
        assertEquals(whole.size(), total, "the parts cover the data set");
        assertEquals(whole.size(), seen.size());
    }

    @Test
    void randomSplitSizesAddUpAndPartsAreDisjointAndCovering() {
        Dataset d = indexed(103, 4);
        Dataset[] parts = d.randomSplit(new double[] {0.7, 0.2, 0.1}, new Rng(1));
        // 72.1, 20.6, 10.3: floors 72, 20, 10, the one left over to the largest remainder (0.6)
        assertArrayEquals(new int[] {72, 21, 10}, Arrays.stream(parts).mapToInt(Dataset::size).toArray());
        assertPartition(d, parts);
        assertArrayEquals(new int[] {2, 1, 0}, DatasetSplit.sizes(3, new double[] {0.5, 0.5, 0}, "t"), "ties go to the earlier part");
        assertArrayEquals(new int[] {0, 10}, DatasetSplit.sizes(10, new double[] {0, 1}, "t"));
    }

    @Test
    void theSameSeedGivesTheSameSplitAndAnotherSeedAnother() {
        Dataset d = indexed(200, 3);
        Dataset[] a = d.randomSplit(new double[] {0.9, 0.1}, new Rng(42)), b = d.randomSplit(new double[] {0.9, 0.1}, new Rng(42));
        Dataset[] c = d.randomSplit(new double[] {0.9, 0.1}, new Rng(43));
        assertArrayEquals(ids(a[1]), ids(b[1]));
        assertFalse(Arrays.equals(ids(a[1]), ids(c[1])));
        Dataset[] s1 = d.stratifiedSplit(new double[] {0.9, 0.1}, new Rng(42)), s2 = d.stratifiedSplit(new double[] {0.9, 0.1}, new Rng(42));
        assertArrayEquals(ids(s1[1]), ids(s2[1]));
        assertFalse(Arrays.equals(ids(s1[1]), ids(d.stratifiedSplit(new double[] {0.9, 0.1}, new Rng(43))[1])));
    }

    @Test
    void stratifiedSplitKeepsEveryClassInProportion() {
        Dataset d = indexed(1000, 7);
        int[] whole = counts(d, 7);
        Dataset[] parts = d.stratifiedSplit(new double[] {0.8, 0.2}, new Rng(3));
        assertPartition(d, parts);
        int[] held = counts(parts[1], 7);
        for (int c = 0; c < 7; c++) {
            assertEquals(0.2 * whole[c], held[c], 1.0, "class " + c + ": " + held[c] + " of " + whole[c]);
        }
        // a plain random split of the same data is not held to that
        assertEquals(200, parts[1].size(), 7.0);
    }

    @Test
    void stratifiedSplitOnTheFashionMnistSubsetHoldsOutATenthOfEachClass() throws Exception {
        Dataset train = FashionMnist.load(java.nio.file.Path.of("..", "data", "fashion-mnist-subset")).train();
        Dataset[] parts = train.stratifiedSplit(new double[] {0.9, 0.1}, new Rng(42));
        assertEquals(train.size(), parts[0].size() + parts[1].size());
        int[] whole = counts(train, 10), held = counts(parts[1], 10);
        for (int c = 0; c < 10; c++) assertEquals(Math.round(0.1 * whole[c]), held[c], 1.0, "class " + c);
    }

    @Test
    void badFractionsAndTargetsAreClearErrors() {
        Dataset d = indexed(10, 2);
        Rng rng = new Rng(1);
        var sum = assertThrows(IllegalArgumentException.class, () -> d.randomSplit(new double[] {0.5, 0.4}, rng));
        assertTrue(sum.getMessage().contains("sum to 1") && sum.getMessage().contains("0.9"), sum.getMessage());
        var neg = assertThrows(IllegalArgumentException.class, () -> d.randomSplit(new double[] {1.2, -0.2}, rng));
        assertTrue(neg.getMessage().contains(">= 0"), neg.getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.randomSplit(new double[] {Double.NaN, 1}, rng));
        assertThrows(IllegalArgumentException.class, () -> d.randomSplit(new double[0], rng));
        Dataset fractional = new Dataset(Tensor.of(new float[] {1, 2}, 2, 1), Tensor.of(new float[] {0, 2.5f}, 2));
        var notClass = assertThrows(IllegalArgumentException.class, () -> fractional.stratifiedSplit(new double[] {0.5, 0.5}, rng));
        assertTrue(notClass.getMessage().contains("2.5") && notClass.getMessage().contains("example 1"), notClass.getMessage());
        Dataset regression = new Dataset(Tensor.of(new float[] {1, 2}, 2, 1), Tensor.of(new float[] {0, 1}, 2, 1));
        assertThrows(dev.lamina.tensor.ShapeException.class, () -> regression.stratifiedSplit(new double[] {0.5, 0.5}, rng));
    }

    private static int[] counts(Dataset d, int classes) {
        int[] c = new int[classes];
        for (float y : d.targets().toArray()) c[(int) y]++;
        return c;
    }
}
