package dev.lamina.tensor;

/** A tensor or layer received a shape it cannot work with; the message names the op or layer and the shapes. */
public class ShapeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ShapeException(String message) {
        super(message);
    }
}
