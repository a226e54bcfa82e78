package dev.lamina.onnx;

import static dev.lamina.onnx.Ops.MANY;
import static dev.lamina.onnx.Ops.floatInput;
import static dev.lamina.onnx.Ops.one;
import static dev.lamina.onnx.Ops.register;

import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Einsum on float tensors (MaxViT's relative-position attention, hand-written attention
 * {@code einsum("bhid,bhjd->bhij")}). The equation's letters name dimensions; {@code ...} stands for the same
 * broadcast dimensions in every operand; without {@code ->} the output holds the letters that appear once, in
 * alphabetical order, after the ellipsis. Operands are contracted left to right, two at a time, as one batched
 * matrix product each: letters shared and kept are the batch, shared and not kept are summed by the product, the
 * others stay as rows or columns; a letter no later operand or the output needs is summed away first. A letter of
 * size 1 broadcasts against the same letter's size elsewhere. A letter repeated inside one operand (a diagonal,
 * {@code "ii->i"}) is rejected.
 */
final class EinsumOp {
    private EinsumOp() {}

    static void registerAll() {
        register("Einsum", 1, MANY, 1, EinsumOp::einsum);
    }

    /** An operand (or partial result) and the letter of each of its dimensions. */
    private record Term(Tensor t, String letters) {}

    private static Tensor[] einsum(GraphNode n, Tensor[] in) {
        String eq = n.s("equation", null);
        if (eq == null) throw n.error("attribute 'equation' is required");
        String spec = eq.replace(" ", "");
        int arrow = spec.indexOf("->");
        String[] ops = (arrow < 0 ? spec : spec.substring(0, arrow)).split(",", -1);
        if (ops.length != in.length) throw n.error("equation '" + eq + "' has " + ops.length + " operands, the node " + in.length + " inputs");
        List<Term> terms = new ArrayList<>();
        int ellipsisRank = 0;
        for (int k = 0; k < in.length; k++) {
            Tensor t = floatInput(n, in[k], "Inputs[" + k + "]");
            int explicit = ops[k].replace("...", "").length();
            if (ops[k].contains("...")) ellipsisRank = Math.max(ellipsisRank, t.dim() - explicit);
        }
        for (int k = 0; k < in.length; k++) {
            Tensor t = in[k];
            String letters = expandEllipsis(n, eq, ops[k], t.dim(), k);
            terms.add(new Term(t, letters));
        }
        String out;
        if (arrow >= 0) {
            String o = spec.substring(arrow + 2);
            if (o.contains("...")) o = o.replace("...", ellipsisLetters(ellipsisRank));
            out = o;
        } else {
            out = implicitOutput(terms, ellipsisRank);
        }
        for (int k = 0; k < out.length(); k++) {
            char c = out.charAt(k);
            if (out.indexOf(c) != k) throw n.error("equation '" + eq + "': output letter '" + c + "' appears twice");
            if (terms.stream().noneMatch(t -> t.letters.indexOf(c) >= 0)) throw n.error("equation '" + eq + "': output letter '" + c + "' is in no operand");
        }
        Map<Character, Integer> sizes = letterSizes(n, eq, terms);
        Term acc = terms.get(0);
        for (int k = 1; k < terms.size(); k++) {
            StringBuilder needed = new StringBuilder(out);
            for (int j = k + 1; j < terms.size(); j++) needed.append(terms.get(j).letters);
            acc = contract(acc, terms.get(k), needed.toString(), sizes);
        }
        acc = sumAway(acc, out);
        int[] perm = new int[out.length()];
        for (int k = 0; k < perm.length; k++) perm[k] = acc.letters.indexOf(out.charAt(k));
        Tensor result = broadcastTo(acc, sizes).t();
        return one(perm.length == 0 ? result.reshape() : result.permute(perm).contiguous());
    }

    /** The letters of operand k with its ellipsis replaced by one placeholder per broadcast dimension (right-aligned). */
    private static String expandEllipsis(GraphNode n, String eq, String op, int rank, int k) {
        for (int i = 0; i < op.length(); i++) {
            char c = op.charAt(i);
            if (c != '.' && !isLetter(c)) throw n.error("equation '" + eq + "': '" + c + "' is not a letter");
        }
        String letters = op;
        if (op.contains("...")) {
            if (op.indexOf("...") != op.lastIndexOf("...")) throw n.error("equation '" + eq + "': operand " + k + " has two ellipses");
            int covered = rank - op.replace("...", "").length();
            if (covered < 0) throw n.error("equation '" + eq + "': operand " + k + " '" + op + "' has more letters than its " + rank + " dimensions");
            letters = op.replace("...", ellipsisLetters(covered));
        }
        if (letters.contains(".")) throw n.error("equation '" + eq + "': a stray '.' in operand " + k);
        if (letters.length() != rank) throw n.error("equation '" + eq + "': operand " + k + " '" + op + "' names " + letters.length() + " dimensions, the input has " + rank);
        for (int i = 0; i < letters.length(); i++) {
            if (letters.indexOf(letters.charAt(i)) != i) {
                throw n.error("equation '" + eq + "': letter '" + letters.charAt(i) + "' repeated in operand " + k + " (diagonals are not supported)");
            }
        }
        return letters;
    }

