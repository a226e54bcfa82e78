package dev.lamina.data;

import dev.lamina.io.JsonTree;
import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a tabular model needs besides its weights to predict from raw rows: the feature columns in order, the
 * target, the task, the class labels, and the normalisation fitted on the training rows only — per-feature mean and
 * standard deviation, and for regression the target's, so the model learns standardised targets and
 * {@link #targetValues} turns its outputs back into the target's units. Saved with the model in the safetensors
 * metadata under {@link #METADATA_KEY} (JSON).
 */
public record TabularSchema(List<String> features, String target, TabularData.Task task, List<String> classes,
                            float[] mean, float[] std, float targetMean, float targetStd) {
    /** The safetensors metadata key of a saved tabular model's schema. */
    public static final String METADATA_KEY = "lamina.tabular";

    /** The schema of {@code table} with statistics from {@code trainRows} (a part of it) only. */
    public static TabularSchema fit(TabularData table, Dataset trainRows) {
        Transform.Normalize x = Transform.Normalize.fit(trainRows.features(), true);
        float tm = 0, ts = 1;
        if (table.task() == TabularData.Task.REGRESS) {
            Transform.Normalize y = Transform.Normalize.fit(trainRows.targets(), false);
            tm = y.mean()[0];
            ts = y.std()[0];
        }
        return new TabularSchema(table.features(), table.target(), table.task(), table.classes(), x.mean(), x.std(), tm, ts);
    }

    /** Features [N, F] of raw rows, normalised. */
    public Tensor features(Tensor raw) {
        return Transform.normalize(mean, std).apply(raw);
    }

    /** The rows as the model trains on them: features normalised and, for regression, targets standardised. */
    public Dataset apply(Dataset raw) {
        Tensor y = task == TabularData.Task.REGRESS ? Transform.normalize(targetMean, targetStd).apply(raw.targets()) : raw.targets();
        return new Dataset(features(raw.features()), y);
    }

    /** The model's regression outputs [N, 1] in the target's units (out · std + mean). */
    public Tensor targetValues(Tensor out) {
        float[] v = out.toArray();
        for (int i = 0; i < v.length; i++) v[i] = v[i] * targetStd + targetMean;
        return Tensor.of(v, out.shape());
    }

    /** The model's output width: the number of classes, or 1 for regression. */
    public int outputs() {
        return task == TabularData.Task.CLASSIFY ? classes.size() : 1;
    }

    /**
     * The feature columns of a CSV table (header row) as the model takes them: the columns named by
     * {@link #features()}, in that order, raw (not normalised; {@link #features(Tensor)} does that). Other columns,
     * the target among them, are ignored.
     *
     * @return raw features [N, F]
     * @throws IOException naming the file and what is wrong: a missing column (listing the file's columns), a
     *                     missing or non-numeric cell (line and column)
     */
    public Tensor readFeatures(Path file) throws IOException {
        Csv.Rows rows = Csv.readRows(file, true);
        return features(rows, columns(rows, features, "feature"));
    }

    /**
     * A CSV table (header row) with the target column, raw, as training reads it: features [N, F] in the order of
     * {@link #features()} and targets as class indices [N] into {@link #classes()} or values [N, 1].
     *
     * @throws IOException naming the file and what is wrong: a missing column, a missing or non-numeric cell, a class
     *                     the model does not know (line and column)
     */
    public Dataset read(Path file) throws IOException {
        Csv.Rows rows = Csv.readRows(file, true);
        int[] cols = columns(rows, features, "feature");
        int t = columns(rows, List.of(target), "target")[0];
        int n = rows.rows().size();
        float[] y = new float[n];
        for (int r = 0; r < n; r++) {
            if (task == TabularData.Task.REGRESS) {
                y[r] = rows.number(r, t);
                continue;
            }
            String label = rows.rows().get(r)[t];
            int c = classes.indexOf(label);
            if (c < 0) {
                throw new IOException(file + ": line " + rows.lines()[r] + ", column " + (t + 1) + " (" + target + "): "
                        + (label.isEmpty() ? "empty class label" : "class '" + label + "' is not one the model knows (" + String.join(", ", classes) + ")"));
            }
            y[r] = c;
        }
        return new Dataset(features(rows, cols), task == TabularData.Task.REGRESS ? Tensor.of(y, n, 1) : Tensor.of(y, n));
    }

    private static int[] columns(Csv.Rows rows, List<String> names, String what) throws IOException {
        List<String> missing = new ArrayList<>();
        int[] out = new int[names.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.columns().indexOf(names.get(i));
            if (out[i] < 0) missing.add(names.get(i));
        }
        if (!missing.isEmpty()) {
            throw new IOException(rows.file() + ": no " + what + " column" + (missing.size() > 1 ? "s " : " ") + missing.stream().map(m -> "'" + m + "'").collect(Collectors.joining(", "))
                    + " (" + (what.equals("target") ? "the column the model predicts" : "the model reads " + String.join(", ", names)) + "; the file has " + String.join(", ", rows.columns()) + ")");
        }
        return out;
    }

    private static Tensor features(Csv.Rows rows, int[] cols) throws IOException {
        int n = rows.rows().size(), f = cols.length;
        float[] x = new float[n * f];
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < f; k++) x[r * f + k] = rows.number(r, cols[k]);
        }
        return Tensor.of(x, n, f);
    }

    /** {@link #METADATA_KEY} → this schema as JSON. */
    public Map<String, String> toMetadata() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("features", new ArrayList<Object>(features));
        m.put("target", target);
        m.put("task", task.name().toLowerCase(java.util.Locale.ROOT));
        m.put("classes", classes == null ? null : new ArrayList<Object>(classes));
        m.put("mean", floats(mean));
        m.put("std", floats(std));
        m.put("target_mean", (double) targetMean);
        m.put("target_std", (double) targetStd);
        return Map.of(METADATA_KEY, JsonTree.write(m));
    }

    /** The schema in a saved model's metadata, or null if there is none. */
    @SuppressWarnings("unchecked")
    public static TabularSchema fromMetadata(Map<String, String> metadata, String src) throws IOException {
        String json = metadata.get(METADATA_KEY);
        if (json == null) return null;
        String where = src + " (metadata \"" + METADATA_KEY + "\")";
        try {
            Map<String, Object> m = (Map<String, Object>) JsonTree.parse(json, where);
            List<String> features = new ArrayList<>();
            for (Object o : (List<Object>) m.get("features")) features.add((String) o);
            List<String> classes = null;
            if (m.get("classes") != null) {
                classes = new ArrayList<>();
                for (Object o : (List<Object>) m.get("classes")) classes.add((String) o);
            }
            float[] mean = toFloats((List<Object>) m.get("mean")), std = toFloats((List<Object>) m.get("std"));
            if (mean.length != features.size() || std.length != features.size()) throw new IOException(where + ": " + features.size() + " features but " + mean.length + " means and " + std.length + " deviations");
            return new TabularSchema(List.copyOf(features), (String) m.get("target"), TabularData.Task.parse((String) m.get("task")),
                    classes == null ? null : List.copyOf(classes), mean, std, ((Number) m.get("target_mean")).floatValue(), ((Number) m.get("target_std")).floatValue());
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw new IOException(where + ": malformed tabular schema (" + e.getMessage() + ")", e);
        }
    }

    private static List<Object> floats(float[] v) {
        List<Object> out = new ArrayList<>();
        for (float f : v) out.add((double) f);
        return out;
    }

    private static float[] toFloats(List<Object> v) {
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) out[i] = ((Number) v.get(i)).floatValue();
        return out;
    }
}
