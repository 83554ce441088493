package io.jiomap.tck.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExpectedMatrixTest {
    private static final Set<String> DECLARED = Set.of("a", "b", "c");
    private static final Map<String, String> EXPECTED = Map.of("a", "ran", "b", "skipped: no cache", "c", "ran");

    @Test
    void aFullRunAsExpectedHasNoDifference() {
        assertThat(ExpectedMatrix.differences(EXPECTED, EXPECTED, DECLARED, "T")).isEmpty();
    }

    @Test
    void aTestThatStartsSkippingIsADifference() {
        Map<String, String> actual = Map.of("a", "skipped: device refused lbs=512", "b", "skipped: no cache", "c", "ran");
        assertThat(ExpectedMatrix.differences(EXPECTED, actual, DECLARED, "T"))
                .containsExactly("a: skipped: device refused lbs=512   (expected: ran)");
    }

    @Test
    void aSkipForAnotherReasonAndATestThatStopsSkippingAreDifferences() {
        Map<String, String> actual = Map.of("a", "ran", "b", "ran", "c", "skipped: other");
        assertThat(ExpectedMatrix.differences(EXPECTED, actual, DECLARED, "T")).containsExactly(
                "b: ran   (expected: skipped: no cache)", "c: skipped: other   (expected: ran)");
    }

    @Test
    void aNewTestAStaleLineAndAMissingFixtureAreDifferences() {
        Set<String> declared = Set.of("a", "b", "d");
        Map<String, String> actual = Map.of("a", "ran", "b", "skipped: no cache", "d", "ran");
        assertThat(ExpectedMatrix.differences(EXPECTED, actual, declared, "T")).containsExactly(
                "d: ran   (not in the file)", "c: in the file, but the class has no such test");
        assertThat(ExpectedMatrix.differences(null, actual, declared, "T")).singleElement().asString()
                .contains("no line for T");
    }

    @Test
    void aTestThatDidNotRunIsADifferenceOnlyWhenTheWholeClassRan() {
        Map<String, String> filtered = Map.of("a", "ran");
        assertThat(ExpectedMatrix.differences(EXPECTED, filtered, DECLARED, "T")).as("a run of one test").isEmpty();
    }

    @Test
    void theFileRoundTrips(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tck-matrix.txt");
        Map<String, Map<String, String>> all = new TreeMap<>();
        all.put("T", new TreeMap<>(EXPECTED));
        all.put("U", new TreeMap<>(Map.of("x", "disabled: reason: with a colon")));
        ExpectedMatrix.write(file, all);
        assertThat(Files.readString(file)).startsWith("# ").contains("T b: skipped: no cache\n");
        assertThat(ExpectedMatrix.read(file)).isEqualTo(all);
    }
}
