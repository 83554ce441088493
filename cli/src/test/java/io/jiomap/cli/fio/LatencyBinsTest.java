package io.jiomap.cli.fio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The buckets are fio's (stat.h: 6 index bits, 64 buckets per group, 29 groups). The expected values below were
 * worked out by hand from fio's plat_val_to_idx and plat_idx_to_val, not taken from this implementation.
 */
class LatencyBinsTest {
    @Test
    void valuesBelow128NanosecondsHaveABucketEach() {
        for (long v = 0; v < 128; v++) {
            assertThat(LatencyBins.index(v)).isEqualTo((int) v);
            assertThat(LatencyBins.value((int) v)).isEqualTo(v);
        }
    }

    @Test
    void largerValuesLandInTheBucketFiosFormulaGivesAndReportItsMiddle() {
        // 128: msb 7, 1 error bit, group base index 128, offset 0 -> bucket 128 = [128, 129], middle 129.
        assertThat(LatencyBins.index(128)).isEqualTo(128);
        assertThat(LatencyBins.value(128)).isEqualTo(129);
        assertThat(LatencyBins.index(129)).isEqualTo(128);
        // 322: msb 8, 2 error bits, index 192 + (322 >> 2 & 63) = 208 -> 256 + 16.5 * 4 = 322.
        assertThat(LatencyBins.index(322)).isEqualTo(208);
        assertThat(LatencyBins.value(208)).isEqualTo(322);
        // 1000: msb 9, 3 error bits, index 256 + 61 = 317 -> 512 + 61.5 * 8 = 1004.
        assertThat(LatencyBins.index(1000)).isEqualTo(317);
        assertThat(LatencyBins.value(317)).isEqualTo(1004);
        // 100 us: msb 16, 10 error bits, index 704 + 33 = 737 -> 65536 + 33.5 * 1024 = 99840.
        assertThat(LatencyBins.index(100_000)).isEqualTo(737);
        assertThat(LatencyBins.value(737)).isEqualTo(99_840);
    }

    @Test
    void valuesPastTheLastGroupCountInTheLastBucket() {
        assertThat(LatencyBins.BUCKETS).isEqualTo(1856);
        assertThat(LatencyBins.index(1L << 40)).isEqualTo(1855);
        assertThat(LatencyBins.index(Long.MAX_VALUE)).isEqualTo(1855);
        // 2^33 + 63.5 * 2^27: the largest value fio's json+ tools expect.
        assertThat(LatencyBins.value(1855)).isEqualTo(17_112_760_320L);
        assertThat(LatencyBins.index(-5)).isZero();
    }

    @Test
    void everyBucketValueFallsInItsOwnBucketAndValuesGrow() {
        long previous = -1;
        for (int i = 0; i < LatencyBins.BUCKETS; i++) {
            long v = LatencyBins.value(i);
            assertThat(LatencyBins.index(v)).as("bucket %d value %d", i, v).isEqualTo(i);
            assertThat(v).isGreaterThan(previous);
            previous = v;
        }
        assertThatThrownBy(() -> LatencyBins.value(LatencyBins.BUCKETS)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void percentilesAreTheValueOfTheBucketWhereTheRunningCountReachesThem() {
        LatencyBins bins = new LatencyBins();
        for (long v = 1; v <= 100; v++) {
            bins.record(v);
        }
        bins.record(1000);
        assertThat(bins.percentile(50, 101)).isEqualTo(51);
        assertThat(bins.percentile(1, 101)).isEqualTo(2);
        assertThat(bins.percentile(100, 101)).isEqualTo(1004);
        assertThat(new LatencyBins().percentile(50, 0)).isZero();
    }

    @Test
    void nonEmptyBucketsAreListedSmallestFirstWithTheirCounts() {
        LatencyBins bins = new LatencyBins();
        bins.record(1000);
        bins.record(1003);
        bins.record(5);
        LatencyBins other = new LatencyBins();
        other.record(5);
        bins.add(other);
        Map<Long, Long> listed = new LinkedHashMap<>();
        bins.forEachNonEmpty(listed::put);
        assertThat(listed).containsExactly(Map.entry(5L, 2L), Map.entry(1004L, 2L));
    }
}
