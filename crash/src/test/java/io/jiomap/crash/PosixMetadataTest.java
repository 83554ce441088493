package io.jiomap.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.crash.fixture.Memory;
import io.jiomap.crash.fixture.PosixFs;
import io.jiomap.device.toolkit.crash.Mode;
import org.junit.jupiter.api.Test;

/**
 * Hard links, symbolic links, chmod, chown, utimens and the rename flags through crash states: a filesystem whose
 * every metadata commit is atomic passes; one whose fsync leaves attributes behind, whose exchange is seen half done,
 * or which cuts symbolic link targets is caught, with a sentence saying what.
 */
class PosixMetadataTest {
    private static final String MEMORY = "memory:size=4m,lbs=4096,vwc=on,completion=submitter";
    private static final long SLOT = 64 << 10;
    private static final FsxOps POSIX = FsxOp.of(FsxOp.WRITE, FsxOp.DSYNC_WRITE, FsxOp.READ, FsxOp.FSYNC,
            FsxOp.FDATASYNC, FsxOp.SYNC, FsxOp.CREATE, FsxOp.RENAME, FsxOp.UNLINK, FsxOp.LINK, FsxOp.SYMLINK,
            FsxOp.CHMOD, FsxOp.CHOWN, FsxOp.UTIMENS, FsxOp.RENAME_NOREPLACE, FsxOp.RENAME_EXCHANGE);

    @Test
    void posixKindsAreNotInAllButInPosix() {
        assertThat(FsxOp.all().asSet()).doesNotContain(FsxOp.LINK, FsxOp.SYMLINK, FsxOp.CHMOD, FsxOp.CHOWN,
                FsxOp.UTIMENS, FsxOp.RENAME_NOREPLACE, FsxOp.RENAME_EXCHANGE).hasSize(18);
        assertThat(FsxOp.posix().asSet()).containsAll(FsxOp.all().asSet()).hasSize(25);
        assertThat(BoundedProgram.steps(FsxOp.posix(), 2)).hasSize(27);
    }

    @Test
    void fsxWithPosixOpsOnACorrectFilesystemIsClean() {
        CrashReport report = CrashTest.of(PosixFs.of(16, SLOT))
                .device(Memory.devices(MEMORY))
                .workloads(Workloads.fsx(200, 4, 60, POSIX).maxFileSize(SLOT))
                .modes(Mode.PREFIX_AT_BARRIER, Mode.LOSE_CACHE, Mode.PREFIX_EVERY_WRITE, Mode.RANDOM_SUBSET)
                .budget(300)
                .seed(5)
                .run();

        assertThat(report.clean()).as("%s", report).isTrue();
        assertThat(report.statesChecked()).isEqualTo(300);
    }

    @Test
    void boundedPosixSequencesOnACorrectFilesystemAreClean() {
        CrashReport report = CrashTest.of(PosixFs.of(16, SLOT))
                .device(Memory.devices(MEMORY))
                .workloads(Workloads.bounded(2, FsxOp.of(FsxOp.WRITE, FsxOp.FSYNC, FsxOp.FDATASYNC, FsxOp.SYNC,
                        FsxOp.CREATE, FsxOp.RENAME, FsxOp.UNLINK, FsxOp.LINK, FsxOp.SYMLINK, FsxOp.CHMOD, FsxOp.CHOWN,
                        FsxOp.UTIMENS, FsxOp.RENAME_NOREPLACE, FsxOp.RENAME_EXCHANGE)))
                .modes(Mode.LOSE_CACHE, Mode.PREFIX_AT_BARRIER)
                .budget(400)
                .run();

        assertThat(report.clean()).as("%s", report).isTrue();
        assertThat(report.workloadsRun()).isEqualTo(report.workloadsTotal());
    }

    @Test
    void aChmodAnFsyncLeftBehindIsCaught() {
        CrashReport report = CrashTest.of(PosixFs.of(16, SLOT, PosixFs.Fault.FSYNC_SKIPS_ATTRIBUTES))
                .device(Memory.devices(MEMORY))
                .workloads(Workloads.bounded(1, FsxOp.of(FsxOp.CHMOD, FsxOp.FSYNC)))
                .modes(Mode.LOSE_CACHE)
                .budget(50)
                .run();

        assertThat(report.violations()).anySatisfy(v -> assertThat(v.problems()).anySatisfy(p -> assertThat(p)
                .containsPattern("/f0 \\(file #1\\) has mode 0644, but op #\\d+ fsync /f0 made it 04751")));
    }

    @Test
    void anExchangeSeenHalfDoneIsCaught() {
        CrashReport report = CrashTest.of(PosixFs.of(16, SLOT, PosixFs.Fault.EXCHANGE_IN_TWO_STEPS))
                .device(Memory.devices(MEMORY))
                .workloads(Workloads.bounded(1, FsxOp.of(FsxOp.RENAME_EXCHANGE, FsxOp.SYNC)))
                .modes(Mode.PREFIX_AT_BARRIER)
                .budget(50)
                .run();

        assertThat(report.violations()).anySatisfy(v -> assertThat(v.problems()).anySatisfy(p -> assertThat(p)
                .containsPattern("file #\\d is missing: none of its names \\[.*\\] exists|exists under several"
                        + " names at once")));
    }

    @Test
    void aSymbolicLinkTargetCutShortIsCaught() {
        CrashReport report = CrashTest.of(PosixFs.of(16, SLOT, PosixFs.Fault.SHORT_SYMLINK_TARGETS))
                .device(Memory.devices(MEMORY))
                .workloads(Workloads.bounded(1, FsxOp.of(FsxOp.SYMLINK, FsxOp.SYNC)))
                .modes(Mode.PREFIX_AT_BARRIER)
                .budget(50)
                .run();

        assertThat(report.violations()).anySatisfy(v -> assertThat(v.problems()).anySatisfy(p -> assertThat(p)
                .containsPattern("/s\\d+ is a symbolic link to 'long/long/.*' \\(ino \\d+\\), but at this crash point"
                        + " it may hold only (nothing or )?symbolic link #\\d+ -> 'long/")));
    }
}
