package dev.lamina.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextCorpusTest {
    @Test
    void vocabularyIsTheSortedDistinctCharactersAndRoundTrips() {
        TextCorpus c = TextCorpus.of("banana band\n");
        assertEquals("\n abdn", c.vocabulary().symbols());
        int[] ids = c.vocabulary().encode("band");
        assertArrayEquals(new int[] {3, 2, 5, 4}, ids);
        assertEquals("band", c.vocabulary().decode(ids));
        TextCorpus.Vocabulary back = TextCorpus.Vocabulary.fromSymbols(c.vocabulary().symbols());
        assertArrayEquals(ids, back.encode("band"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.vocabulary().encode("bandz"));
        assertTrue(e.getMessage().contains("'z'") && e.getMessage().contains("position 4"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> c.vocabulary().decode(new int[] {6}));
    }

    @Test
    void windowsShiftTargetsByOneAndDropTheShortTail() {
        int[] ids = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        Dataset d = TextCorpus.windows(ids, 4); // (10 - 1) / 4 = 2 windows
        assertArrayEquals(new int[] {2, 4}, d.features().shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, d.features().toArray());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, d.targets().toArray());
        assertThrows(IllegalArgumentException.class, () -> TextCorpus.windows(new int[] {1, 2}, 4));
    }

    @Test
    void splitKeepsTheLastFractionForValidation() {
        TextCorpus c = TextCorpus.of("abcdefghij");
        assertEquals(9, c.trainIds(0.1).length);
        assertArrayEquals(new int[] {9}, c.validationIds(0.1));
        assertThrows(IllegalArgumentException.class, () -> c.trainIds(1.0));
    }

    @Test
    void bundledCorpusLoads() throws IOException {
        TextCorpus c = TextCorpus.load(Path.of("..", "data", "kjv-subset", "kjv-subset.txt"));
        assertTrue(c.length() > 600_000, "length " + c.length());
        assertTrue(c.vocabulary().size() > 50 && c.vocabulary().size() < 80, "vocabulary " + c.vocabulary().size());
        assertTrue(c.vocabulary().decode(c.ids(0, 16)).startsWith("In the beginning"));
    }

    @Test
    void badFilesAreRejected(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.txt");
        Files.write(bad, new byte[] {'a', 'b', (byte) 0xC3, (byte) 0x28});
        IOException e = assertThrows(IOException.class, () -> TextCorpus.load(bad));
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
        Path one = dir.resolve("one.txt");
        Files.writeString(one, "aaaa");
        assertTrue(assertThrows(IOException.class, () -> TextCorpus.load(one)).getMessage().contains("two distinct"));
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "");
        assertThrows(IOException.class, () -> TextCorpus.load(empty));
    }
}
