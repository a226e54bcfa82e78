package dev.lamina.cli;

import dev.lamina.tensor.Rng;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code lamina predict} and {@code lamina evaluate} on tabular models the test trains: rows are read by column name
 * and normalised with the statistics saved with the model, classes come back by name with probabilities, regression
 * values in the target's units; bad tables are errors naming the file, line and column.
 */
class TabularPredictEvaluateCliTest {
    @TempDir
    static Path shared;
    private static Path regression, classifier;

    /** y = 3·a − 2·b + sin(3c) + N(0, 0.1²); d is an irrelevant column around 1000 (normalisation matters). */
    private static double y(double a, double b, double c) {
        return 3 * a - 2 * b + Math.sin(3 * c);
    }

    private static String size(double x, double y) {
        double s = x + y;
        return s < -0.7 ? "low" : s < 0.7 ? "mid" : "high";
    }

    /** Rows of the regression table: a, b, c, d, then y when {@code withTarget}; columns in the order of {@code header}. */
    private static Path regressionRows(Path file, int rows, long seed, boolean withTarget) throws Exception {
        Rng rng = new Rng(seed);
        StringBuilder sb = new StringBuilder(withTarget ? "a,b,c,d,y\n" : "d,c,b,a\n");
        for (int i = 0; i < rows; i++) {
            double a = rng.nextGaussian(), b = rng.nextGaussian(), c = rng.nextGaussian(), d = 1000 + 100 * rng.nextGaussian();
            double noise = 0.1 * rng.nextGaussian();
            if (withTarget) sb.append(String.format(Locale.ROOT, "%.5f,%.5f,%.5f,%.3f,%.5f%n", a, b, c, d, y(a, b, c) + noise));
            else sb.append(String.format(Locale.ROOT, "%.3f,%.5f,%.5f,%.5f%n", d, c, b, a));
        }
        return Files.writeString(file, sb);
    }

    private static Path classRows(Path file, int rows, long seed) throws Exception {
        Rng rng = new Rng(seed);
        StringBuilder sb = new StringBuilder("id,y,x,size\n");
        for (int i = 0; i < rows; i++) {
            double x = rng.nextGaussian(), y = rng.nextGaussian();
            sb.append(String.format(Locale.ROOT, "%d,%.4f,%.4f,%s%n", i, y, x, size(x, y)));
        }
        return Files.writeString(file, sb);
    }

    @BeforeAll
    static void trainTabularModels() throws Exception {
        Path table = regressionRows(shared.resolve("reg.csv"), 600, 5, true);
        regression = shared.resolve("reg.safetensors");
        CliRun r = CliRun.run("train", "--data", table.toString(), "--target", "y", "--epochs", "40", "--lr", "3e-3", "--save", regression.toString());
        assertEquals(0, r.code(), r.err());

        StringBuilder sb = new StringBuilder("x,y,size\n");
        Rng rng = new Rng(6);
        for (int i = 0; i < 500; i++) {
            double x = rng.nextGaussian(), y = rng.nextGaussian();
            sb.append(String.format(Locale.ROOT, "%.4f,%.4f,%s%n", x, y, size(x, y)));
        }
        Path classes = Files.writeString(shared.resolve("classes.csv"), sb);
        classifier = shared.resolve("classes.safetensors");
        CliRun c = CliRun.run("train", "--data", classes.toString(), "--target", "size", "--epochs", "30", "--lr", "3e-3", "--save", classifier.toString());
        assertEquals(0, c.code(), c.err());
    }

