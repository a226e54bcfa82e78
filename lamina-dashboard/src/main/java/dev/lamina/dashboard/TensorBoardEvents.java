package dev.lamina.dashboard;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of TensorBoard's {@code Event} and {@code Summary} messages (tensorflow/core/util/event.proto,
 * tensorflow/core/framework/summary.proto) that scalars, histograms and images use, written and read with
 * protobuf's wire-format streams:
 * <pre>
 * Event        { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
 * Summary      { repeated Value value = 1; }
 * Value        { string tag = 1; float simple_value = 2; Image image = 4; HistogramProto histo = 5; TensorProto tensor = 8; }
 * HistogramProto { double min = 1, max = 2, num = 3, sum = 4, sum_squares = 5; repeated double bucket_limit = 6 [packed], bucket = 7 [packed]; }
 * Image        { int32 height = 1, width = 2, colorspace = 3; bytes encoded_image_string = 4; }
 * TensorProto  { DataType dtype = 1; bytes tensor_content = 4; repeated float float_val = 5 [packed]; repeated double double_val = 6 [packed]; }
 * </pre>
 * TensorFlow 2 writes scalars, histograms and images as a {@code tensor} whose metadata names the plugin; those are
 * read too.
 */
final class TensorBoardEvents {
    static final String FILE_VERSION = "brain.Event:2";
    private static final int DT_FLOAT = 1, DT_DOUBLE = 2;

    private TensorBoardEvents() {
    }

    static byte[] fileVersion(double wallTime) {
        return message(out -> {
            out.writeDouble(1, wallTime);
            out.writeString(3, FILE_VERSION);
        });
    }

    static byte[] scalar(String tag, long step, double wallTime, float value) {
        return event(step, wallTime, message(v -> {
            v.writeString(1, tag);
            v.writeFloat(2, value);
        }));
    }

    /** A histogram whose bucket {@code i} holds the values in ({@code edges[i]}, {@code edges[i+1]}]. */
    static byte[] histogram(String tag, long step, double wallTime, Histogram h) {
        byte[] histo = message(o -> {
            o.writeDouble(1, h.edges()[0]);
            o.writeDouble(2, h.edges()[h.edges().length - 1]);
            o.writeDouble(3, h.n() - h.nonFinite());
            o.writeDouble(4, h.sum());
            o.writeDouble(5, h.sumSquares());
            o.writeTag(6, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            o.writeUInt32NoTag(8 * h.counts().length);
            for (int i = 1; i < h.edges().length; i++) o.writeDoubleNoTag(h.edges()[i]);
            o.writeTag(7, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            o.writeUInt32NoTag(8 * h.counts().length);
            for (long c : h.counts()) o.writeDoubleNoTag(c);
        });
        return event(step, wallTime, message(v -> {
            v.writeString(1, tag);
            v.writeByteArray(5, histo);
        }));
    }

    /** An encoded image (PNG); {@code colorspace} 1 grey, 3 RGB, 4 RGBA. */
    static byte[] image(String tag, long step, double wallTime, int height, int width, int colorspace, byte[] png) {
        byte[] image = message(o -> {
            o.writeInt32(1, height);
            o.writeInt32(2, width);
            o.writeInt32(3, colorspace);
            o.writeByteArray(4, png);
        });
        return event(step, wallTime, message(v -> {
            v.writeString(1, tag);
            v.writeByteArray(4, image);
        }));
    }

    private static byte[] event(long step, double wallTime, byte[] value) {
        byte[] summary = message(s -> s.writeByteArray(1, value));
        return message(e -> {
            e.writeDouble(1, wallTime);
            e.writeInt64(2, step);
            e.writeByteArray(5, summary);
        });
    }

    private interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Body body) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            body.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------ reading

    /**
     * One event as run records (see {@link RunLog}): {@code scalar}, {@code histogram} and {@code image} records,
     * one per summary value that is one of those; other events (the file version, graphs, session logs) give none.
     *
     * @param plugins the plugin of each tag seen so far in this file (TensorFlow names it in a value's metadata only
     *                the first time a tag appears); updated here
     * @throws IOException when {@code event} is not a well-formed protobuf message
     */
    static List<Map<String, Object>> records(byte[] event, Map<String, String> plugins) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(event);
        double wall = 0;
        long step = 0;
        List<byte[]> values = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> wall = in.readDouble();
                case 2 -> step = in.readInt64();
                case 5 -> {
                    CodedInputStream s = CodedInputStream.newInstance(in.readByteArray());
                    for (int t; (t = s.readTag()) != 0; ) {
                        if (WireFormat.getTagFieldNumber(t) == 1) values.add(s.readByteArray());
                        else s.skipField(t);
                    }
                }
                default -> in.skipField(tag);
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (byte[] v : values) {
            Map<String, Object> r = value(v, plugins);
            if (r == null) continue;
            r.put("step", step);
            r.put("wall", wall);
            out.add(r);
        }
        return out;
    }

    private static Map<String, Object> value(byte[] bytes, Map<String, String> plugins) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        String tag = "", plugin = null;
        Map<String, Object> r = null;
        byte[] tensor = null;
        for (int t; (t = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(t)) {
                case 1 -> tag = in.readString();
                case 2 -> r = scalarRecord(in.readFloat());
                case 4 -> r = imageRecord(in.readByteArray());
                case 5 -> r = histogramRecord(in.readByteArray());
                case 8 -> tensor = in.readByteArray();
                case 9 -> plugin = pluginName(in.readByteArray());
                default -> in.skipField(t);
            }
        }
        if (plugin != null) plugins.put(tag, plugin);
        if (tensor != null) r = tensorRecord(Tensor.parse(tensor), plugins.get(tag));
        if (r == null) return null;
        Map<String, Object> ordered = new LinkedHashMap<>();
        ordered.put("type", r.remove("type"));
        ordered.put("tag", tag);
        ordered.putAll(r);
        return ordered;
    }

    /** SummaryMetadata { PluginData plugin_data = 1 { string plugin_name = 1; } } */
    private static String pluginName(byte[] metadata) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(metadata);
        for (int t; (t = in.readTag()) != 0; ) {
            if (WireFormat.getTagFieldNumber(t) != 1) {
                in.skipField(t);
                continue;
            }
            CodedInputStream p = CodedInputStream.newInstance(in.readByteArray());
            for (int u; (u = p.readTag()) != 0; ) {
                if (WireFormat.getTagFieldNumber(u) == 1) return p.readString();
                p.skipField(u);
            }
        }
        return null;
    }

    private static Map<String, Object> scalarRecord(double value) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("type", "scalar");
        r.put("value", value);
        return r;
    }

    private static Map<String, Object> histogramRecord(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        double min = 0, max = 0;
        List<Double> limits = new ArrayList<>(), buckets = new ArrayList<>();
        for (int t; (t = in.readTag()) != 0; ) {
            int field = WireFormat.getTagFieldNumber(t);
            switch (field) {
                case 1 -> min = in.readDouble();
                case 2 -> max = in.readDouble();
                case 6, 7 -> readDoubles(in, t, field == 6 ? limits : buckets);
                default -> in.skipField(t);
            }
        }
        if (limits.size() != buckets.size()) throw new IOException("a histogram has " + limits.size() + " bucket limits but " + buckets.size() + " buckets");
        // bucket i holds (limit[i-1], limit[i]]; TensorFlow's run to +-DBL_MAX, PyTorch's start with an empty bucket
        // at the minimum: the recorded min and max bound the values
        List<Double> edges = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        double left = min;
        for (int i = 0; i < limits.size(); i++) {
            double right = Math.min(limits.get(i), max);
            if (buckets.get(i) == 0 && (right <= min || left >= max)) {
                left = Math.max(left, right);
                continue;
            }
            if (edges.isEmpty()) edges.add(Math.max(left, min));
            edges.add(Math.max(right, edges.getLast()));
            counts.add(Math.round(buckets.get(i)));
            left = right;
        }
        return histogram(min, max, edges, counts);
    }

    private static Map<String, Object> histogram(double min, double max, List<Double> edges, List<Long> counts) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("type", "histogram");
        r.put("min", min);
        r.put("max", max);
        r.put("edges", edges);
        r.put("counts", counts);
        return r;
    }

    private static void readDoubles(CodedInputStream in, int tag, List<Double> into) throws IOException {
        if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int limit = in.pushLimit(in.readRawVarint32());
            while (in.getBytesUntilLimit() > 0) into.add(in.readDouble());
            in.popLimit(limit);
        } else {
            into.add(in.readDouble());
        }
    }

    private static void readFloats(CodedInputStream in, int tag, List<Double> into) throws IOException {
        if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int limit = in.pushLimit(in.readRawVarint32());
            while (in.getBytesUntilLimit() > 0) into.add((double) in.readFloat());
            in.popLimit(limit);
        } else {
            into.add((double) in.readFloat());
        }
    }

    private static Map<String, Object> imageRecord(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("type", "image");
        for (int t; (t = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(t)) {
                case 1 -> r.put("height", (long) in.readInt32());
                case 2 -> r.put("width", (long) in.readInt32());
                case 3 -> r.put("colorspace", (long) in.readInt32());
                case 4 -> r.put("png", Base64.getEncoder().encodeToString(in.readByteArray()));
                default -> in.skipField(t);
            }
        }
        return r;
    }

    /**
     * A TensorFlow 2 summary: a one-element tensor is a scalar; the {@code histograms} plugin's [k, 3] tensor holds
     * (left edge, right edge, count) per bucket; the {@code images} plugin's string tensor holds width, height and
     * encoded images (the first is taken). Other tensors give no record.
     */
    private static Map<String, Object> tensorRecord(Tensor t, String plugin) {
        if ("histograms".equals(plugin) && t.shape().size() == 2 && t.shape().get(1) == 3 && t.numbers().size() == t.shape().get(0) * 3) {
            List<Double> v = t.numbers(), edges = new ArrayList<>();
            List<Long> counts = new ArrayList<>();
            int k = (int) (long) t.shape().get(0);
            for (int i = 0; i < k; i++) {
                if (i == 0) edges.add(v.get(0));
                edges.add(Math.max(v.get(3 * i + 1), edges.getLast()));
                counts.add(Math.round(v.get(3 * i + 2)));
            }
            return k == 0 ? null : histogram(edges.getFirst(), edges.getLast(), edges, counts);
        }
        if ("images".equals(plugin) && t.strings().size() >= 3) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("type", "image");
            try {
                r.put("width", Long.parseLong(new String(t.strings().get(0), java.nio.charset.StandardCharsets.US_ASCII)));
                r.put("height", Long.parseLong(new String(t.strings().get(1), java.nio.charset.StandardCharsets.US_ASCII)));
            } catch (NumberFormatException e) {
                return null;
            }
            r.put("png", Base64.getEncoder().encodeToString(t.strings().get(2)));
            return r;
        }
        long elements = 1;
        for (long d : t.shape()) elements *= d;
        if (elements == 1 && t.numbers().size() == 1) return scalarRecord(t.numbers().getFirst());
        return null;
    }

    /**
     * The parts of a TensorProto the dashboard reads: shape, numbers (float or double, from the repeated fields or
     * the little-endian {@code tensor_content}) and byte strings.
     * <pre>
     * TensorProto { DataType dtype = 1; TensorShapeProto tensor_shape = 2; bytes tensor_content = 4;
     *               repeated float float_val = 5; repeated double double_val = 6; repeated bytes string_val = 8; }
     * TensorShapeProto { repeated Dim dim = 2 { int64 size = 1; } }
     * </pre>
     */
    private record Tensor(List<Long> shape, List<Double> numbers, List<byte[]> strings) {
        static Tensor parse(byte[] bytes) throws IOException {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            int dtype = 0;
            byte[] content = null;
            List<Long> shape = new ArrayList<>();
            List<Double> numbers = new ArrayList<>();
            List<byte[]> strings = new ArrayList<>();
            for (int t; (t = in.readTag()) != 0; ) {
                switch (WireFormat.getTagFieldNumber(t)) {
                    case 1 -> dtype = in.readEnum();
                    case 2 -> shape.addAll(dims(in.readByteArray()));
                    case 4 -> content = in.readByteArray();
                    case 5 -> readFloats(in, t, numbers);
                    case 6 -> readDoubles(in, t, numbers);
                    case 8 -> strings.add(in.readByteArray());
                    default -> in.skipField(t);
                }
            }
            if (numbers.isEmpty() && content != null) {
                ByteBuffer b = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
                if (dtype == DT_FLOAT) while (b.remaining() >= 4) numbers.add((double) b.getFloat());
                if (dtype == DT_DOUBLE) while (b.remaining() >= 8) numbers.add(b.getDouble());
            }
            return new Tensor(shape, numbers, strings);
        }

        private static List<Long> dims(byte[] shape) throws IOException {
            CodedInputStream in = CodedInputStream.newInstance(shape);
            List<Long> out = new ArrayList<>();
            for (int t; (t = in.readTag()) != 0; ) {
                if (WireFormat.getTagFieldNumber(t) != 2) {
                    in.skipField(t);
                    continue;
                }
                CodedInputStream d = CodedInputStream.newInstance(in.readByteArray());
                long size = 0;
                for (int u; (u = d.readTag()) != 0; ) {
                    if (WireFormat.getTagFieldNumber(u) == 1) size = d.readInt64();
                    else d.skipField(u);
                }
                out.add(size);
            }
            return out;
        }
    }
}
