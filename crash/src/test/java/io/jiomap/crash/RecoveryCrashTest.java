package io.jiomap.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.crash.fixture.Memory;
import io.jiomap.crash.fixture.SlotFs;
import io.jiomap.device.toolkit.crash.Mode;
import org.junit.jupiter.api.Test;

/**
 * A crash during recovery (docs/crash-consistency.md, "Crash during recovery"): recovery must itself survive a crash.
 * 
 */
class RecoveryCrashTest {
    private static final String MEMORY = "memory:size=1m,lbs=4096,vwc=on,completion=submitter";
    private static final FsxOps OPS = FsxOp.of(FsxOp.WRITE, FsxOp.FSYNC, FsxOp.SYNC, FsxOp.CREATE, FsxOp.RENAME);

    private static CrashReport run(SlotFs fs, int recoveryCrashes) {
        return CrashTest.of(fs)
                .device(Memory.devices(MEMORY))
                .workloads(Workloads.fsx(8, 2, 20, OPS).maxFileSize(64 << 10))
                .modes(Mode.LOSE_CACHE, Mode.PREFIX_AT_BARRIER)
                .budget(30)
                .recoveryCrashes(recoveryCrashes)
                .run();
    }

    @Test
    void aRecoveryThatSurvivesCrashesIsClean() {
        CrashReport report = run(SlotFs.named(12, 64 << 10), 4);

        assertThat(report.clean()).as("%s", report).isTrue();
    }

    @Test
    void aRecoveryThatLosesNamesWhenItCrashesIsCaughtOnlyByCrashingIt() {
        SlotFs fs = SlotFs.named(12, 64 << 10, SlotFs.Fault.RECOVERY_CLEARS_DIRECTORY_FIRST);
        assertThat(run(fs, 0).clean()).as("an uninterrupted recovery is fine").isTrue();

        CrashReport report = run(fs, 4);

        assertThat(report.violations()).isNotEmpty().allSatisfy(v -> {
            assertThat(v.kind()).isEqualTo(Violation.Kind.ORACLE);
            assertThat(v.problems()).anySatisfy(p -> assertThat(p)
                    .startsWith("after a crash during recovery (")
                    .containsPattern("file #\\d is missing: none of its names \\[.*\\] exists, but its name /\\w+ was"
                            + " made durable by op #\\d+ sync"));
        });
    }
}
