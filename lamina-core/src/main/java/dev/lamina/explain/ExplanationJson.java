package dev.lamina.explain;

import dev.lamina.io.JsonTree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The explanation as JSON (for scripts and dashboards): the same records with snake_case keys, values not measured as
 * null, pictures by title and caption only (their PNGs are in the HTML report).
 */
final class ExplanationJson {
    private ExplanationJson() {
    }

    static String of(Explanation e) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("title", e.title());
        root.put("batch_size", e.batchSize());
        root.put("parameters", e.parameters());
        root.put("input", stats(e.input()));
        List<Object> layers = new ArrayList<>();
        for (LayerCard c : e.layers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", c.path());
            m.put("type", c.type());
            m.put("description", c.description());
            m.put("input_shape", shape(c.inputShape()));
            m.put("output_shape", shape(c.outputShape()));
            m.put("parameters", c.parameters());
            m.put("parameter_share", num(c.parameterShare()));
            m.put("macs_per_example", c.macsPerExample());
            m.put("activation_bytes_per_example", c.activationBytes());
            m.put("receptive_field", c.receptiveField() == LayerCost.WHOLE_INPUT ? "whole input" : c.receptiveField() == 0 ? null : c.receptiveField());
            m.put("output", stats(c.stats()));
            m.put("output_gradient_norm", num(c.outputGradNorm()));
            m.put("weight_gradient_rms", num(c.weightGradRms()));
            m.put("update_ratio", num(c.updateRatio()));
            m.put("container", c.container());
            layers.add(m);
        }
        root.put("layers", layers);
        List<Object> diagnoses = new ArrayList<>();
        for (Diagnosis d : e.diagnoses()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", d.kind().name());
            m.put("title", d.kind().title());
            m.put("layer", d.layer());
            m.put("threshold", d.threshold());
            m.put("evidence", d.evidence());
            m.put("remedy", d.remedy());
            diagnoses.add(m);
        }
        root.put("diagnoses", diagnoses);
        List<Object> heads = new ArrayList<>();
        for (AttentionHead h : e.attention()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layer", h.layer());
            m.put("head", h.head());
            m.put("entropy_bits", num(h.entropy()));
            m.put("normalized_entropy", num(h.normalizedEntropy()));
            m.put("self_share", num(h.selfShare()));
            m.put("closest_head", h.closestHead());
            m.put("closest_distance", num(h.closestDistance()));
            heads.add(m);
        }
        root.put("attention", heads);
        List<Object> lstm = new ArrayList<>();
        for (RecurrentActivity a : e.recurrent()) {
            List<Object> perLayer = new ArrayList<>();
            for (double[] g : a.gateSaturation()) {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < a.gates().length; i++) m.put(a.gates()[i], num(g[i]));
                perLayer.add(m);
            }
            lstm.add(pair("layer", a.layer() + " (" + a.kind() + ")", "gate_saturation", perLayer));
        }
        root.put("recurrent", lstm);
        Map<String, Object> fit = new LinkedHashMap<>();
        fit.put("train_loss", num(e.fit().trainLoss()));
        fit.put("train_accuracy", num(e.fit().trainAccuracy()));
        fit.put("validation_loss", num(e.fit().validationLoss()));
        fit.put("validation_accuracy", num(e.fit().validationAccuracy()));
        root.put("fit", fit);
        List<Object> pictures = new ArrayList<>();
        for (Picture p : e.pictures()) pictures.add(pair("title", p.title(), "caption", p.caption()));
        root.put("pictures", pictures);
        root.put("notes", new ArrayList<Object>(e.notes()));
        return JsonTree.write(root);
    }

    private static Map<String, Object> stats(ActivationStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", num(s.mean()));
        m.put("std", num(s.std()));
        m.put("min", num(s.min()));
        m.put("max", num(s.max()));
        m.put("zeros", num(s.zeros()));
        m.put("saturation", num(s.saturation()));
        m.put("dead_units", num(s.deadUnits()));
        m.put("non_finite", s.nonFinite());
        return m;
    }

    private static Map<String, Object> pair(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    private static List<Object> shape(int[] s) {
        return new ArrayList<>(Arrays.stream(s).boxed().toList());
    }

    private static Object num(double v) {
        return Double.isFinite(v) ? (Object) v : null;
    }
}
