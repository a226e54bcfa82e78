package dev.lamina.cli;

import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/** Tick labels carry the digits the axis span needs. */
class TickFormatTest {
    @Test
    void aLossAxisReadsInHundredthsNotSixteenDigits() {
        Function<Double, String> f = TickFormat.forRange(0.2, 1.45);
        assertEquals("1.45", f.apply(1.448972765922546));
        assertEquals("0.25", f.apply(0.25));
        assertEquals("1", f.apply(1.0));
        assertEquals("0", f.apply(-0.0000001));
    }

    @Test
    void countsAndAccuraciesAreWholeOrOneDecimal() {
        assertEquals("12000", TickFormat.forRange(0, 12000).apply(12000.000001));
        assertEquals("87.5", TickFormat.forRange(60, 90).apply(87.5));
        assertEquals("87.3", TickFormat.forRange(60, 90).apply(87.2999));
    }

    @Test
    void narrowSpansGetMoreDigitsAndTinyOnesScientificNotation() {
        assertEquals("0.69315", TickFormat.forRange(0.693, 0.694).apply(0.69314718));
        assertEquals("1.23e-08", TickFormat.forRange(0, 1e-7).apply(1.2345e-8));
        assertEquals("2.5e+07", TickFormat.forRange(0, 3e7).apply(2.5e7));
    }

    @Test
    void degenerateRangesStillFormat() {
        assertEquals("3", TickFormat.forRange(3, 3).apply(3.0));
        assertEquals("0", TickFormat.forRange(0, 0).apply(0.0));
        assertEquals("NaN", TickFormat.forRange(Double.NaN, 1).apply(Double.NaN));
    }

    @Test
    void roundStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(20, TickFormat.niceStep(187, 10), 1e-12);
        assertEquals(0.1, TickFormat.niceStep(0.49, 5), 1e-12);
        assertEquals(0.05, TickFormat.niceStep(0.25, 5), 1e-12);
        assertEquals(1, TickFormat.niceStep(0, 5), 1e-12);
        assertEquals(5, TickFormat.niceStep(50, 10), 1e-12);
    }
}
