package io.jiomap.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.crash.fixture.Memory;
import io.jiomap.crash.fixture.SlotFs;
import io.jiomap.device.toolkit.crash.Mode;
import org.junit.jupiter.api.Test;

/**
 * Names: create, rename and unlink through crash states. A filesystem that makes names durable at sync and reuses
 * space only after the removal is durable passes; one that reuses a removed file's space at once shows another
 * file's data under the old name after a crash.
 */
class NamespaceTest {
    private static final String MEMORY = "memory:size=2m,lbs=4096,vwc=on,completion=submitter";
    private static final FsxOps NAMESPACE = FsxOp.of(FsxOp.WRITE, FsxOp.DSYNC_WRITE, FsxOp.READ, FsxOp.FSYNC,
            FsxOp.FDATASYNC, FsxOp.SYNC, FsxOp.CREATE, FsxOp.RENAME, FsxOp.UNLINK);

    @Test
    void fsxWithNamespaceOpsOnACorrectFilesystemIsClean() {
        CrashReport report = CrashTest.of(SlotFs.named(16, 64 << 10))
                .device(Memory.devices(MEMORY))
                .workloads(Workloads.fsx(100, 4, 50, NAMESPACE).maxFileSize(64 << 10))
                .modes(Mode.PREFIX_AT_BARRIER, Mode.LOSE_CACHE, Mode.PREFIX_EVERY_WRITE, Mode.RANDOM_SUBSET)
                .budget(300)
                .seed(3)
                .run();

        assertThat(report.clean()).as("%s", report).isTrue();
        assertThat(report.statesChecked()).isEqualTo(300);
    }

    @Test
    void boundedNamespaceSequencesOnACorrectFilesystemAreClean() {
        CrashReport report = CrashTest.of(SlotFs.named(16, 64 << 10))
                .device(Memory.devices(MEMORY))
                .workloads(Workloads.bounded(2, FsxOp.of(FsxOp.WRITE, FsxOp.FSYNC, FsxOp.SYNC, FsxOp.CREATE,
                        FsxOp.RENAME, FsxOp.UNLINK)))
                .modes(Mode.LOSE_CACHE, Mode.PREFIX_AT_BARRIER)
                .budget(400)
                .run();

        assertThat(report.clean()).as("%s", report).isTrue();
        // 7 steps (3 writes, create, 2 renames, unlink), 7 + 49 pairs less the 8 that use a removed file or create twice.
        assertThat(report.workloadsRun()).isEqualTo(report.workloadsTotal()).isEqualTo(48);
    }

    @Test
    void reusingARemovedFilesSpaceBeforeTheRemovalIsDurableIsCaught() {
        CrashReport report = CrashTest.of(SlotFs.named(16, 64 << 10, SlotFs.Fault.REUSES_UNSYNCED_SLOTS))
                .device(Memory.devices(MEMORY))
                .workloads(Workloads.bounded(2, FsxOp.of(FsxOp.WRITE, FsxOp.FSYNC, FsxOp.SYNC, FsxOp.CREATE,
                        FsxOp.UNLINK)))
                .modes(Mode.LOSE_CACHE)
                .budget(400)
                .run();

        assertThat(report.violations()).anySatisfy(v -> assertThat(v.problems()).anySatisfy(p -> assertThat(p)
                .containsPattern("/f1 \\(file #2\\) bytes \\[\\d+, \\d+\\): (acknowledged data lost, found zeros"
                        + "|another file's data)")));
    }
}
