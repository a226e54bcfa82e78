package dev.lamina.backend;

/** Element-wise logic on {@link dev.lamina.tensor.DType#BOOL} tensors. */
public enum Logical {
    AND, OR, XOR;

    /** The lower-case name errors use, e.g. {@code and}. */
    public String opName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean apply(boolean a, boolean b) {
        return switch (this) {
            case AND -> a && b;
            case OR -> a || b;
            case XOR -> a != b;
        };
    }
}