    /** Placeholders for the last {@code count} of the ellipsis dimensions (characters no equation letter uses). */
    private static String ellipsisLetters(int count) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < count; k++) sb.append((char) ('\u0100' + 64 - count + k));
        return sb.toString();
    }

    private static String implicitOutput(List<Term> terms, int ellipsisRank) {
        Map<Character, Integer> count = new LinkedHashMap<>();
        for (Term t : terms) for (char c : t.letters.toCharArray()) count.merge(c, 1, Integer::sum);
        StringBuilder sb = new StringBuilder(ellipsisLetters(ellipsisRank));
        count.entrySet().stream().filter(e -> e.getValue() == 1 && isLetter(e.getKey()))
                .map(Map.Entry::getKey).sorted().forEach(sb::append);
        return sb.toString();
    }

    /** The size of each letter: equal wherever it appears, or 1 in some operands (which broadcast). */
    private static Map<Character, Integer> letterSizes(GraphNode n, String eq, List<Term> terms) {
        Map<Character, Integer> sizes = new LinkedHashMap<>();
        for (int k = 0; k < terms.size(); k++) {
            Term t = terms.get(k);
            for (int d = 0; d < t.letters.length(); d++) {
                char c = t.letters.charAt(d);
                int s = t.t.size(d);
                Integer prev = sizes.get(c);
                if (prev == null || prev == 1) sizes.put(c, s);
                else if (s != 1 && s != prev) {
                    throw n.error("equation '" + eq + "': dimension '" + (c < '\u0100' ? String.valueOf(c) : "...") + "' is " + prev + " in one operand and " + s
                            + " in operand " + k + " " + Shape.str(t.t.shape()));
                }
            }
        }
        return sizes;
    }

    /** Sums the dimensions whose letters are not in {@code keep}. */
    private static Term sumAway(Term a, String keep) {
        List<Integer> dims = new ArrayList<>();
        StringBuilder left = new StringBuilder();
        for (int d = 0; d < a.letters.length(); d++) {
            if (keep.indexOf(a.letters.charAt(d)) < 0) dims.add(d);
            else left.append(a.letters.charAt(d));
        }
        if (dims.isEmpty()) return a;
        return new Term(a.t.sum(dims.stream().mapToInt(Integer::intValue).toArray(), false), left.toString());
    }

    /** {@code a} with every size-1 dimension expanded to its letter's size. */
    private static Term broadcastTo(Term a, Map<Character, Integer> sizes) {
        int[] target = new int[a.letters.length()];
        boolean change = false;
        for (int d = 0; d < target.length; d++) {
            target[d] = sizes.get(a.letters.charAt(d));
            change |= target[d] != a.t.size(d);
        }
        return change ? new Term(a.t.expand(target), a.letters) : a;
    }

    /** a · b over their shared letters: kept shared letters are batch dimensions, the other shared ones are summed. */
    private static Term contract(Term a, Term b, String needed, Map<Character, Integer> sizes) {
        a = broadcastTo(sumAway(a, needed + b.letters), sizes);
        b = broadcastTo(sumAway(b, needed + a.letters), sizes);
        StringBuilder batch = new StringBuilder(), summed = new StringBuilder(), rows = new StringBuilder(), cols = new StringBuilder();
        for (char c : a.letters.toCharArray()) {
            if (b.letters.indexOf(c) >= 0) (needed.indexOf(c) >= 0 ? batch : summed).append(c);
            else rows.append(c);
        }
        for (char c : b.letters.toCharArray()) if (a.letters.indexOf(c) < 0) cols.append(c);
        int bs = size(batch, sizes), ks = size(summed, sizes), rs = size(rows, sizes), cs = size(cols, sizes);
        Tensor am = a.t.permute(order(a.letters, batch + "" + rows + summed)).reshape(bs, rs, ks);
        Tensor bm = b.t.permute(order(b.letters, batch + "" + summed + cols)).reshape(bs, ks, cs);
        String letters = batch + "" + rows + cols;
        int[] shape = new int[letters.length()];
        for (int d = 0; d < shape.length; d++) shape[d] = sizes.get(letters.charAt(d));
        return new Term(am.matmul(bm).reshape(shape), letters);
    }

    /** Equation letters are ASCII a-z and A-Z. */
    private static boolean isLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static int size(CharSequence letters, Map<Character, Integer> sizes) {
        int s = 1;
        for (int k = 0; k < letters.length(); k++) s *= sizes.get(letters.charAt(k));
        return s;
    }

    private static int[] order(String letters, String wanted) {
        int[] perm = new int[wanted.length()];
        for (int k = 0; k < perm.length; k++) perm[k] = letters.indexOf(wanted.charAt(k));
        if (Arrays.stream(perm).anyMatch(p -> p < 0)) throw new IllegalStateException("einsum letters " + wanted + " not all in " + letters);
        return perm;
    }
}
