package dev.lamina.onnx;

import com.google.protobuf.ByteString;
import dev.lamina.tensor.DType;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;
import onnx.Onnx.TensorProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * ONNX element types the importer understands, how each runs (float, double and float16 as {@link DType#F32}, every
 * integer type as {@link DType#I64}, bool as {@link DType#BOOL}), and the decoding of a {@code TensorProto} (typed
 * fields or little-endian {@code raw_data}) into a tensor of that dtype, checking the element count against the
 * declared dims before allocating anything.
 */
final class DataTypes {
    private DataTypes() {}

    static final int FLOAT = 1, UINT8 = 2, INT8 = 3, UINT16 = 4, INT16 = 5, INT32 = 6, INT64 = 7, STRING = 8, BOOL = 9,
            FLOAT16 = 10, DOUBLE = 11, UINT32 = 12, UINT64 = 13;

    /** Largest tensor the importer creates (elements); guards against shapes that would exhaust memory. */
    static final long MAX_ELEMENTS = 1L << 27;

    static String name(int type) {
        return switch (type) {
            case FLOAT -> "float";
            case UINT8 -> "uint8";
            case INT8 -> "int8";
            case UINT16 -> "uint16";
            case INT16 -> "int16";
            case INT32 -> "int32";
            case INT64 -> "int64";
            case STRING -> "string";
            case BOOL -> "bool";
            case FLOAT16 -> "float16";
            case DOUBLE -> "double";
            case UINT32 -> "uint32";
            case UINT64 -> "uint64";
            default -> "type " + type;
        };
    }

    /**
     * The ONNX element type a tensor stands for: FLOAT for F32, INT64 for I64, BOOL for BOOL. Every ONNX integer type
     * runs as I64 (int32 and narrower values are kept in range by Cast), every floating type as F32.
     */
    static int of(Tensor t) {
        return switch (t.dtype()) {
            case F32 -> FLOAT;
            case I64 -> INT64;
            case BOOL -> BOOL;
        };
    }

    /** The dtype an ONNX element type runs as. */
    static DType dtype(int type) {
        return type == BOOL ? DType.BOOL : isFloating(type) ? DType.F32 : DType.I64;
    }

    /** Integer values of ONNX element type {@code type} as a tensor: BOOL for bool (non-zero is true), I64 otherwise. */
    static Tensor integers(long[] v, int[] shape, int type) {
        if (type != BOOL) return Tensor.ofLongs(v, shape);
        boolean[] b = new boolean[v.length];
        for (int i = 0; i < v.length; i++) b[i] = v[i] != 0;
        return Tensor.ofBooleans(b, shape);
    }

    static boolean isFloating(int type) {
        return type == FLOAT || type == DOUBLE || type == FLOAT16;
    }

    static boolean isInteger(int type) {
        return type == UINT8 || type == INT8 || type == UINT16 || type == INT16 || type == INT32 || type == INT64 || type == BOOL
                || type == UINT32;
    }

    /** Bytes per element in raw_data, or -1 when the importer does not read the type. */
    static int byteSize(int type) {
        return switch (type) {
            case FLOAT, INT32, UINT32 -> 4;
            case INT64, DOUBLE -> 8;
            case UINT8, INT8, BOOL -> 1;
            case UINT16, INT16, FLOAT16 -> 2;
            default -> -1;
        };
    }

    /** Element count of checked dims: each ≥ 0, total at most {@link #MAX_ELEMENTS}. */
    static int[] checkedShape(String what, java.util.List<Long> dims) {
        int[] shape = new int[dims.size()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = dims.get(i);
            if (d < 0) throw new OnnxException(what + ": negative dimension " + d + " in " + dims);
            if (d > MAX_ELEMENTS) throw new OnnxException(what + ": dimension " + d + " in " + dims + " is too large");
            n *= d;
            if (n > MAX_ELEMENTS) throw new OnnxException(what + ": " + dims + " has more than " + MAX_ELEMENTS + " elements");
            shape[i] = (int) d;
        }
        return shape;
    }

    /** Decodes a tensor (a Constant's value) that must keep its data inside the model. */
    static Tensor decode(TensorProto t, String what) {
        return decode(t, what, ExternalData.NONE);
    }

    /** Decodes a tensor (an initializer or a Constant's value); external data is read through {@code externalData}. */
    static Tensor decode(TensorProto t, String what, ExternalData externalData) {
        if (t.hasSegment()) throw new OnnxException(what + ": tensor '" + t.getName() + "' is a segment of a larger tensor, which is not supported");
        int type = t.getDataType();
        int size = byteSize(type);
        if (size < 0) throw new OnnxException(what + ": tensor '" + t.getName() + "' has unsupported element type " + name(type));
        int[] shape = checkedShape(what + ": tensor '" + t.getName() + "'", t.getDimsList());
        int n = Shape.size(shape);
        boolean external = ExternalData.isExternal(t);
        if (external || t.hasRawData()) {
            ByteBuffer b;
            if (external) {
                b = externalData.read(t, (long) n * size, what);
            } else {
                ByteString raw = t.getRawData();
                if ((long) n * size != raw.size()) {
                    throw new OnnxException(what + ": tensor '" + t.getName() + "' of " + name(type) + Shape.str(shape) + " needs " + (long) n * size
                            + " bytes of raw_data, found " + raw.size());
                }
                b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            }
            return switch (type) {
                case FLOAT -> {
                    float[] a = new float[n];
                    b.asFloatBuffer().get(a);
                    yield Tensor.of(a, shape);
                }
                case DOUBLE -> {
                    float[] a = new float[n];
                    for (int i = 0; i < n; i++) a[i] = (float) b.getDouble(i * 8);
                    yield Tensor.of(a, shape);
                }
                case FLOAT16 -> {
                    float[] a = new float[n];
                    for (int i = 0; i < n; i++) a[i] = Float.float16ToFloat(b.getShort(i * 2));
                    yield Tensor.of(a, shape);
                }
                default -> {
                    long[] v = new long[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = switch (type) {
                            case INT64 -> b.getLong(i * 8);
                            case INT32 -> b.getInt(i * 4);
                            case UINT32 -> b.getInt(i * 4) & 0xFFFFFFFFL;
                            case INT16 -> b.getShort(i * 2);
                            case UINT16 -> b.getShort(i * 2) & 0xFFFF;
                            case INT8 -> b.get(i);
                            case BOOL -> b.get(i) != 0 ? 1 : 0;
                            default -> b.get(i) & 0xFF; // UINT8
                        };
                    }
                    yield DataTypes.integers(v, shape, type);
                }
            };
        }
        int found = switch (type) {
            case FLOAT -> t.getFloatDataCount();
            case DOUBLE -> t.getDoubleDataCount();
            case INT64 -> t.getInt64DataCount();
            case UINT32 -> t.getUint64DataCount();
            default -> t.getInt32DataCount(); // int32, int16, int8, uint16, uint8, bool, float16
        };
        if (found != n) {
            throw new OnnxException(what + ": tensor '" + t.getName() + "' of " + name(type) + Shape.str(shape) + " has " + found
                    + " values, expected " + n);
        }
        switch (type) {
            case FLOAT -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) a[i] = t.getFloatData(i);
                return Tensor.of(a, shape);
            }
            case DOUBLE -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) a[i] = (float) t.getDoubleData(i);
                return Tensor.of(a, shape);
            }
            case FLOAT16 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) a[i] = Float.float16ToFloat((short) t.getInt32Data(i));
                return Tensor.of(a, shape);
            }
            default -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = switch (type) {
                        case INT64 -> t.getInt64Data(i);
                        case UINT32 -> t.getUint64Data(i);
                        case BOOL -> t.getInt32Data(i) != 0 ? 1 : 0;
                        default -> t.getInt32Data(i);
                    };
                }
                return DataTypes.integers(v, shape, type);
            }
        }
    }

    /** A float tensor as a TensorProto with little-endian raw_data. */
    static TensorProto encode(String name, Tensor t) {
        float[] a = t.toArray();
        ByteBuffer b = ByteBuffer.allocate(a.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(a);
        TensorProto.Builder tb = TensorProto.newBuilder().setName(name).setDataType(FLOAT).setRawData(ByteString.copyFrom(b.array()));
        for (int d : t.shape()) tb.addDims(d);
        return tb.build();
    }

    /** An int64 tensor as a TensorProto. */
    static TensorProto encodeInt64(String name, long[] v, int... shape) {
        TensorProto.Builder tb = TensorProto.newBuilder().setName(name).setDataType(INT64);
        for (int d : shape) tb.addDims(d);
        for (long x : v) tb.addInt64Data(x);
        return tb.build();
    }
}
