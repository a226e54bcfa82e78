package dev.lamina.fuzz;

/** What every fuzz target checks about an expected rejection. */
final class FuzzSupport {
    private FuzzSupport() {
    }

    /** A rejection must say what is wrong: a blank message is a finding. */
    static void checkMessage(Exception e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) throw new IllegalStateException("rejection without a message: " + e, e);
    }
}
