package dev.lamina.cli;

import dev.lamina.data.Csv;
import dev.lamina.tensor.Tensor;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Images given as CSV rows for {@code lamina predict}: one image per row, its pixels row by row as numbers from 0
 * to 255 (as the IDX files hold them), divided by 255 as training does. A first line that is not all numbers is a
 * header and skipped. Errors name the file, the line and the column (a missing or non-numeric value, a row of
 * another length) or the data row (a value outside 0–255).
 */
final class PixelRows {
    private PixelRows() {}

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    /** @return [rows, pixels] values in [0, 1] */
    static Tensor read(Path file, int pixels, int width, int height) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such CSV file");
        Csv.Table table = Csv.readTable(file, hasHeader(file));
        int columns = table.columns().size();
        if (columns != pixels) {
            throw new IOException(file + ": its rows have " + columns + " values, the model reads " + pixels + " (" + width + "x" + height
                    + " pixel values 0-255 per row, row by row; no label column)");
        }
        float[] v = table.values().toArray();
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0 || v[i] > 255) {
                throw new IOException(file + ": data row " + (i / pixels + 1) + ", column " + (i % pixels + 1) + ": " + v[i] + " is outside the pixel range 0-255");
            }
            v[i] = v[i] / 255f;
        }
        return Tensor.of(v, table.rows(), pixels);
    }

    private static boolean hasHeader(Path file) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("\uFEFF")) line = line.substring(1);
                if (line.isBlank()) continue;
                for (String f : line.split(",", -1)) {
                    String s = f.strip();
                    if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) s = s.substring(1, s.length() - 1).strip();
                    if (!s.isEmpty() && !NUMBER.matcher(s).matches()) return true;
                }
                return false;
            }
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IOException(file + ": not UTF-8 text", e);
        }
        return false;
    }
}
