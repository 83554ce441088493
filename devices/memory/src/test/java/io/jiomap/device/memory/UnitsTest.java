package io.jiomap.device.memory;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UnitsTest {
    @Test
    void sizesUseBinarySuffixes() {
        assertThat(Units.parseSize("4096")).isEqualTo(4096);
        assertThat(Units.parseSize("512k")).isEqualTo(512L << 10);
        assertThat(Units.parseSize("1M")).isEqualTo(1L << 20);
        assertThat(Units.parseSize("64g")).isEqualTo(64L << 30);
        assertThat(Units.parseSize(" 2t ")).isEqualTo(2L << 40);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "k", "-1", "1.5g", "1kb", "1 g", "99999999999999999999", "9000000000000t"})
    void malformedOrOverflowingSizeIsRefused(String text) {
        assertThat(Units.parseSize(text)).isEqualTo(-1);
    }

    @Test
    void durationsNeedAUnit() {
        assertThat(Units.parseNanos("500ns")).isEqualTo(500);
        assertThat(Units.parseNanos("10us")).isEqualTo(10_000);
        assertThat(Units.parseNanos("2ms")).isEqualTo(2_000_000);
        assertThat(Units.parseNanos("1s")).isEqualTo(1_000_000_000);
        assertThat(Units.parseNanos("10")).isEqualTo(-1);
        assertThat(Units.parseNanos("ms")).isEqualTo(-1);
        assertThat(Units.parseNanos("3h")).isEqualTo(-1);
    }

    @Test
    void sizesAreFormattedWithTheLargestExactSuffix() {
        assertThat(Units.formatSize(64L << 30)).isEqualTo("64g");
        assertThat(Units.formatSize((1L << 20) + 4096)).isEqualTo("1028k");
        assertThat(Units.formatSize(1000)).isEqualTo("1000");
        assertThat(Units.formatSize(0)).isEqualTo("0");
    }
}
