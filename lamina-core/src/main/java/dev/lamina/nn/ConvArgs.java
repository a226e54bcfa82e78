package dev.lamina.nn;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Constructor checks the convolution layers share (Conv1d/2d, ConvTranspose1d/2d), with the messages they give. */
final class ConvArgs {
    private ConvArgs() {}

    /** Channel counts and kernel sizes positive; groups positive and dividing both channel counts. */
    static void channels(Module layer, int in, int out, int groups, int... kernel) {
        if (in <= 0 || out <= 0 || Arrays.stream(kernel).anyMatch(k -> k <= 0)) {
            String k = Arrays.stream(kernel).mapToObj(String::valueOf).collect(Collectors.joining("x"));
            throw new IllegalArgumentException(layer.describe() + ": channels and kernel must be positive, got in=" + in + ", out=" + out + ", kernel=" + k);
        }
        if (groups <= 0 || in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException(layer.describe() + ": groups must divide in_channels and out_channels, got groups=" + groups + ", in=" + in + ", out=" + out);
        }
    }
}
