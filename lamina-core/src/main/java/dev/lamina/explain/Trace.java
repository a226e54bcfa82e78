package dev.lamina.explain;

import dev.lamina.models.CharLstm;
import dev.lamina.models.CharTransformer;
import dev.lamina.models.LanguageModel;
import dev.lamina.nn.Module;
import dev.lamina.nn.MultiheadAttention;
import dev.lamina.nn.Sequential;
import dev.lamina.nn.TransformerEncoder;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One forward pass of a model with every layer's input and output kept, and a probe after each layer that records
 * the gradient of the loss with respect to that layer's output when the caller back-propagates. A
 * {@link Sequential} shows each of its layers (through {@link Sequential#forward(Tensor, dev.lamina.nn.ForwardObserver)});
 * the built-in language models show their embedding, recurrent or transformer blocks and head; any other module is
 * one step, run as a whole. The attention weights of every {@link MultiheadAttention} are kept too.
 */
final class Trace {
    /** A layer as it ran: input and output (batch first) and the gradient that reached its output (after backward). */
    static final class Step {
        final Module layer;
        final Tensor input;
        final Tensor output;
        final boolean container;
        Tensor outputGrad;

        Step(Module layer, Tensor input, Tensor output, boolean container) {
            this.layer = layer;
            this.input = input;
            this.output = output;
            this.container = container;
        }
    }

    final List<Step> steps = new ArrayList<>();
    /** Attention weights [B, heads, Lq, Lk] of each attention module, by module, in the order they ran. */
    final Map<MultiheadAttention, Tensor> attention = new LinkedHashMap<>();
    /** Whether the attention of the traced model is causal (a language model's). */
    boolean causal;
    /** The model's output: logits [N, classes] or, for a language model, [B·T, V]. */
    Tensor output;
    /** Whether the model ran as one step (its inner layers were not seen). */
    boolean opaque;

    /** Runs {@code model} on {@code batch}, recording as described above. */
    static Trace run(Module model, Tensor batch) {
        Trace t = new Trace();
        List<MultiheadAttention> heads = new ArrayList<>();
        collectAttention(model, heads);
        for (MultiheadAttention a : heads) a.observeWeights(w -> t.attention.put(a, w));
        try {
            t.output = switch (model) {
                case Sequential s -> s.forward(batch, t::observe);
                case CharLstm lm -> t.languageModel(lm, batch, false);
                case CharTransformer lm -> t.languageModel(lm, batch, true);
                default -> {
                    t.opaque = true;
                    yield t.observe(model, batch, model.forward(batch));
                }
            };
        } finally {
            for (MultiheadAttention a : heads) a.observeWeights(null);
        }
        return t;
    }

    private Tensor languageModel(LanguageModel lm, Tensor ids, boolean transformer) {
        if (ids.dim() != 2) throw new IllegalArgumentException(lm.describe() + ": expected token ids [batch, time], got " + dev.lamina.tensor.Shape.str(ids.shape()));
        Map<String, Module> c = lm.children();
        Tensor x = observe(c.get("embed"), ids, c.get("embed").forward(ids));
        if (transformer) {
            causal = true;
            x = observe(c.get("pos"), x, c.get("pos").forward(x));
            TransformerEncoder encoder = (TransformerEncoder) c.get("encoder");
            for (int i = 0; i < encoder.numLayers(); i++) x = observe(encoder.layer(i), x, encoder.layer(i).forward(x, null, null, true));
            x = observe(c.get("norm"), x, c.get("norm").forward(x));
        } else {
            x = observe(c.get("lstm"), x, c.get("lstm").forward(x));
        }
        Tensor logits = observe(c.get("head"), x, c.get("head").forward(x));
        return logits.reshape(-1, lm.vocabSize());
    }

    private Tensor observe(Module layer, Tensor input, Tensor output) {
        Step step = new Step(layer, input, output, layer instanceof Sequential);
        steps.add(step);
        if (!output.requiresGrad()) return output;
        return Tensor.fromOp("explain-probe", output.detach(), g -> {
            step.outputGrad = step.outputGrad == null ? g.detach().copy() : step.outputGrad.add(g);
            return new Tensor[] {g};
        }, output);
    }

    private static void collectAttention(Module m, List<MultiheadAttention> out) {
        if (m instanceof MultiheadAttention a) out.add(a);
        for (Module child : m.children().values()) collectAttention(child, out);
    }
}
