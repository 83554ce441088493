package io.jiomap.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.crash.fixture.Memory;
import io.jiomap.crash.fixture.SlotFs;
import io.jiomap.device.toolkit.crash.Mode;
import io.jiomap.fs.raw.RawFileSystemType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The harness passes correct code: raw and a correct multi-file filesystem show no violation in any mode. */
class CorrectFileSystemsAreCleanTest {
    @ParameterizedTest
    @ValueSource(strings = {"lbs=512,vwc=on,fua=on", "lbs=4096,vwc=on,fua=off", "lbs=4096,vwc=off"})
    void fsxOnRawIsCleanInEveryMode(String cache) {
        CrashReport report = CrashTest.of(new RawFileSystemType())
                .device(Memory.devices("memory:size=1m,completion=submitter," + cache))
                .workloads(Workloads.fsx(1, 3, 60, FsxOp.dataOnly()).files(1))
                .modes(Mode.PREFIX_AT_BARRIER, Mode.LOSE_CACHE, Mode.PREFIX_EVERY_WRITE, Mode.RANDOM_SUBSET)
                .budget(300)
                .seed(7)
                .run();

        assertThat(report.clean()).as("%s", report).isTrue();
        assertThat(report.workloadsRun()).isEqualTo(3);
        assertThat(report.statesChecked()).isBetween(200, 300);
        assertThat(report.statesByMode()).allSatisfy((mode, n) -> assertThat(n).as("%s", mode).isPositive());
    }

    @Test
    void fsxOnACorrectMultiFileFilesystemIsClean() {
        CrashReport report = CrashTest.of(SlotFs.fixed(3, 256 << 10))
                .device(Memory.devices("memory:size=2m,lbs=4096,vwc=on,completion=submitter"))
                .workloads(Workloads.fsx(40, 2, 60, FsxOp.dataOnly()).files(3))
                .modes(Mode.LOSE_CACHE, Mode.RANDOM_SUBSET)
                .budget(150)
                .run();

        assertThat(report.clean()).as("%s", report).isTrue();
        assertThat(report.statesChecked()).isEqualTo(150);
    }
}
