package dev.lamina.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SplitMix64 in vector lanes. Its k-th output depends only on {@code counter + k·gamma}, so a vector of consecutive
 * outputs is computed at once and equals, bit for bit, what calling {@code nextLong()} in a loop gives. Loaded only
 * with the incubator module.
 */
public final class VectorRandom {
    private VectorRandom() {}

    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /**
     * The dropout mask of {@code Rng.dropoutMask} for as many whole vectors of pairs as fit in {@code pairs}: draw k
     * (counter + (k+1)·gamma, mixed) decides elements 2k (its low 32 bits) and 2k+1 (its high ones), kept as
     * {@code keepValue} when the unsigned 32-bit value is at least {@code threshold} (&lt; 2³²).
     *
     * @return the number of pairs done (the caller draws the rest one by one and advances its counter by as many)
     */
    public static int dropoutPairs(long counter, long gamma, float[] mask, int from, int pairs, long threshold, float keepValue) {
        int lanes = L.length();
        if (I.length() != 2 * lanes || F.length() != I.length()) return 0;
        LongVector step = LongVector.broadcast(L, gamma * lanes);
        long[] offsets = new long[lanes];
        for (int l = 0; l < lanes; l++) offsets[l] = gamma * (l + 1);
        LongVector z0 = LongVector.fromArray(L, offsets, 0).add(counter);
        FloatVector keep = FloatVector.broadcast(F, keepValue), zero = FloatVector.zero(F);
        int t = (int) threshold;
        int k = 0;
        for (; k + lanes <= pairs; k += lanes) {
            LongVector z = z0;
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xbf58476d1ce4e5b9L);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94d049bb133111ebL);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
            // little-endian: int lane 2l is draw l's low half, 2l+1 its high half: element order
            IntVector halves = z.reinterpretAsInts();
            var kept = halves.compare(VectorOperators.UGE, t).cast(F);
            zero.blend(keep, kept).intoArray(mask, from + 2 * k);
            z0 = z0.add(step);
        }
        return k;
    }
}
