package dev.lamina.models;

import dev.lamina.nn.AdaptiveAvgPool1d;
import dev.lamina.nn.AdaptiveAvgPool2d;
import dev.lamina.nn.AdaptiveMaxPool1d;
import dev.lamina.nn.AdaptiveMaxPool2d;
import dev.lamina.nn.AvgPool1d;
import dev.lamina.nn.AvgPool2d;
import dev.lamina.nn.BatchNorm1d;
import dev.lamina.nn.BatchNorm2d;
import dev.lamina.nn.Conv1d;
import dev.lamina.nn.Conv2d;
import dev.lamina.nn.ConvTranspose1d;
import dev.lamina.nn.ConvTranspose2d;
import dev.lamina.nn.Dropout;
import dev.lamina.nn.Dropout2d;
import dev.lamina.nn.ELU;
import dev.lamina.nn.Embedding;
import dev.lamina.nn.Flatten;
import dev.lamina.nn.GELU;
import dev.lamina.nn.GRU;
import dev.lamina.nn.GlobalAvgPool;
import dev.lamina.nn.GlobalMaxPool;
import dev.lamina.nn.GroupNorm;
import dev.lamina.nn.InstanceNorm1d;
import dev.lamina.nn.InstanceNorm2d;
import dev.lamina.nn.LSTM;
import dev.lamina.nn.LastStep;
import dev.lamina.nn.LayerNorm;
import dev.lamina.nn.LeakyReLU;
import dev.lamina.nn.LearnedPositionalEncoding;
import dev.lamina.nn.Linear;
import dev.lamina.nn.LogSoftmax;
import dev.lamina.nn.MaxPool1d;
import dev.lamina.nn.MaxPool2d;
import dev.lamina.nn.Module;
import dev.lamina.nn.MultiheadAttention;
import dev.lamina.nn.RMSNorm;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.Reshape;
import dev.lamina.nn.SiLU;
import dev.lamina.nn.Sigmoid;
import dev.lamina.nn.SinusoidalPositionalEncoding;
import dev.lamina.nn.Softmax;
import dev.lamina.nn.Tanh;
import dev.lamina.nn.TransformerEncoderLayer;
import dev.lamina.nn.Upsample;
import dev.lamina.tensor.Rng;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The layer types a model definition file ({@link ModelSpec}) can name, each with its arguments under PyTorch's
 * names and defaults ({@code Conv2d}: {@code in_channels, out_channels, kernel_size, stride, padding, dilation,
 * groups, bias}). Pairs ({@code kernel_size}, {@code stride} of 2-d layers) take an integer or a list of two.
 */
final class LayerCatalog {
    private LayerCatalog() {
    }

    /** Builds a layer from checked arguments, drawing initial weights and dropout generators from {@code rng}. */
    @FunctionalInterface
    interface Factory {
        Module build(LayerArgs a, Rng rng);
    }

    record Entry(List<String> args, Factory factory) {
    }

    private static final Map<String, Entry> TYPES = new TreeMap<>();

    private static void type(String name, List<String> args, Factory factory) {
        TYPES.put(name, new Entry(args, factory));
    }

