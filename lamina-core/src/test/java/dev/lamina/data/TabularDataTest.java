package dev.lamina.data;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import dev.lamina.train.RegressionMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TabularDataTest {
    @TempDir
    Path dir;

    private Path csv(String text) throws IOException {
        Path p = dir.resolve("t.csv");
        Files.writeString(p, text);
        return p;
    }

    @Test
    void textTargetsAreClassesInSortedOrder() throws IOException {
        TabularData t = TabularData.read(csv("a,kind,b\n1,dog,2\n3,cat,4\n5,dog,6\n"), "kind", null);
        assertEquals(TabularData.Task.CLASSIFY, t.task());
        assertEquals(List.of("cat", "dog"), t.classes());
        assertEquals(List.of("a", "b"), t.features());
        assertArrayEquals(new float[] {1, 0, 1}, t.data().targets().toArray());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.data().features().toArray());
    }

    @Test
    void numericTargetsAreRegressionUnlessToldOtherwise() throws IOException {
        Path p = csv("x,y\n1,10\n2,2\n3,10\n");
        TabularData r = TabularData.read(p, "y", null);
        assertEquals(TabularData.Task.REGRESS, r.task());
        assertArrayEquals(new int[] {3, 1}, r.data().targets().shape());
        TabularData c = TabularData.read(p, "y", TabularData.Task.CLASSIFY);
        assertEquals(List.of("2", "10"), c.classes(), "numeric labels sort as numbers");
        assertArrayEquals(new float[] {1, 0, 1}, c.data().targets().toArray());
    }

    @Test
    void errorsNameFileLineAndColumn() throws IOException {
        Path p = csv("x,y,z\n1,2,3\n4,,6\n");
        var missing = assertThrows(IOException.class, () -> TabularData.read(p, "w", null));
        assertTrue(missing.getMessage().contains("no column named 'w'; columns: x, y, z"), missing.getMessage());
        var empty = assertThrows(IOException.class, () -> TabularData.read(p, "z", null));
        assertTrue(empty.getMessage().contains("t.csv: line 3, column 2 (y): empty value"), empty.getMessage());
        var single = assertThrows(IOException.class, () -> TabularData.read(csv("x,y\n1,a\n2,a\n"), "y", null));
        assertTrue(single.getMessage().contains("holds a single class (a)"), single.getMessage());
        var blank = assertThrows(IOException.class, () -> TabularData.read(csv("x,y\n1,a\n2,\n"), "y", TabularData.Task.CLASSIFY));
        assertTrue(blank.getMessage().contains("line 3, column 2 (y): empty class label"), blank.getMessage());
    }

    @Test
    void splitIsSeededDisjointAndComplete() throws IOException {
        StringBuilder sb = new StringBuilder("x,y\n");
        for (int i = 0; i < 50; i++) sb.append(i).append(',').append(i % 2 == 0 ? "even" : "odd").append('\n');
        TabularData t = TabularData.read(csv(sb.toString()), "y", null);
        TabularData.Split a = t.split(0.2, new Rng(3)), b = t.split(0.2, new Rng(3));
        assertEquals(10, a.test().size());
        assertEquals(40, a.train().size());
        assertArrayEquals(a.test().features().toArray(), b.test().features().toArray());
        java.util.Set<Float> seen = new java.util.TreeSet<>();
        for (float v : a.test().features().toArray()) seen.add(v);
        for (float v : a.train().features().toArray()) assertTrue(seen.add(v), "row " + v + " in both parts");
        assertEquals(50, seen.size());
        assertThrows(IllegalArgumentException.class, () -> t.split(1.0, new Rng(1)));
    }

    @Test
    void classificationSplitsKeepEveryClassShareAndRegressionSplitsAtRandom() throws IOException {
        StringBuilder sb = new StringBuilder("x,y\n");
        for (int i = 0; i < 100; i++) sb.append(i).append(',').append(i < 80 ? "common" : "rare").append('\n');
        TabularData t = TabularData.read(csv(sb.toString()), "y", null);
        TabularData.Split s = t.split(0.25, new Rng(9));
        int rareInTest = 0;
        for (float v : s.test().targets().toArray()) if (v == t.classes().indexOf("rare")) rareInTest++;
        assertEquals(25, s.test().size());
        assertEquals(5, rareInTest, "a quarter of the 20 rare rows, as Dataset.stratifiedSplit holds out");
        Dataset[] expected = t.data().stratifiedSplit(new double[] {0.75, 0.25}, new Rng(9));
        assertArrayEquals(expected[1].features().toArray(), s.test().features().toArray());

        TabularData r = TabularData.read(csv("x,y\n1,1\n2,2\n3,3\n4,4\n5,5\n"), "y", null);
        TabularData.Split rs = r.split(0.4, new Rng(2));
        assertArrayEquals(r.data().randomSplit(new double[] {0.6, 0.4}, new Rng(2))[1].features().toArray(), rs.test().features().toArray());
        var empty = assertThrows(IllegalArgumentException.class, () -> r.split(0.05, new Rng(1)));
        assertTrue(empty.getMessage().contains("leaves 5 to train on and 0 to test"), empty.getMessage());
    }

    @Test
    void aSchemaReadsNewTablesByColumnName() throws IOException {
        TabularData t = TabularData.read(csv("a,b,kind\n1,2,cat\n3,4,dog\n5,6,dog\n"), "kind", null);
        TabularSchema s = TabularSchema.fit(t, t.data());
        Path other = dir.resolve("new.csv");
        Files.writeString(other, "id,kind,b,a\n7,dog,20,10\n8,cat,40,30\n");
        assertArrayEquals(new float[] {10, 20, 30, 40}, s.readFeatures(other).toArray(), "the schema's column order, extra columns ignored");
        Dataset d = s.read(other);
        assertArrayEquals(new float[] {1, 0}, d.targets().toArray());
        Files.writeString(other, "a,c\n1,2\n");
        var missing = assertThrows(IOException.class, () -> s.readFeatures(other));
        assertTrue(missing.getMessage().contains("new.csv: no feature column 'b' (the model reads a, b; the file has a, c)"), missing.getMessage());
        Files.writeString(other, "a,b\n1,2\n");
        var noTarget = assertThrows(IOException.class, () -> s.read(other));
        assertTrue(noTarget.getMessage().contains("new.csv: no target column 'kind'"), noTarget.getMessage());
        Files.writeString(other, "a,b\n1,2\n3,x\n");
        var word = assertThrows(IOException.class, () -> s.readFeatures(other));
        assertTrue(word.getMessage().contains("new.csv: line 3, column 2 (b): 'x' is not a number"), word.getMessage());
        Files.writeString(other, "a,b,kind\n1,2,cat\n3,4,cow\n");
        var unknown = assertThrows(IOException.class, () -> s.read(other));
        assertTrue(unknown.getMessage().contains("new.csv: line 3, column 3 (kind): class 'cow' is not one the model knows (cat, dog)"), unknown.getMessage());
    }

    @Test
    void schemaUsesTrainingStatisticsAndRoundTripsThroughMetadata() throws IOException {
        TabularData t = TabularData.read(csv("x,y\n1,10\n3,20\n100,30\n"), "y", null);
        Dataset train = t.data().head(2);
        TabularSchema s = TabularSchema.fit(t, train);
        assertArrayEquals(new float[] {2}, s.mean());
        assertArrayEquals(new float[] {1}, s.std());
        assertEquals(15, s.targetMean());
        assertEquals(5, s.targetStd());
        Dataset applied = s.apply(t.data());
        assertArrayEquals(new float[] {-1, 1, 98}, applied.features().toArray());
        assertArrayEquals(new float[] {-1, 1, 3}, applied.targets().toArray());
        assertArrayEquals(new float[] {10, 20, 30}, s.targetValues(applied.targets()).toArray());
        TabularSchema back = TabularSchema.fromMetadata(s.toMetadata(), "m.safetensors");
        assertEquals(s.features(), back.features());
        assertEquals(s.task(), back.task());
        assertArrayEquals(s.mean(), back.mean());
        assertEquals(s.targetStd(), back.targetStd());
        assertNull(TabularSchema.fromMetadata(java.util.Map.of(), "m"));
        var bad = assertThrows(IOException.class, () -> TabularSchema.fromMetadata(java.util.Map.of(TabularSchema.METADATA_KEY, "{\"features\": 3}"), "m.safetensors"));
        assertTrue(bad.getMessage().contains("m.safetensors (metadata \"lamina.tabular\"): malformed tabular schema"), bad.getMessage());
    }

    @Test
    void regressionMetrics() {
        RegressionMetrics m = RegressionMetrics.of(Tensor.of(new float[] {1, 2, 4}, 3, 1), Tensor.of(new float[] {1, 3, 3}, 3, 1));
        assertEquals(2.0 / 3, m.mae(), 1e-12);
        assertEquals(Math.sqrt(2.0 / 3), m.rmse(), 1e-12);
        // SS_tot = (1-7/3)² + 2·(3-7/3)² = 8/3; SS_res = 2
        assertEquals(1 - 2 / (8.0 / 3), m.r2(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> RegressionMetrics.of(Tensor.zeros(2), Tensor.zeros(3)));
    }
}
