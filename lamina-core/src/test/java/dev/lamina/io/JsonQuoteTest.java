package dev.lamina.io;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one JSON string quoting the checkpoint manifests, the command line's --json lines and the dashboard's records share. */
class JsonQuoteTest {
    @Test
    void everyCharacterSurvivesAndTheTextIsSafeInsideAScript() throws Exception {
        String s = "quote \" backslash \\ newline \n tab \t cr \r bs \b ff \f nul \0 ls \u2028 ps \u2029 emoji \ud83d\ude00 é";
        StringBuilder sb = new StringBuilder();
        JsonTree.quote(sb, s);
        String literal = sb.toString();
        assertEquals(s, JsonTree.parse(literal, "test"));
        for (char c : literal.toCharArray()) assertTrue(c >= 0x20 && c != 0x2028 && c != 0x2029 && !Character.isSurrogate(c), "raw " + (int) c + " in " + literal);
        assertTrue(literal.contains("\\b") && literal.contains("\\f") && literal.contains("\\u2028") && literal.contains("\\ud83d\\ude00"), literal);
    }
}
