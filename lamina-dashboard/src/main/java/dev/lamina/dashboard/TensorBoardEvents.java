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
 * TensorFlow 2 writes scalars as a one-element {@code tensor}; that form is read too.
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
     * @throws IOException when {@code event} is not a well-formed protobuf message
     */
    static List<Map<String, Object>> records(byte[] event) throws IOException {
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
            Map<String, Object> r = value(v);
            if (r == null) continue;
            r.put("step", step);
            r.put("wall", wall);
            out.add(r);
        }
        return out;
    }

    private static Map<String, Object> value(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        String tag = "";
        Map<String, Object> r = null;
        for (int t; (t = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(t)) {
                case 1 -> tag = in.readString();
                case 2 -> r = scalarRecord(in.readFloat());
                case 4 -> r = imageRecord(in.readByteArray());
                case 5 -> r = histogramRecord(in.readByteArray());
                case 8 -> {
                    Double d = tensorScalar(in.readByteArray());
                    if (d != null) r = scalarRecord(d);
                }
                default -> in.skipField(t);
            }
        }
        if (r != null) {
            Map<String, Object> ordered = new LinkedHashMap<>();
            ordered.put("type", r.remove("type"));
            ordered.put("tag", tag);
            ordered.putAll(r);
            return ordered;
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
                case 6, 7 -> {
                    List<Double> into = field == 6 ? limits : buckets;
                    if (WireFormat.getTagWireType(t) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                        int limit = in.pushLimit(in.readRawVarint32());
                        while (in.getBytesUntilLimit() > 0) into.add(in.readDouble());
                        in.popLimit(limit);
                    } else {
                        into.add(in.readDouble());
                    }
                }
                default -> in.skipField(t);
            }
        }
        if (limits.size() != buckets.size()) throw new IOException("a histogram has " + limits.size() + " bucket limits but " + buckets.size() + " buckets");
        // TensorFlow's buckets run to +-DBL_MAX; the recorded min and max bound the values
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
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("type", "histogram");
        r.put("min", min);
        r.put("max", max);
        r.put("edges", edges);
        r.put("counts", counts);
        return r;
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

    /** The value of a one-element float or double TensorProto, else null. */
    private static Double tensorScalar(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        int dtype = 0;
        Double value = null;
        byte[] content = null;
        for (int t; (t = in.readTag()) != 0; ) {
            int field = WireFormat.getTagFieldNumber(t);
            switch (field) {
                case 1 -> dtype = in.readEnum();
                case 4 -> content = in.readByteArray();
                case 5, 6 -> {
                    boolean f = field == 5;
                    if (WireFormat.getTagWireType(t) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                        int limit = in.pushLimit(in.readRawVarint32());
                        if (in.getBytesUntilLimit() > 0) value = f ? (double) in.readFloat() : in.readDouble();
                        in.skipRawBytes(in.getBytesUntilLimit());
                        in.popLimit(limit);
                    } else {
                        value = f ? (double) in.readFloat() : in.readDouble();
                    }
                }
                default -> in.skipField(t);
            }
        }
        if (value == null && content != null) {
            ByteBuffer b = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
            if (dtype == DT_FLOAT && content.length == 4) value = (double) b.getFloat();
            if (dtype == DT_DOUBLE && content.length == 8) value = b.getDouble();
        }
        return value;
    }
}
