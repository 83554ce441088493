package io.jiomap.cli.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UnitsTest {
    @Test
    void sizesAre1024BasedWhateverTheSuffixSpelling() {
        assertThat(Units.parseSize("4096")).isEqualTo(4096);
        assertThat(Units.parseSize("4k")).isEqualTo(4096);
        assertThat(Units.parseSize("4K")).isEqualTo(4096);
        assertThat(Units.parseSize("4kb")).isEqualTo(4096);
        assertThat(Units.parseSize("4KiB")).isEqualTo(4096);
        assertThat(Units.parseSize("1m")).isEqualTo(1L << 20);
        assertThat(Units.parseSize("1g")).isEqualTo(1L << 30);
        assertThat(Units.parseSize("2t")).isEqualTo(2L << 40);
    }

    @Test
    void aSizeThatIsNotANumberIsRefusedNamingTheText() {
        assertThatThrownBy(() -> Units.parseSize("4x")).hasMessageContaining("'4x' is not a size");
        assertThatThrownBy(() -> Units.parseSize("")).hasMessageContaining("is not a size");
        assertThatThrownBy(() -> Units.parseSize("99999999999999t")).hasMessageContaining("too large");
    }

    @Test
    void durationsDefaultToSecondsAndTakeFioTimeSuffixes() {
        assertThat(Units.parseDuration("10")).isEqualTo(10_000_000_000L);
        assertThat(Units.parseDuration("0.2")).isEqualTo(200_000_000L);
        assertThat(Units.parseDuration("500ms")).isEqualTo(500_000_000L);
        assertThat(Units.parseDuration("250us")).isEqualTo(250_000L);
        assertThat(Units.parseDuration("2m")).isEqualTo(120_000_000_000L);
        assertThat(Units.parseDuration("1h")).isEqualTo(3_600_000_000_000L);
    }

    @Test
    void aDurationWithAnUnknownUnitIsRefusedNamingTheUnit() {
        assertThatThrownBy(() -> Units.parseDuration("5parsecs")).hasMessageContaining("unknown time unit 'parsecs'");
        assertThatThrownBy(() -> Units.parseDuration("-1")).hasMessageContaining("out of range");
    }

    @Test
    void countsAndBytesPrintTheWayFioPrintsThem() {
        assertThat(Units.count(950)).isEqualTo("950");
        assertThat(Units.count(12_900)).isEqualTo("12.9k");
        assertThat(Units.count(121_400)).isEqualTo("121k");
        assertThat(Units.count(1_520_000)).isEqualTo("1.52M");
        assertThat(Units.binaryBytes(473 * 1024.0 * 1024)).isEqualTo("473MiB");
        assertThat(Units.size(4096)).isEqualTo("4k");
        assertThat(Units.size(1L << 30)).isEqualTo("1g");
        assertThat(Units.size(1000)).isEqualTo("1000");
    }
}
