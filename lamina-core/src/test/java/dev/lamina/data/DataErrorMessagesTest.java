package dev.lamina.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/** Bad data paths are reported as what they are: a file for a directory, a directory for a text file, a cut-off .gz. */
class DataErrorMessagesTest {
    @TempDir
    Path dir;

    @Test
    void aTruncatedGzipIdxFileNamesTheFileAndSaysItIsTruncated() throws IOException {
        byte[] idx = new byte[16 + 2 * 28 * 28];
        byte[] header = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28};
        System.arraycopy(header, 0, idx, 0, header.length);
        for (int i = 16; i < idx.length; i++) idx[i] = (byte) (i * 7);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(idx);
        }
        byte[] whole = gz.toByteArray();
        Path file = Files.write(dir.resolve("train-images-idx3-ubyte.gz"), Arrays.copyOf(whole, whole.length / 2));
        IOException e = assertThrows(IOException.class, () -> Idx.read(file));
        assertTrue(e.getMessage().startsWith(file + ": truncated or corrupt gzip file"), e.getMessage());
        assertEquals(2, Idx.read(Files.write(dir.resolve("whole.gz"), whole)).size(0), "the whole file reads");
    }

    @Test
    void aFileGivenAsImageDataSaysItIsAFileAndWhatADirectoryMustHold() throws IOException {
        Path file = Files.writeString(dir.resolve("images.csv"), "1,2,3\n");
        IOException e = assertThrows(IOException.class, () -> FashionMnist.load(file));
        assertTrue(e.getMessage().startsWith(file + " is a file, not a directory"), e.getMessage());
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte") && e.getMessage().contains("t10k-labels-idx1-ubyte"), e.getMessage());
    }

    @Test
    void aDirectoryGivenAsTextSaysItIsAnEmptyDirectoryAndThatATextFileIsExpected() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("corpus"));
        IOException e = assertThrows(IOException.class, () -> TextCorpus.load(empty));
        assertEquals(empty + " is an empty directory, not a text file: a text corpus is one UTF-8 text file (e.g. corpus.txt)", e.getMessage());
        Files.writeString(empty.resolve("a.txt"), "abc");
        IOException full = assertThrows(IOException.class, () -> TextCorpus.load(empty));
        assertTrue(full.getMessage().startsWith(empty + " is a directory, not a text file"), full.getMessage());
        IOException missing = assertThrows(IOException.class, () -> TextCorpus.load(dir.resolve("nope.txt")));
        assertEquals(dir.resolve("nope.txt") + ": no such text file", missing.getMessage());
    }
}
