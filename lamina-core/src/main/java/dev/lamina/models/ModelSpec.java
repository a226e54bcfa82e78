package dev.lamina.models;

import dev.lamina.autograd.Autograd;
import dev.lamina.io.JsonTree;
import dev.lamina.io.Safetensors;
import dev.lamina.nn.Input;
import dev.lamina.nn.Module;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model definition file: a {@link Sequential} of layers described in JSON, so a model can be trained from the
 * command line ({@code lamina train --model-file net.json}) and a saved model rebuilt without its Java code.
 *
 * <pre>{@code
 * {
 *   "input": [784],
 *   "layers": [
 *     {"type": "Linear", "in_features": 784, "out_features": 128},
 *     {"type": "ReLU"},
 *     {"type": "Dropout", "p": 0.2},
 *     {"type": "Linear", "in_features": 128, "out_features": 10}
 *   ]
 * }
 * }</pre>
 *
 * <p>{@code input} is the shape of one example (without the batch dimension); {@code layers} are applied in
 * order, each an object with a {@code type} (one of {@link #layerTypes()}) and that layer's arguments under
 * PyTorch's names, with PyTorch's defaults when left out. An optional {@code "description"} string is kept. The
 * built model starts with an {@link Input} of the declared shape, so its modules are numbered from 1
 * ({@code layers[0]} is module {@code 1}, and its weights are {@code 1.weight}, {@code 1.bias}).
 *
 * <p>Errors name the file and the layer: an unknown type (listing the known ones), an unknown, missing or
 * ill-typed argument, and a layer whose input does not fit the previous layer's output — {@link #build} runs a
 * dummy batch of the declared shape through the layers one by one and reports both shapes.
 *
 * <p>{@link #save} writes the weights as safetensors with the definition under {@link #METADATA_KEY};
 * {@link #load(Path)} rebuilds the model from that metadata and loads every weight strictly.
 */
public final class ModelSpec {
    /** The safetensors metadata key that holds the definition (JSON text) of a saved model. */
    public static final String METADATA_KEY = "lamina.model_spec";

    private static final Set<String> TOP_LEVEL = Set.of("input", "layers", "description");

    private final String src;
    private final int[] input;
    private final List<Map<String, Object>> layers;
    private final String description;

    private ModelSpec(String src, int[] input, List<Map<String, Object>> layers, String description) {
        this.src = src;
        this.input = input;
        this.layers = layers;
        this.description = description;
    }

    /** The layer types a definition can name, sorted. */
    public static List<String> layerTypes() {
        return LayerCatalog.names();
    }

    /** The argument names {@code type} takes (PyTorch's), or null for an unknown type. */
    public static List<String> arguments(String type) {
        LayerCatalog.Entry e = LayerCatalog.get(type);
        return e == null ? null : e.args();
    }

    /** Reads a definition file (UTF-8 JSON). */
    public static ModelSpec read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("model file not found: " + file);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw new IOException(file + ": not UTF-8 text", e);
        }
        return parse(text, file.toString());
    }

    /**
     * Parses a definition; {@code src} names it in messages. The structure and the layer types are checked here, the
     * arguments and shapes by {@link #build}.
     *
     * @throws IOException naming {@code src} and what is wrong
     */
    @SuppressWarnings("unchecked")
    public static ModelSpec parse(String json, String src) throws IOException {
        Object root = JsonTree.parse(json, src);
        if (!(root instanceof Map<?, ?> m)) throw new IOException(src + ": a model definition is a JSON object with \"input\" and \"layers\", got " + LayerArgs.describe(root));
        Map<String, Object> top = (Map<String, Object>) m;
        for (String k : top.keySet()) {
            if (!TOP_LEVEL.contains(k)) throw new IOException(src + ": unknown key \"" + k + "\"; a model definition has \"input\", \"layers\" and optionally \"description\"");
        }
        Object in = top.get("input");
        if (!(in instanceof List<?> inList) || inList.isEmpty()) {
            throw new IOException(src + ": \"input\" must be the shape of one example as a non-empty list of positive integers, e.g. [784] or [1, 28, 28]; got " + LayerArgs.describe(in));
        }
        int[] input = new int[inList.size()];
        for (int i = 0; i < input.length; i++) {
            if (!(inList.get(i) instanceof Long l) || l <= 0 || l > Integer.MAX_VALUE) {
                throw new IOException(src + ": \"input\"[" + i + "] must be a positive integer, got " + LayerArgs.describe(inList.get(i)));
            }
            input[i] = (int) (long) l;
        }
        Object ls = top.get("layers");
        if (!(ls instanceof List<?> layerList) || layerList.isEmpty()) throw new IOException(src + ": \"layers\" must be a non-empty list of layer objects, got " + LayerArgs.describe(ls));
        List<Map<String, Object>> layers = new ArrayList<>();
        for (int i = 0; i < layerList.size(); i++) {
            Object o = layerList.get(i);
            if (!(o instanceof Map<?, ?> lm)) throw new IOException(src + ": layers[" + i + "] must be an object like {\"type\": \"ReLU\"}, got " + LayerArgs.describe(o));
            Object type = lm.get("type");
            if (!(type instanceof String t)) throw new IOException(src + ": layers[" + i + "] has no \"type\" string (one of " + String.join(", ", layerTypes()) + ")");
            if (LayerCatalog.get(t) == null) {
                throw new IOException(src + ": layers[" + i + "]: unknown layer type \"" + t + "\"; known types: " + String.join(", ", layerTypes()));
            }
            layers.add(new LinkedHashMap<>((Map<String, Object>) lm));
        }
        Object d = top.get("description");
        if (d != null && !(d instanceof String)) throw new IOException(src + ": \"description\" must be a string, got " + LayerArgs.describe(d));
        return new ModelSpec(src, input, List.copyOf(layers), (String) d);
    }

    /** The definition stored in a saved model's metadata ({@link #METADATA_KEY}), or null if there is none. */
    public static ModelSpec fromMetadata(Map<String, String> metadata, String src) throws IOException {
        String json = metadata.get(METADATA_KEY);
        return json == null ? null : parse(json, src + " (metadata \"" + METADATA_KEY + "\")");
    }

    /** Whether a saved model's metadata holds a definition. */
    public static boolean isIn(Map<String, String> metadata) {
        return metadata.containsKey(METADATA_KEY);
    }

    /**
     * A multilayer perceptron for {@code inputs} features: Linear-ReLU blocks of the given hidden widths, then a
     * Linear to {@code outputs}.
     */
    public static ModelSpec mlp(int inputs, List<Integer> hidden, int outputs, String description) {
        if (inputs <= 0 || outputs <= 0) throw new IllegalArgumentException("ModelSpec.mlp: inputs and outputs must be positive, got " + inputs + " and " + outputs);
        List<Map<String, Object>> layers = new ArrayList<>();
        int in = inputs;
        for (int h : hidden) {
            layers.add(linear(in, h));
            layers.add(new LinkedHashMap<>(Map.of("type", "ReLU")));
            in = h;
        }
        layers.add(linear(in, outputs));
        return new ModelSpec("mlp", new int[] {inputs}, List.copyOf(layers), description);
    }

    /**
     * The default model for a table of {@code features} columns: an MLP with two hidden layers, h = clamp(8 ·
     * features, 32, 128) and h / 2 units.
     */
    public static ModelSpec tabularMlp(int features, int outputs) {
        int h = Math.clamp(8L * features, 32, 128);
        return mlp(features, List.of(h, h / 2), outputs, "MLP " + features + "-" + h + "-" + h / 2 + "-" + outputs + " for tabular data");
    }

    private static Map<String, Object> linear(int in, int out) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "Linear");
        m.put("in_features", (long) in);
        m.put("out_features", (long) out);
        return m;
    }

    /** The shape of one example (without the batch dimension). */
    public int[] input() {
        return input.clone();
    }

    /** Input shape of a batch of {@code n}: [n, input...]. */
    public int[] batchShape(int n) {
        int[] s = new int[input.length + 1];
        s[0] = n;
        System.arraycopy(input, 0, s, 1, input.length);
        return s;
    }

    /** The layers' types, in order. */
    public List<String> types() {
        return layers.stream().map(l -> (String) l.get("type")).toList();
    }

    public int size() {
        return layers.size();
    }

    /** Where the definition came from (a file name), as errors name it. */
    public String source() {
        return src;
    }

    /** The definition as JSON (what {@link #save} stores and {@link #parse} reads back). */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (description != null) m.put("description", description);
        List<Object> in = new ArrayList<>();
        for (int v : input) in.add((long) v);
        m.put("input", in);
        m.put("layers", new ArrayList<Object>(layers));
        return JsonTree.write(m);
    }

    /**
     * Builds the model with initial weights drawn from {@code rng}, and checks that the layers chain: a batch of two
     * zero examples of the declared input shape goes through every layer in evaluation mode, without a tape.
     *
     * @throws IllegalArgumentException naming the source, the layer ({@code layers[i] (Type)}) and the problem: an
     *                                  unknown, missing or ill-typed argument, an argument the layer refuses, or an
     *                                  input shape (the previous layer's output) the layer does not accept
     */
    public Sequential build(Rng rng) {
        Sequential net = new Sequential(new Input(input));
        net.eval();
        Tensor x = Tensor.zeros(batchShape(2));
        String previous = "the declared input";
        try (var scope = Autograd.noGrad()) {
            for (int i = 0; i < layers.size(); i++) {
                Map<String, Object> spec = layers.get(i);
                String type = (String) spec.get("type");
                String who = src + ": layers[" + i + "] (" + type + ")";
                LayerCatalog.Entry entry = LayerCatalog.get(type);
                LayerArgs args = new LayerArgs(who, spec);
                args.allowOnly(entry.args());
                Module layer;
                try {
                    layer = entry.factory().build(args, rng);
                } catch (IllegalArgumentException e) {
                    if (e.getMessage() != null && e.getMessage().startsWith(who)) throw e;
                    throw new IllegalArgumentException(who + ": " + e.getMessage(), e);
                }
                net.add(layer);
                layer.eval();
                String inShape = batchShapeOf(x);
                try {
                    x = layer.forward(x);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(who + " does not accept the output of " + previous + ", shape " + inShape + ": " + e.getMessage(), e);
                }
                previous = "layers[" + i + "] (" + type + ")";
            }
        }
        net.train();
        return net;
    }

    /** A table of the built model's layers, output shapes and parameter counts ({@link Module#summary}). */
    public String summary(Sequential built) {
        return built.summary(batchShape(1));
    }

    /** Writes {@code model}'s state dict as safetensors, atomically, with this definition and {@code extra} in the metadata. */
    public void save(Sequential model, Path file, Map<String, String> extra) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(extra);
        meta.put(METADATA_KEY, toJson());
        Safetensors.write(file, model.stateDict(), meta);
    }

    /**
     * Rebuilds a model saved by {@link #save} without its Java code: the definition from the metadata, then every
     * weight, strictly (every name and shape must match). The model is in evaluation mode.
     *
     * @throws IOException if the file holds no definition, or the definition or the weights do not fit
     */
    public static Sequential load(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.readAll(file);
        ModelSpec spec = fromMetadata(c.metadata(), file.toString());
        if (spec == null) throw new IOException(file + ": no model definition in the metadata (key \"" + METADATA_KEY + "\"); it was not saved from a model file");
        return spec.rebuild(c.tensors(), file);
    }

    /** This definition's model with the given weights loaded strictly, in evaluation mode. */
    public Sequential rebuild(Map<String, Tensor> weights, Path file) throws IOException {
        Sequential net;
        try {
            net = build(new Rng(0));
            net.loadStateDict(weights, true);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": the saved weights do not fit the saved model definition: " + e.getMessage(), e);
        }
        net.eval();
        return net;
    }

    private static String batchShapeOf(Tensor x) {
        int[] s = x.shape();
        s[0] = -1;
        return Shape.str(s).replace("-1", "N");
    }
}
