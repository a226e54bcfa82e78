package dev.lamina.data;

import java.util.Locale;

/** What {@link ImageFolder} does with a file it cannot decode (unreadable, not an image, truncated, damaged). */
public enum BadImagePolicy {
    /** Leave the file out, report it, and go on. */
    SKIP,
    /** Stop with an error naming the file. */
    FAIL;

    /** {@code "skip"} or {@code "fail"} (any case); the error names {@code flag} and the value. */
    public static BadImagePolicy parse(String flag, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "skip" -> SKIP;
            case "fail" -> FAIL;
            default -> throw new IllegalArgumentException(flag + " must be skip or fail, got '" + value + "'");
        };
    }
}
