package dev.lamina.spark.ml;

import dev.lamina.spark.InputColumns;
import dev.lamina.tensor.Tensor;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Distributed batch inference over one partition: rows are read {@code batchSize} at a time, run through the model
 * (built once per executor slot from the broadcast, see {@link RunnerCache}) and given back with the output columns
 * appended. Lazy: a partition is never held in memory beyond one batch.
 *
 * <p>Outputs by {@link Kind}: a classifier appends {@code prediction} (the arg-max class, double) and {@code probability}
 * (softmax of the outputs, a Spark ML vector); a regressor appends {@code prediction} (the single output); raw appends
 * the outputs as a vector.
 */
final class BatchPredictor implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    enum Kind { CLASSIFIER, REGRESSOR, RAW }

    private final Broadcast<byte[]> bytes;
    private final ModelSource source;
    private final int featuresIndex, featureLength, batchSize;
    private final String featuresCol;
    private final Kind kind;

    BatchPredictor(Broadcast<byte[]> bytes, ModelSource source, int featuresIndex, String featuresCol, int featureLength, int batchSize, Kind kind) {
        this.bytes = bytes;
        this.source = source;
        this.featuresIndex = featuresIndex;
        this.featuresCol = featuresCol;
        this.featureLength = featureLength;
        this.batchSize = batchSize;
        this.kind = kind;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        return new Iterator<>() {
            private final List<Row> out = new ArrayList<>();
            private int next;

            @Override
            public boolean hasNext() {
                if (next < out.size()) return true;
                out.clear();
                next = 0;
                if (!rows.hasNext()) return false;
                List<Row> in = new ArrayList<>(batchSize);
                while (rows.hasNext() && in.size() < batchSize) in.add(rows.next());
                predict(in, out);
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                return out.get(next++);
            }
        };
    }

    /** A model output's values as doubles: F32 as they are, I64 exactly up to 2^53 (class ids, counts), BOOL as 0 and 1. */
    private static double[] values(Tensor y) {
        return switch (y.dtype()) {
            case F32 -> {
                float[] f = y.toArray();
                double[] d = new double[f.length];
                for (int i = 0; i < f.length; i++) d[i] = f[i];
                yield d;
            }
            case I64 -> java.util.Arrays.stream(y.toLongArray()).asDoubleStream().toArray();
            case BOOL -> {
                boolean[] b = y.toBooleanArray();
                double[] d = new double[b.length];
                for (int i = 0; i < b.length; i++) d[i] = b[i] ? 1 : 0;
                yield d;
            }
        };
    }

    private void predict(List<Row> in, List<Row> out) {
        int n = in.size();
        float[] x = new float[n * featureLength];
        for (int i = 0; i < n; i++) {
            float[] f = InputColumns.floats(in.get(i), featuresIndex);
            if (f.length != featureLength) {
                throw new IllegalArgumentException("features column '" + featuresCol + "' holds a row of length " + f.length + "; the model takes " + featureLength + " values per row");
            }
            System.arraycopy(f, 0, x, i * featureLength, featureLength);
        }
        BatchRunner runner = RunnerCache.borrow(bytes, source);
        Tensor y;
        try {
            y = runner.run(Tensor.of(x, n, featureLength));
        } finally {
            RunnerCache.giveBack(bytes, runner);
        }
        double[] v = values(y);
        int k = v.length / n;
        for (int i = 0; i < n; i++) {
            Row r = in.get(i);
            Object[] values = new Object[r.length() + (kind == Kind.CLASSIFIER ? 2 : 1)];
            for (int c = 0; c < r.length(); c++) values[c] = r.get(c);
            int o = i * k;
            switch (kind) {
                case CLASSIFIER -> {
                    int best = 0;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < k; j++) if (v[o + j] > max) { max = v[o + j]; best = j; }
                    double[] p = new double[k];
                    double sum = 0;
                    for (int j = 0; j < k; j++) sum += p[j] = Math.exp(v[o + j] - max);
                    for (int j = 0; j < k; j++) p[j] /= sum;
                    values[r.length()] = (double) best;
                    values[r.length() + 1] = Vectors.dense(p);
                }
                case REGRESSOR -> values[r.length()] = (double) v[o];
                case RAW -> {
                    double[] d = new double[k];
                    for (int j = 0; j < k; j++) d[j] = v[o + j];
                    values[r.length()] = Vectors.dense(d);
                }
            }
            out.add(RowFactory.create(values));
        }
    }
}
