package dev.lamina.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class CsvTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private IOException fails(Path file, boolean header, int label) {
        return assertThrows(IOException.class, () -> Csv.read(file, header, label));
    }

    @Test
    void readsHeaderFeaturesAndLabelByNameOrIndex() throws IOException {
        Path p = write("iris.csv", "\uFEFFsepal, petal ,\"species\"\r\n5.1,1.4,0\r\n\r\n 6.2 ,\"4.5\",1\r\n-7e-1,+.5,2\r\n");
        Dataset byName = Csv.read(p, "species");
        assertArrayEquals(new int[] {3, 2}, byName.features().shape());
        assertArrayEquals(new float[] {5.1f, 1.4f, 6.2f, 4.5f, -0.7f, 0.5f}, byName.features().toArray());
        assertArrayEquals(new float[] {0, 1, 2}, byName.targets().toArray());
        Dataset byIndex = Csv.read(p, true, -1);
        assertArrayEquals(byName.features().toArray(), byIndex.features().toArray());
        Dataset firstAsLabel = Csv.read(p, true, 0);
        assertArrayEquals(new float[] {5.1f, 6.2f, -0.7f}, firstAsLabel.targets().toArray());
        assertArrayEquals(new float[] {1.4f, 0, 4.5f, 1, 0.5f, 2}, firstAsLabel.features().toArray());
        assertEquals(java.util.List.of("sepal", "petal", "species"), Csv.readTable(p, true).columns());
    }

    @Test
    void readsAFileWithoutHeader() throws IOException {
        Path p = write("plain.csv", "1,2,3\n4,5,6\n");
        Csv.Table t = Csv.readTable(p, false);
        assertEquals(2, t.rows());
        assertEquals("column 3", t.columns().get(2));
        Dataset d = Csv.read(p, false, 1);
        assertArrayEquals(new float[] {1, 3, 4, 6}, d.features().toArray());
        assertArrayEquals(new float[] {2, 5}, d.targets().toArray());
    }

    @Test
    void nonNumberNamesFileLineAndColumn() throws IOException {
        Path p = write("bad.csv", "a,b,label\n1,2,0\n3,abc,1\n");
        String m = fails(p, true, -1).getMessage();
        assertTrue(m.contains("bad.csv") && m.contains("line 3") && m.contains("column 2 (b)") && m.contains("'abc' is not a number"), m);
    }

    @Test
    void headerReadAsDataIsANonNumberOnLineOne() throws IOException {
        Path p = write("header.csv", "x,y\n1,2\n");
        String m = fails(p, false, -1).getMessage();
        assertTrue(m.contains("line 1, column 1") && m.contains("'x'"), m);
    }

    @Test
    void emptyFieldNanAndJavaOnlyNumberFormsAreRejected() throws IOException {
        String m = fails(write("empty.csv", "1,2\n3,\n"), false, -1).getMessage();
        assertTrue(m.contains("line 2, column 2") && m.contains("empty value"), m);
        m = fails(write("nan.csv", "1,NaN\n"), false, -1).getMessage();
        assertTrue(m.contains("'NaN' is not a number"), m);
        m = fails(write("suffix.csv", "1,2f\n"), false, -1).getMessage();
        assertTrue(m.contains("'2f' is not a number"), m);
        m = fails(write("huge.csv", "1,1e60\n"), false, -1).getMessage();
        assertTrue(m.contains("out of float range"), m);
    }

    @Test
    void raggedRowNamesBothLengths() throws IOException {
        Path p = write("ragged.csv", "a,b,c\n1,2,3\n4,5\n");
        String m = fails(p, true, -1).getMessage();
        assertTrue(m.contains("ragged.csv") && m.contains("line 3 has 2 fields, expected 3 (as in line 1)"), m);
    }

    @Test
    void missingEmptyAndBadLabelColumn() throws IOException {
        String m = fails(dir.resolve("nope.csv"), true, -1).getMessage();
        assertTrue(m.contains("CSV file not found") && m.contains("nope.csv"), m);
        m = fails(write("only-header.csv", "a,b\n\n"), true, -1).getMessage();
        assertTrue(m.contains("no data rows after the header"), m);
        Path p = write("ok.csv", "a,b\n1,2\n");
        m = fails(p, true, 5).getMessage();
        assertTrue(m.contains("label column 5 is out of range for 2 columns"), m);
        m = assertThrows(IOException.class, () -> Csv.read(p, "c")).getMessage();
        assertTrue(m.contains("no column named 'c'") && m.contains("a, b"), m);
    }
}
