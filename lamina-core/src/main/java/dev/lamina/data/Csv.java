package dev.lamina.data;

import dev.lamina.tensor.Tensor;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reader of CSV files of numbers, for tabular data: comma-separated, an optional header row, one example per line.
 * Values are decimal numbers ({@code 3}, {@code -0.5}, {@code 1e-3}; surrounding spaces and double quotes are
 * ignored); blank lines are skipped. Anything else (an empty field, {@code NaN}, a word) is an error naming the file,
 * the line and the column, as is a row with a different number of fields than the first.
 *
 * <pre>{@code
 * Dataset iris = Csv.read(Path.of("iris.csv"), true, -1);     // header row, label in the last column
 * Dataset iris = Csv.read(Path.of("iris.csv"), "species");    // header row, label column by name
 * }</pre>
 */
public final class Csv {
    private Csv() {}

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    /** A whole file: column names (from the header, or {@code column 1..n} without one) and values [rows, columns]. */
    public record Table(List<String> columns, Tensor values) {
        public int rows() {
            return values.size(0);
        }

        /** Index of the column called {@code name}. */
        public int column(String name) {
            int i = columns.indexOf(name);
            if (i < 0) throw new IllegalArgumentException("no column named '" + name + "'; columns: " + String.join(", ", columns));
            return i;
        }

        /**
         * Features [rows, columns − 1] from every column but {@code labelColumn}, targets [rows] from that one
         * (0-based; negative counts from the end, −1 the last column).
         */
        public Dataset toDataset(int labelColumn) {
            int c = columns.size();
            int label = labelColumn < 0 ? c + labelColumn : labelColumn;
            if (label < 0 || label >= c) throw new IllegalArgumentException("label column " + labelColumn + " is out of range for " + c + " columns");
            if (c < 2) throw new IllegalArgumentException("need at least two columns (features and a label), got " + c);
            int n = rows();
            float[] v = values.toArray(), x = new float[n * (c - 1)], y = new float[n];
            for (int r = 0; r < n; r++) {
                for (int j = 0, k = 0; j < c; j++) {
                    if (j == label) y[r] = v[r * c + j];
                    else x[r * (c - 1) + k++] = v[r * c + j];
                }
            }
            return new Dataset(Tensor.of(x, n, c - 1), Tensor.of(y, n));
        }
    }

    /** Features and label of a file; see {@link Table#toDataset(int)} for {@code labelColumn}. */
    public static Dataset read(Path file, boolean header, int labelColumn) throws IOException {
        Table t = readTable(file, header);
        try {
            return t.toDataset(labelColumn);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Features and label of a file with a header row, the label column chosen by name. */
    public static Dataset read(Path file, String labelColumn) throws IOException {
        Table t = readTable(file, true);
        try {
            return t.toDataset(t.column(labelColumn));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The fields of a file as text (unquoted and stripped), with the file's line number of every row: what
     * {@link #readTable} and the tabular reader of mixed columns ({@link TabularData}) parse. Checks that the file
     * exists, is UTF-8, has rows, and that every row has as many fields as the first.
     */
    public record Rows(Path file, List<String> columns, List<String[]> rows, int[] lines) {
        /** The number in row {@code r}, column {@code j}, or an IOException naming the file, line and column. */
        public float number(int r, int j) throws IOException {
            String f = rows.get(r)[j];
            String name = " (" + columns.get(j) + ")";
            if (!NUMBER.matcher(f).matches()) {
                String what = f.isEmpty() ? "empty value" : "'" + (f.length() > 40 ? f.substring(0, 40) + "..." : f) + "' is not a number";
                throw new IOException(file + ": line " + lines[r] + ", column " + (j + 1) + name + ": " + what);
            }
            float v = Float.parseFloat(f);
            if (!Float.isFinite(v)) throw new IOException(file + ": line " + lines[r] + ", column " + (j + 1) + name + ": " + f + " is out of float range");
            return v;
        }

        /** Whether every cell of column {@code j} is a number. */
        public boolean numeric(int j) {
            for (String[] row : rows) if (!NUMBER.matcher(row[j]).matches()) return false;
            return true;
        }
    }

    /** The rows of a file as text; without {@code header} the columns are called {@code column 1..n}. */
    public static Rows readRows(Path file, boolean header) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("CSV file not found: " + file);
        List<String> columns = null;
        List<String[]> rows = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        int width = -1, widthLine = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
                if (line.isBlank()) continue;
                String[] fields = line.split(",", -1);
                if (width < 0) {
                    width = fields.length;
                    widthLine = lineNo;
                } else if (fields.length != width) {
                    throw new IOException(file + ": line " + lineNo + " has " + fields.length + " fields, expected " + width + " (as in line " + widthLine + ")");
                }
                for (int j = 0; j < width; j++) fields[j] = unquote(fields[j]);
                if (header && columns == null) {
                    columns = List.of(fields);
                    continue;
                }
                rows.add(fields);
                lines.add(lineNo);
            }
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IOException(file + ": not UTF-8 text", e);
        }
        if (rows.isEmpty()) throw new IOException(file + ": no data rows" + (header ? " after the header" : ""));
        if (columns == null) {
            columns = new ArrayList<>();
            for (int j = 1; j <= width; j++) columns.add("column " + j);
        }
        return new Rows(file, List.copyOf(columns), rows, lines.stream().mapToInt(Integer::intValue).toArray());
    }

    /** All columns of a file as numbers. */
    public static Table readTable(Path file, boolean header) throws IOException {
        Rows r = readRows(file, header);
        int width = r.columns().size(), n = r.rows().size();
        float[] values = new float[n * width];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < width; j++) values[i * width + j] = r.number(i, j);
        }
        return new Table(r.columns(), Tensor.of(values, n, width));
    }

    private static String unquote(String field) {
        String f = field.strip();
        if (f.length() >= 2 && f.charAt(0) == '"' && f.charAt(f.length() - 1) == '"') f = f.substring(1, f.length() - 1).strip();
        return f;
    }
}
