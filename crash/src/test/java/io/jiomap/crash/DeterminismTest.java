package io.jiomap.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.crash.fixture.Memory;
import io.jiomap.crash.fixture.SlotFs;
import io.jiomap.device.toolkit.crash.Mode;
import org.junit.jupiter.api.Test;

/** The same configuration and seed give the same crash states and the same report, violations included. */
class DeterminismTest {
    private static CrashReport run(long seed) {
        return CrashTest.of(SlotFs.fixed(2, 256 << 10, SlotFs.Fault.FSYNC_LIES))
                .device(Memory.devices("memory:size=1m,lbs=4096,vwc=on,completion=submitter"))
                .workloads(Workloads.fsx(5, 2, 30, FsxOp.of(FsxOp.WRITE, FsxOp.FSYNC, FsxOp.DSYNC_WRITE)))
                .modes(Mode.LOSE_CACHE, Mode.RANDOM_SUBSET)
                .budget(40)
                .seed(seed)
                .run();
    }

    @Test
    void theSameSeedGivesTheSameStatesAndReport() {
        CrashReport first = run(9);
        CrashReport second = run(9);

        assertThat(first.clean()).isFalse();
        assertThat(second.toString()).isEqualTo(first.toString());
        assertThat(second.violations()).isEqualTo(first.violations());
        assertThat(second.statesByMode()).isEqualTo(first.statesByMode());
    }

    @Test
    void anotherSeedChoosesOtherStates() {
        assertThat(run(10).violations()).isNotEqualTo(run(9).violations());
    }
}
