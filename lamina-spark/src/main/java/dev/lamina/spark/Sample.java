package dev.lamina.spark;

import java.io.Serializable;

/** One training row on its way to a worker: its index in the DataFrame, its features and its label. */
record Sample(long index, float[] features, float label) implements Serializable {
}
