package dev.lamina.onnx;

/** The model uses an operator (or an operator feature) that the importer does not implement; raised before anything runs. */
public final class UnsupportedOperatorException extends OnnxException {
    private static final long serialVersionUID = 1L;

    private final String opType;
    private final String nodeName;

    public UnsupportedOperatorException(String opType, String nodeName, String message) {
        super(message);
        this.opType = opType;
        this.nodeName = nodeName;
    }

    /** The operator, {@code domain::op_type} outside the default domain. */
    public String opType() {
        return opType;
    }

    public String nodeName() {
        return nodeName;
    }
}