    private static final List<String> CONV = List.of("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias");
    private static final List<String> CONV_T = List.of("in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "dilation", "groups", "bias");
    private static final List<String> RNN = List.of("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional");

    static {
        type("Linear", List.of("in_features", "out_features", "bias"),
                (a, r) -> new Linear(a.i("in_features"), a.i("out_features"), a.b("bias", true), r));
        type("Conv1d", CONV, (a, r) -> {
            Conv1d c = new Conv1d(a.i("in_channels"), a.i("out_channels"), a.i("kernel_size"), a.i("groups", 1), a.b("bias", true), r)
                    .stride(a.i("stride", 1)).dilation(a.i("dilation", 1));
            return isString(a, "padding") ? c.padding(a.s("padding", null)) : c.padding(a.i("padding", 0));
        });
        type("Conv2d", CONV, (a, r) -> {
            int[] k = a.ints("kernel_size", 2), s = a.ints("stride", 2, new int[] {1, 1}), d = a.ints("dilation", 2, new int[] {1, 1});
            Conv2d c = new Conv2d(a.i("in_channels"), a.i("out_channels"), k[0], k[1], a.i("groups", 1), a.b("bias", true), r)
                    .stride(s[0], s[1]).dilation(d[0], d[1]);
            if (isString(a, "padding")) return c.padding(a.s("padding", null));
            int[] p = a.ints("padding", 2, new int[] {0, 0});
            return c.padding(p[0], p[1]);
        });
        type("ConvTranspose1d", CONV_T, (a, r) -> new ConvTranspose1d(a.i("in_channels"), a.i("out_channels"), a.i("kernel_size"), a.i("groups", 1), a.b("bias", true), r)
                .stride(a.i("stride", 1)).padding(a.i("padding", 0)).outputPadding(a.i("output_padding", 0)).dilation(a.i("dilation", 1)));
        type("ConvTranspose2d", CONV_T, (a, r) -> {
            int[] k = a.ints("kernel_size", 2), s = a.ints("stride", 2, new int[] {1, 1}), p = a.ints("padding", 2, new int[] {0, 0});
            int[] op = a.ints("output_padding", 2, new int[] {0, 0}), d = a.ints("dilation", 2, new int[] {1, 1});
            return new ConvTranspose2d(a.i("in_channels"), a.i("out_channels"), k[0], k[1], a.i("groups", 1), a.b("bias", true), r)
                    .stride(s[0], s[1]).padding(p[0], p[1]).outputPadding(op[0], op[1]).dilation(d[0], d[1]);
        });
        type("MaxPool1d", List.of("kernel_size", "stride", "padding", "dilation", "ceil_mode"), (a, r) -> {
            int k = a.i("kernel_size");
            return new MaxPool1d(k, a.i("stride", k), a.i("padding", 0), a.i("dilation", 1), a.b("ceil_mode", false));
        });
        type("MaxPool2d", List.of("kernel_size", "stride", "padding", "dilation", "ceil_mode"), (a, r) -> {
            int[] k = a.ints("kernel_size", 2);
            return new MaxPool2d(k, a.ints("stride", 2, k), a.ints("padding", 2, new int[] {0, 0}), a.ints("dilation", 2, new int[] {1, 1}), a.b("ceil_mode", false));
        });
        type("AvgPool1d", List.of("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"), (a, r) -> {
            int k = a.i("kernel_size");
            return new AvgPool1d(k, a.i("stride", k), a.i("padding", 0), a.b("ceil_mode", false), a.b("count_include_pad", true));
        });
        type("AvgPool2d", List.of("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"), (a, r) -> {
            int[] k = a.ints("kernel_size", 2);
            return new AvgPool2d(k, a.ints("stride", 2, k), a.ints("padding", 2, new int[] {0, 0}), a.b("ceil_mode", false), a.b("count_include_pad", true));
        });
        type("GlobalAvgPool", List.of("keepdim"), (a, r) -> new GlobalAvgPool(a.b("keepdim", false)));
        type("GlobalMaxPool", List.of("keepdim"), (a, r) -> new GlobalMaxPool(a.b("keepdim", false)));
        type("AdaptiveAvgPool1d", List.of("output_size"), (a, r) -> new AdaptiveAvgPool1d(a.i("output_size")));
        type("AdaptiveMaxPool1d", List.of("output_size"), (a, r) -> new AdaptiveMaxPool1d(a.i("output_size")));
        type("AdaptiveAvgPool2d", List.of("output_size"), (a, r) -> {
            int[] s = a.ints("output_size", 2);
            return new AdaptiveAvgPool2d(s[0], s[1]);
        });
        type("AdaptiveMaxPool2d", List.of("output_size"), (a, r) -> {
            int[] s = a.ints("output_size", 2);
            return new AdaptiveMaxPool2d(s[0], s[1]);
        });
        List<String> bn = List.of("num_features", "eps", "momentum", "affine", "track_running_stats");
        type("BatchNorm1d", bn, (a, r) -> new BatchNorm1d(a.i("num_features"), a.d("eps", 1e-5), a.d("momentum", 0.1), a.b("affine", true), a.b("track_running_stats", true)));
        type("BatchNorm2d", bn, (a, r) -> new BatchNorm2d(a.i("num_features"), a.d("eps", 1e-5), a.d("momentum", 0.1), a.b("affine", true), a.b("track_running_stats", true)));
        type("LayerNorm", List.of("normalized_shape", "eps", "elementwise_affine", "bias"),
                (a, r) -> new LayerNorm(a.shape("normalized_shape"), a.d("eps", 1e-5), a.b("elementwise_affine", true), a.b("bias", true)));
        type("RMSNorm", List.of("normalized_shape", "eps", "elementwise_affine"),
                (a, r) -> new RMSNorm(a.shape("normalized_shape"), a.optionalDouble("eps"), a.b("elementwise_affine", true)));
        type("InstanceNorm1d", List.of("num_features", "eps", "affine"), (a, r) -> new InstanceNorm1d(a.i("num_features"), a.d("eps", 1e-5), a.b("affine", false)));
        type("InstanceNorm2d", List.of("num_features", "eps", "affine"), (a, r) -> new InstanceNorm2d(a.i("num_features"), a.d("eps", 1e-5), a.b("affine", false)));
        type("GroupNorm", List.of("num_groups", "num_channels", "eps", "affine"),
                (a, r) -> new GroupNorm(a.i("num_groups"), a.i("num_channels"), a.d("eps", 1e-5), a.b("affine", true)));
        type("Dropout", List.of("p"), (a, r) -> new Dropout(a.d("p", 0.5), r.split()));
        type("Dropout2d", List.of("p"), (a, r) -> new Dropout2d(a.d("p", 0.5), r.split()));
        type("Flatten", List.of("start_dim", "end_dim"), (a, r) -> new Flatten(a.i("start_dim", 1), a.i("end_dim", -1)));
        type("Reshape", List.of("shape"), (a, r) -> new Reshape(a.shape("shape")));
        type("Upsample", List.of("size", "scale_factor", "mode", "align_corners"), (a, r) -> new Upsample(
                a.has("size") ? a.shape("size") : null, a.doubles("scale_factor", 2), a.s("mode", "nearest"), a.optionalBool("align_corners")));
        type("ReLU", List.of(), (a, r) -> new ReLU());
        type("SiLU", List.of(), (a, r) -> new SiLU());
        type("Sigmoid", List.of(), (a, r) -> new Sigmoid());
        type("Tanh", List.of(), (a, r) -> new Tanh());
        type("LeakyReLU", List.of("negative_slope"), (a, r) -> new LeakyReLU(a.d("negative_slope", 0.01)));
        type("ELU", List.of("alpha"), (a, r) -> new ELU(a.d("alpha", 1.0)));
        type("GELU", List.of("approximate"), (a, r) -> {
            String approx = a.s("approximate", "none");
            if (!approx.equals("none") && !approx.equals("tanh")) throw a.error("argument 'approximate' must be \"none\" or \"tanh\", got \"" + approx + "\"");
            return new GELU(approx.equals("tanh"));
        });
        type("Softmax", List.of("dim"), (a, r) -> new Softmax(a.i("dim", -1)));
        type("LogSoftmax", List.of("dim"), (a, r) -> new LogSoftmax(a.i("dim", -1)));
        type("Embedding", List.of("num_embeddings", "embedding_dim", "padding_idx"),
                (a, r) -> new Embedding(a.i("num_embeddings"), a.i("embedding_dim"), a.optionalInt("padding_idx"), r));
        type("LSTM", RNN, (a, r) -> new LSTM(a.i("input_size"), a.i("hidden_size"), a.i("num_layers", 1), a.b("bias", true), a.b("bidirectional", false), r)
                .batchFirst(a.b("batch_first", false)).dropout(a.d("dropout", 0), r.split()));
        type("GRU", RNN, (a, r) -> new GRU(a.i("input_size"), a.i("hidden_size"), a.i("num_layers", 1), a.b("bias", true), a.b("bidirectional", false), r)
                .batchFirst(a.b("batch_first", false)).dropout(a.d("dropout", 0), r.split()));
        type("LastStep", List.of(), (a, r) -> new LastStep());
        type("MultiheadAttention", List.of("embed_dim", "num_heads", "dropout", "bias", "batch_first"),
                (a, r) -> new MultiheadAttention(a.i("embed_dim"), a.i("num_heads"), a.d("dropout", 0), a.b("bias", true), a.b("batch_first", false), r));
        type("TransformerEncoderLayer", List.of("d_model", "nhead", "dim_feedforward", "dropout", "activation", "norm_first", "batch_first"),
                (a, r) -> new TransformerEncoderLayer(a.i("d_model"), a.i("nhead"), a.i("dim_feedforward", 2048), a.d("dropout", 0.1),
                        a.s("activation", "relu"), a.b("norm_first", false), a.b("batch_first", false), r));
        type("SinusoidalPositionalEncoding", List.of("d_model", "max_len", "batch_first"),
                (a, r) -> new SinusoidalPositionalEncoding(a.i("d_model"), a.i("max_len"), a.b("batch_first", false)));
        type("LearnedPositionalEncoding", List.of("max_len", "d_model", "batch_first"),
                (a, r) -> new LearnedPositionalEncoding(a.i("max_len"), a.i("d_model"), a.b("batch_first", false), r));
    }

    private static boolean isString(LayerArgs a, String name) {
        try {
            return a.has(name) && a.s(name, null) != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The type names, sorted. */
    static List<String> names() {
        return List.copyOf(TYPES.keySet());
    }

    /** The entry for {@code type}, or null. */
    static Entry get(String type) {
        return TYPES.get(type);
    }

    static Map<String, Entry> all() {
        return Collections.unmodifiableMap(TYPES);
    }
}
