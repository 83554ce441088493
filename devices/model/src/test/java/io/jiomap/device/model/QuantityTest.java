package io.jiomap.device.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuantityTest {
    @Test
    void byteCountsUseBinarySuffixes() {
        assertThat(Quantity.bytes("4096")).isEqualTo(4096);
        assertThat(Quantity.bytes("512k")).isEqualTo(512 << 10);
        assertThat(Quantity.bytes(" 64M ")).isEqualTo(64L << 20);
        assertThat(Quantity.bytes("2g")).isEqualTo(2L << 30);
        assertThat(Quantity.bytes("4t")).isEqualTo(4L << 40);
    }

    @Test
    void unreadableOrOverflowingByteCountsAreMinusOne() {
        assertThat(Quantity.bytes("")).isEqualTo(-1);
        assertThat(Quantity.bytes("-1")).isEqualTo(-1);
        assertThat(Quantity.bytes("1.5g")).isEqualTo(-1);
        assertThat(Quantity.bytes("k")).isEqualTo(-1);
        assertThat(Quantity.bytes("9999999999999t")).isEqualTo(-1);
    }

    @Test
    void durationsNeedAUnit() {
        assertThat(Quantity.nanos("800ns")).isEqualTo(800);
        assertThat(Quantity.nanos("10us")).isEqualTo(10_000);
        assertThat(Quantity.nanos("2ms")).isEqualTo(2_000_000);
        assertThat(Quantity.nanos("1s")).isEqualTo(1_000_000_000);
        assertThat(Quantity.nanos("10")).isEqualTo(-1);
        assertThat(Quantity.nanos("us")).isEqualTo(-1);
    }

    @Test
    void formattedSizesReadBackTheSame() {
        for (long v : new long[] {0, 512, 4096, 3 << 20, 5L << 40, 1536}) {
            assertThat(Quantity.bytes(Quantity.formatBytes(v))).isEqualTo(v);
        }
        assertThat(Quantity.formatBytes(256L << 20)).isEqualTo("256m");
    }
}
