package io.jiomap.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.crash.fixture.LyingDevice;
import io.jiomap.crash.fixture.Memory;
import io.jiomap.crash.fixture.SlotFs;
import io.jiomap.device.toolkit.crash.Mode;
import io.jiomap.fs.raw.RawFileSystemType;
import org.junit.jupiter.api.Test;

/**
 * The harness finds bugs: each deliberately broken variant (a device that lies about flushes or FUA, a filesystem
 * whose fsync lies, one that returns another file's data, data of another offset or stale data) shows violations
 * that name the damaged bytes.
 */
class BrokenVariantsAreCaughtTest {
    private static final String MEMORY = "memory:size=1m,lbs=4096,vwc=on,fua=on,completion=submitter";

    private static CrashReport run(CrashTest test, FsxOps ops) {
        return run(test, ops, 2);
    }

    private static CrashReport run(CrashTest test, FsxOps ops, int files) {
        CrashReport report = test
                .device(Memory.devices(MEMORY))
                .workloads(Workloads.fsx(3, 2, 40, ops).files(files))
                .modes(Mode.LOSE_CACHE, Mode.PREFIX_AT_BARRIER)
                .budget(60)
                .seed(11)
                .run();
        return report;
    }

    @Test
    void aDeviceThatDropsFlushesLosesAcknowledgedBytes() {
        CrashReport report = run(CrashTest.of(new RawFileSystemType())
                .deviceFilter(d -> new LyingDevice(d, true, false)), FsxOp.dataOnly().without(FsxOp.DSYNC_WRITE), 1);

        assertThat(report.clean()).isFalse();
        assertThat(report.violations()).anySatisfy(v -> {
            assertThat(v.kind()).isEqualTo(Violation.Kind.ORACLE);
            assertThat(v.problems()).anySatisfy(p -> assertThat(p).containsPattern(
                    "/f0 \\(file #1\\) bytes \\[\\d+, \\d+\\): acknowledged data lost, found zeros; acknowledged"
                            + " durable by op #\\d+ f(data)?sync /f0"));
        });
    }

    @Test
    void aDeviceThatStripsFuaLosesAcknowledgedDsyncWrites() {
        CrashReport report = run(CrashTest.of(new RawFileSystemType())
                .deviceFilter(d -> new LyingDevice(d, false, true)), FsxOp.of(FsxOp.WRITE, FsxOp.DSYNC_WRITE), 1);

        assertThat(report.violations()).anySatisfy(v -> assertThat(v.problems()).anySatisfy(p -> assertThat(p)
                .containsPattern("acknowledged durable by op #\\d+ dsync-write /f0")));
    }

    @Test
    void aDeviceThatStripsFuaLosesAcknowledgedRingWritesCompletedByTheCaller() {
        CrashReport report = run(CrashTest.of(new RawFileSystemType())
                .deviceFilter(d -> new LyingDevice(d, false, true)), FsxOp.of(FsxOp.WRITE, FsxOp.RING_WRITES), 1);

        assertThat(report.violations()).anySatisfy(v -> assertThat(v.problems()).anySatisfy(p -> assertThat(p)
                .containsPattern("acknowledged data lost, found .*; acknowledged durable by op #\\d+"
                        + " ring-dsync-writes /f0")));
    }

    @Test
    void aFilesystemWhoseFsyncLiesLosesAcknowledgedBytes() {
        CrashReport report = run(CrashTest.of(SlotFs.fixed(2, 256 << 10, SlotFs.Fault.FSYNC_LIES)),
                FsxOp.of(FsxOp.WRITE, FsxOp.FSYNC, FsxOp.FDATASYNC));

        assertThat(report.violations()).isNotEmpty().allSatisfy(v -> {
            assertThat(v.kind()).isEqualTo(Violation.Kind.ORACLE);
            assertThat(v.mode()).isEqualTo(Mode.LOSE_CACHE);
        });
        assertThat(report.violations()).anySatisfy(v -> assertThat(v.problems()).anySatisfy(p -> assertThat(p)
                .contains("acknowledged data lost")));
    }

