package dev.lamina.data;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@link DataLoader#iterator(int)}: the epoch continued from a batch, with the generator as it was when the epoch began. */
class DataLoaderResumeTest {
    private static Dataset data(int n) {
        float[] x = new float[n * 3], y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = i;
            for (int j = 0; j < 3; j++) x[i * 3 + j] = i * 10 + j;
        }
        return new Dataset(Tensor.of(x, n, 3), Tensor.of(y, n));
    }

    private static List<float[]> targets(DataLoader.BatchIterator it) {
        List<float[]> out = new ArrayList<>();
        while (it.hasNext()) out.add(it.next().targets().toArray());
        return out;
    }

    @Test
    void skippingBatchesGivesTheRestOfTheSameEpochWithOrWithoutPrefetch() {
        for (int prefetch : new int[] {0, 1, 3}) {
            Rng rng = new Rng(5);
            DataLoader loader = new DataLoader(data(103), 10, true, false, rng).prefetch(prefetch);
            targets(loader.iterator()); // epoch 1
            Rng.State epoch2 = rng.state();
            List<float[]> full = targets(loader.iterator());
            Rng.State after = rng.state();
            for (int skip : new int[] {0, 1, 4, 10, 11}) {
                rng.setState(epoch2);
                List<float[]> rest = targets(loader.iterator(skip));
                assertEquals(full.size() - skip, rest.size(), "skip " + skip);
                for (int i = 0; i < rest.size(); i++) assertArrayEquals(full.get(skip + i), rest.get(i), "prefetch " + prefetch + ", skip " + skip + ", batch " + i);
                assertEquals(after, rng.state(), "the permutation draws the same numbers");
            }
        }
        DataLoader loader = new DataLoader(data(20), 10, false, false, null);
        assertThrows(IllegalArgumentException.class, () -> loader.iterator(3));
        assertThrows(IllegalArgumentException.class, () -> loader.iterator(-1));
    }
}
