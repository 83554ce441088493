package io.jiomap.cli.fio;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** fio's latency_ns/us/ms buckets: each named after its exclusive upper bound, in whole units of its range. */
class LatencyDistributionTest {
    @Test
    void eachLatencyCountsInTheBucketFioPutsItIn() {
        LatencyDistribution d = new LatencyDistribution();
        d.record(1);            // ns "2"
        d.record(999);          // ns "1000"
        d.record(1_000);        // us "2": 1 us
        d.record(9_999);        // us "10": 9 us
        d.record(999_999);      // us "1000"
        d.record(1_000_000);    // ms "2"
        d.record(2_000_000);    // ms "4"
        d.record(1_999_000_000L); // ms "2000"
        d.record(2_000_000_000L); // ms ">=2000"

        assertThat(d.ns()).containsExactly(1, 0, 0, 0, 0, 0, 0, 0, 0, 1);
        assertThat(d.us()).containsExactly(1, 0, 1, 0, 0, 0, 0, 0, 0, 1);
        assertThat(d.ms()).containsExactly(1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1);
    }

    @Test
    void aBucketHoldingAnythingShowsAtLeastAHundredthOfAPercent() {
        assertThat(LatencyDistribution.percent(1, 1_000_000)).isEqualTo(0.01);
        assertThat(LatencyDistribution.percent(0, 1_000_000)).isZero();
        assertThat(LatencyDistribution.percent(1, 4)).isEqualTo(25.0);
        assertThat(LatencyDistribution.percent(0, 0)).isZero();
    }
}