    private static List<Map<String, Object>> json(CliRun r) {
        assertEquals(0, r.code(), r.err());
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : r.out().strip().split("\n")) out.add(CliTest.JsonCheck.parseObject(line));
        return out;
    }

    @Test
    void regressionPredictsInTheTargetsUnitsAndEvaluateReportsMaeRmseR2() throws Exception {
        Path fresh = regressionRows(shared.resolve("fresh.csv"), 200, 77, true);
        Map<String, Object> e = json(CliRun.run("evaluate", regression.toString(), "--data", fresh.toString(), "--json")).getFirst();
        assertEquals(200.0, e.get("samples"));
        assertEquals("y", e.get("target"));
        double r2 = (Double) e.get("r2");
        assertTrue(r2 > 0.9, "unseen rows: R² " + r2);

        List<Map<String, Object>> rows = json(CliRun.run("predict", regression.toString(), fresh.toString(), "--json"));
        assertEquals(200, rows.size());
        List<String> lines = Files.readAllLines(fresh);
        double abs = 0;
        for (int i = 0; i < rows.size(); i++) {
            assertEquals((double) (i + 1), rows.get(i).get("row"));
            double actual = Double.parseDouble(lines.get(i + 1).split(",")[4]);
            abs += Math.abs((Double) rows.get(i).get("value") - actual);
        }
        assertEquals((Double) e.get("mae"), abs / rows.size(), 1e-4, "predict's values give evaluate's MAE");

        CliRun human = CliRun.run("evaluate", regression.toString(), "--data", fresh.toString());
        assertTrue(human.out().contains("tabular regression of 'y'") && human.out().contains("200 rows") && human.out().matches("(?s).*MAE [0-9.]+ +RMSE [0-9.]+ +R² 0\\.9.*"), human.out());
    }

    @Test
    void rowsAreNormalisedWithTheSavedStatisticsNotTheInputsOwn() throws Exception {
        Path many = regressionRows(shared.resolve("many.csv"), 50, 8, false);
        List<String> lines = Files.readAllLines(many);
        Path one = Files.writeString(shared.resolve("one.csv"), lines.get(0) + "\n" + lines.get(7) + "\n");
        double inMany = (Double) json(CliRun.run("predict", regression.toString(), many.toString(), "--json")).get(6).get("value");
        double alone = (Double) json(CliRun.run("predict", regression.toString(), one.toString(), "--json")).getFirst().get("value");
        assertEquals(inMany, alone, 1e-6, "a row's prediction does not depend on the other rows of its file");
        String[] f = lines.get(7).split(",");   // d, c, b, a: the columns in another order than training's
        double expected = y(Double.parseDouble(f[3]), Double.parseDouble(f[2]), Double.parseDouble(f[1]));
        assertEquals(expected, alone, 1.5, "the model reads the columns by name");
        CliRun human = CliRun.run("predict", regression.toString(), one.toString());
        assertTrue(human.out().startsWith(one + " row 1: y "), human.out());
    }

    @Test
    void classificationPredictsClassesWithProbabilitiesAndEvaluatesWithTheReport() throws Exception {
        Path fresh = classRows(shared.resolve("fresh-classes.csv"), 300, 99);
        List<Map<String, Object>> rows = json(CliRun.run("predict", classifier.toString(), fresh.toString(), "--json", "--top-k", "3"));
        assertEquals(300, rows.size());
        List<String> lines = Files.readAllLines(fresh);
        int right = 0;
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> o = rows.get(i);
            assertEquals("tabular", o.get("model"));
            @SuppressWarnings("unchecked")
            List<Object> p = (List<Object>) o.get("probabilities");
            assertEquals(1.0, p.stream().mapToDouble(v -> (Double) v).sum(), 1e-9);
            if (o.get("class").equals(lines.get(i + 1).split(",")[3])) right++;
        }
        assertTrue(right / 300.0 > 0.85, right + "/300");
        Map<String, Object> e = json(CliRun.run("evaluate", classifier.toString(), "--data", fresh.toString(), "--json")).getFirst();
        assertEquals(right / 300.0, (Double) e.get("accuracy"), 1e-12, "predict and evaluate agree");
        assertEquals("size", e.get("target"));
        CliRun human = CliRun.run("evaluate", classifier.toString(), "--data", fresh.toString());
        assertTrue(human.out().contains("tabular classification of 'size'") && human.out().contains("confusion matrix of the rows")
                && human.out().contains("high") && human.out().contains("mid"), human.out());
        CliRun top = CliRun.run("predict", classifier.toString(), fresh.toString(), "--top-k", "2");
        assertTrue(top.out().startsWith(fresh + " row 1: ") && top.out().contains("%"), top.out());
    }

    @Test
    void badTablesAndFlagsAreClearErrors(@TempDir Path dir) throws Exception {
        Path missing = Files.writeString(dir.resolve("missing.csv"), "a,c,d\n1,2,3\n");
        CliRun m = CliRun.run("predict", regression.toString(), missing.toString());
        assertEquals(1, m.code());
        assertTrue(m.err().contains("missing.csv: no feature column 'b' (the model reads a, b, c, d; the file has a, c, d)"), m.err());

        Path words = Files.writeString(dir.resolve("words.csv"), "a,b,c,d\n1,2,3,4\n1,two,3,4\n");
        CliRun w = CliRun.run("predict", regression.toString(), words.toString());
        assertEquals(1, w.code());
        assertTrue(w.err().contains("words.csv: line 3, column 2 (b): 'two' is not a number"), w.err());
        Path hole = Files.writeString(dir.resolve("hole.csv"), "a,b,c,d,y\n1,2,3,4,5\n1,2,,4,5\n");
        CliRun h = CliRun.run("evaluate", regression.toString(), "--data", hole.toString());
        assertTrue(h.err().contains("hole.csv: line 3, column 3 (c): empty value"), h.err());

        CliRun noTarget = CliRun.run("evaluate", regression.toString(), "--data", words.toString());
        assertTrue(noTarget.err().contains("words.csv: no target column 'y'"), noTarget.err());
        CliRun noData = CliRun.run("evaluate", regression.toString());
        assertTrue(noData.err().contains("a tabular model is evaluated on a table: give --data TABLE.csv (a header row with the columns a, b, c, d and y)"), noData.err());
        Path cow = Files.writeString(dir.resolve("cow.csv"), "x,y,size\n0,0,mid\n1,1,cow\n");
        CliRun unknown = CliRun.run("evaluate", classifier.toString(), "--data", cow.toString());
        assertTrue(unknown.err().contains("cow.csv: line 3, column 3 (size): class 'cow' is not one the model knows (high, low, mid)"), unknown.err());
        CliRun picture = CliRun.run("predict", regression.toString(), dir.resolve("shoe.png").toString());
        assertTrue(picture.err().contains("a tabular model predicts from .csv tables (a header row naming the columns a, b, c, d)"), picture.err());
        CliRun invert = CliRun.run("predict", regression.toString(), missing.toString(), "--invert");
        assertTrue(invert.err().contains("--invert applies to image models") && invert.err().contains("tabular model of 'y'"), invert.err());
        CliRun split = CliRun.run("evaluate", classifier.toString(), "--data", cow.toString(), "--split", "train");
        assertTrue(split.err().contains("--split applies to image models"), split.err());
        CliRun none = CliRun.run("predict", regression.toString(), dir.resolve("none.csv").toString());
        assertTrue(none.err().contains("CSV file not found") && none.err().contains("none.csv"), none.err());

        CliRun summary = CliRun.run("summary", classifier.toString());
        assertEquals(0, summary.code(), summary.err());
        assertTrue(summary.out().contains("Linear") && summary.out().contains("Total parameters"), summary.out());
    }
}
