package dev.lamina.backend;

/**
 * A right operand B [k, n] prepared once by {@link InferenceOps#packRight} for many products (a constant weight of an
 * inference graph); what is inside is the backend's business.
 */
public interface PackedMatrix {
    /** Rows of B. */
    int k();

    /** Columns of B. */
    int n();
}
