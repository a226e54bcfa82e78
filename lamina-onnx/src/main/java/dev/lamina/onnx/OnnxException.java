package dev.lamina.onnx;

/**
 * A model Lamina cannot import or run: not a valid ONNX file, an opset or operator it does not support, tensor data
 * that does not match its declared type and shape, or a node whose inputs do not fit it. The message names the
 * operator and node where there is one.
 */
public class OnnxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OnnxException(String message) {
        super(message);
    }

    public OnnxException(String message, Throwable cause) {
        super(message, cause);
    }
}
