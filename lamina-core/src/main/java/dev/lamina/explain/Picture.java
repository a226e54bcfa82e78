package dev.lamina.explain;

/**
 * A picture of what a layer does, as PNG bytes.
 *
 * @param title   e.g. "First-layer filters: 0 (Conv2d)"
 * @param caption how to read it
 * @param png     the image, a complete PNG file
 */
public record Picture(String title, String caption, byte[] png) {
}
