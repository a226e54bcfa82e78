package dev.lamina.onnx;

import onnx.Onnx.AttributeProto;
import onnx.Onnx.NodeProto;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One node of an imported ONNX graph (not an autograd tape node: that is {@code dev.lamina.autograd.Node}), with typed attribute access; errors name the operator and the node. */
final class GraphNode {
    final NodeProto proto;
    final String op;
    final String name;
    final int index;
    /** The model's default-domain opset: which version of the operator this node is (ONNX semantics differ by version). */
    final int opset;
    private final Map<String, AttributeProto> attrs = new HashMap<>();
    /**
     * A Conv node's constant weight packed once when the model is loaded ({@link OnnxModel}), or null (a weight
     * computed at run time, or another operator). Set before the first run and never changed after.
     */
    dev.lamina.nn.functional.ConvOp.PreparedWeight preparedWeight;
    /** A MatMul's or Gemm's constant B packed once at load ({@link OnnxModel}), or null. Never changed after the first run. */
    dev.lamina.backend.PackedMatrix packedB;
    /**
     * An LSTM's or GRU's weights in PyTorch's gate order (and, for the LSTM, prepared for its kernel), made at the
     * first run and kept while the node's W, R and B are the same tensors (initializers are), or null.
     */
    volatile RnnOps.Prepared preparedRnn;
    /** A fused region of element-wise operators ({@link ChainFusion}), or null. Set when the node is made. */
    ChainFusion.Region chain;

    GraphNode(NodeProto proto, int index, int opset) {
        this.proto = proto;
        this.op = proto.getOpType();
        this.index = index;
        this.opset = opset;
        this.name = proto.getName().isEmpty() ? "#" + index : proto.getName();
        for (AttributeProto a : proto.getAttributeList()) attrs.put(a.getName(), a);
    }

    /** "node 'Conv_3' (Conv)" for messages. */
    String describe() {
        return "node '" + name + "' (" + op + ")";
    }

    OnnxException error(String message) {
        return new OnnxException(describe() + ": " + message);
    }

    boolean has(String attr) {
        return attrs.containsKey(attr);
    }

    private AttributeProto get(String attr, AttributeProto.AttributeType type) {
        AttributeProto a = attrs.get(attr);
        if (a == null) return null;
        if (a.hasType() && a.getType() != type) throw error("attribute '" + attr + "' is " + a.getType() + ", expected " + type);
        return a;
    }

    long i(String attr, long dflt) {
        AttributeProto a = get(attr, AttributeProto.AttributeType.INT);
        return a == null ? dflt : a.getI();
    }

    /** An int attribute that must fit an int. */
    int int32(String attr, int dflt) {
        long v = i(attr, dflt);
        if (v != (int) v) throw error("attribute '" + attr + "' = " + v + " is out of range");
        return (int) v;
    }

    float f(String attr, float dflt) {
        AttributeProto a = get(attr, AttributeProto.AttributeType.FLOAT);
        return a == null ? dflt : a.getF();
    }

    String s(String attr, String dflt) {
        AttributeProto a = get(attr, AttributeProto.AttributeType.STRING);
        return a == null ? dflt : a.getS().toStringUtf8();
    }

    /** An ints attribute as ints, or null when absent. */
    int[] ints(String attr) {
        AttributeProto a = get(attr, AttributeProto.AttributeType.INTS);
        if (a == null) return null;
        List<Long> l = a.getIntsList();
        int[] out = new int[l.size()];
        for (int k = 0; k < out.length; k++) {
            long v = l.get(k);
            if (v != (int) v) throw error("attribute '" + attr + "' value " + v + " is out of range");
            out[k] = (int) v;
        }
        return out;
    }

    float[] floats(String attr) {
        AttributeProto a = get(attr, AttributeProto.AttributeType.FLOATS);
        if (a == null) return null;
        float[] out = new float[a.getFloatsCount()];
        for (int k = 0; k < out.length; k++) out[k] = a.getFloats(k);
        return out;
    }

    List<String> strings(String attr) {
        AttributeProto a = get(attr, AttributeProto.AttributeType.STRINGS);
        return a == null ? null : a.getStringsList().stream().map(com.google.protobuf.ByteString::toStringUtf8).toList();
    }

    AttributeProto tensorAttr(String attr) {
        return get(attr, AttributeProto.AttributeType.TENSOR);
    }

    AttributeProto raw(String attr) {
        return attrs.get(attr);
    }

    java.util.Set<String> attributeNames() {
        return attrs.keySet();
    }
}