    @Test
    void readingAnotherFilesDataIsCaughtByThePayload() {
        CrashReport report = run(CrashTest.of(SlotFs.fixed(2, 256 << 10, SlotFs.Fault.READS_OTHER_FILE)),
                FsxOp.of(FsxOp.WRITE, FsxOp.FSYNC));

        assertThat(report.violations()).anySatisfy(v -> assertThat(v.problems()).anySatisfy(p -> assertThat(p)
                .containsPattern("/f1 \\(file #2\\) bytes \\[\\d+, \\d+\\): another file's data \\(write #\\d+"
                        + " \\(file #1\\)\\) \\(from offset \\d+ of file #1 on\\)")));
    }

    @Test
    void readingAnotherOffsetIsCaughtByThePayload() {
        CrashReport report = run(CrashTest.of(SlotFs.fixed(2, 256 << 10, SlotFs.Fault.READS_OTHER_OFFSET)),
                FsxOp.of(FsxOp.WRITE, FsxOp.FSYNC));

        assertThat(report.violations()).anySatisfy(v -> assertThat(v.problems()).anySatisfy(p -> assertThat(p)
                .containsPattern("/f0 \\(file #1\\) bytes \\[\\d+, \\d+\\): data of another offset of this file \\(write"
                        + " #\\d+ \\(file #1\\)\\) \\(from offset \\d+ of file #1 on\\)")));
    }

    @Test
    void lostWritesLeaveStaleDataThatIsCaught() {
        CrashReport report = run(CrashTest.of(SlotFs.fixed(2, 256 << 10, SlotFs.Fault.WRITES_LOST)),
                FsxOp.of(FsxOp.WRITE, FsxOp.FSYNC));

        assertThat(report.violations()).anySatisfy(v -> assertThat(v.problems()).anySatisfy(p -> assertThat(p)
                .containsPattern("/f0 \\(file #1\\) bytes \\[\\d+, \\d+\\): acknowledged data lost, found (zeros|write"
                        + " #\\d+ \\(file #1\\))")));
    }

    @Test
    void aReadDuringTheWorkloadIsComparedWithTheModel() {
        CrashReport report = run(CrashTest.of(SlotFs.fixed(2, 256 << 10, SlotFs.Fault.READS_OTHER_FILE)),
                FsxOp.of(FsxOp.WRITE, FsxOp.READ, FsxOp.FSYNC));

        assertThat(report.violations()).anySatisfy(v -> {
            assertThat(v.kind()).isEqualTo(Violation.Kind.WORKLOAD);
            assertThat(v.mode()).isNull();
            assertThat(v.problems()).anySatisfy(p -> assertThat(p).containsPattern(
                    "read /f1 .* read write #\\d+ of file #1 at \\d+ at byte \\d+ where the file holds"));
        });
    }

    @Test
    void aFilesystemThatCannotRecoverFailsToMountTheCrashStates() {
        CrashReport report = CrashTest.of(SlotFs.named(8, 64 << 10, SlotFs.Fault.NEEDS_CLEAN_UNMOUNT))
                .device(Memory.devices("memory:size=1m,lbs=4096,vwc=on,completion=submitter"))
                .workloads(Workloads.fsx(3, 20, FsxOp.of(FsxOp.WRITE, FsxOp.FSYNC)).maxFileSize(64 << 10))
                .modes(Mode.LOSE_CACHE)
                .budget(20)
                .run();

        assertThat(report.violations()).isNotEmpty().allSatisfy(v -> {
            assertThat(v.kind()).isEqualTo(Violation.Kind.MOUNT);
            assertThat(v.problems()).singleElement().asString()
                    .startsWith("mount (recovery) failed: ").contains("was not unmounted cleanly");
        });
        assertThat(report.violations().size()).as("the fresh filesystem and the states after the clean unmount mount")
                .isLessThan(report.statesChecked());
    }

    @Test
    void everyFsckProblemIsReportedWithFscksWords() {
        CrashReport report = run(CrashTest.of(SlotFs.fixed(2, 256 << 10, SlotFs.Fault.FSCK_COMPLAINS)),
                FsxOp.of(FsxOp.WRITE, FsxOp.FSYNC));

        assertThat(report.violations()).hasSize(report.statesChecked()).allSatisfy(v -> {
            assertThat(v.kind()).isEqualTo(Violation.Kind.FSCK);
            assertThat(v.problems()).containsExactly(
                    "fsck after recovery: slot 0: bad magic in the block map (expected 0x51, found 0x00)",
                    "fsck after the remount: slot 0: bad magic in the block map (expected 0x51, found 0x00)");
        });
    }
}
