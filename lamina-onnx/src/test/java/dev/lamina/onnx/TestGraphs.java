package dev.lamina.onnx;

import com.google.protobuf.ByteString;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** Small hand-built ONNX graphs for the validation tests. */
final class TestGraphs {
    private TestGraphs() {}

    /** A tensor input/output; a dim of -1 becomes the symbolic "N". */
    static ValueInfoProto value(String name, int elemType, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) {
            s.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N") : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(s))).build();
    }

    static ValueInfoProto floatValue(String name, long... dims) {
        return value(name, 1, dims);
    }

    static NodeProto node(String op, String name, List<String> in, List<String> out, AttributeProto... attrs) {
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addAllOutput(out);
        for (AttributeProto a : attrs) b.addAttribute(a);
        return b.build();
    }

    static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static AttributeProto stringAttr(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(v)).build();
    }

    /** A tensor input/output of the given element type whose shape is not declared. */
    static ValueInfoProto shapeless(String name, int elemType) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType))).build();
    }

    static TensorProto floats(String name, float[] v, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1);
        for (long d : dims) t.addDims(d);
        for (float x : v) t.addFloatData(x);
        return t.build();
    }

    static TensorProto rawFloats(String name, float[] v, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1).setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) t.addDims(d);
        return t.build();
    }

    static TensorProto int64s(String name, long[] v, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(7);
        for (long d : dims) t.addDims(d);
        for (long x : v) t.addInt64Data(x);
        return t.build();
    }

    static TensorProto rawInt64s(String name, long[] v, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) b.putLong(x);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(7).setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) t.addDims(d);
        return t.build();
    }

    static ModelProto model(int opset, List<NodeProto> nodes, List<TensorProto> inits, List<ValueInfoProto> inputs, List<ValueInfoProto> outputs) {
        GraphProto g = GraphProto.newBuilder().setName("test").addAllNode(nodes).addAllInitializer(inits).addAllInput(inputs).addAllOutput(outputs).build();
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(g).build();
    }

    /** y = x + c with c = [1, 2, 3] (float_data); x [N, 3]. */
    static ModelProto addConstant(TensorProto c) {
        return model(17, List.of(node("Add", "add_c", List.of("x", "c"), List.of("y"))), List.of(c),
                List.of(floatValue("x", -1, 3)), List.of(floatValue("y", -1, 3)));
    }
}
