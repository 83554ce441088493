package io.jiomap.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.crash.fixture.Memory;
import io.jiomap.device.toolkit.crash.Mode;
import io.jiomap.fs.raw.RawFileSystemType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ace-style bounded enumeration: its size, its shape, and that a correct filesystem passes it. */
class BoundedWorkloadsTest {
    @Test
    void everySequenceOfUpToTheBoundIsEnumeratedOnce() {
        assertThat(Workloads.bounded(1, FsxOp.all()).size()).isEqualTo(18);
        // 18 one-op sequences plus every pair but those using a file an op removed or creating twice.
        assertThat(Workloads.bounded(2, FsxOp.all()).size()).isBetween(18 + 18 * 16, 18 + 18 * 18);
        assertThat(Workloads.bounded(2, FsxOp.all()).list()).extracting(Workload::name).doesNotHaveDuplicates();
        // dataOnly on one file: overwrite, append, sub-block, O_DSYNC and ring O_DSYNC writes.
        assertThat(Workloads.bounded(3, FsxOp.dataOnly()).files(1).size()).isEqualTo(5 + 25 + 125);
    }

    @Test
    void settingsAppliedToACombinedSetReachEveryPart() {
        Workloads combined = Workloads.fsx(1, 2, 10, FsxOp.dataOnly())
                .and(Workloads.bounded(1, FsxOp.dataOnly()).maxFileSize(128 << 10))
                .files(1);

        assertThat(combined.list()).hasSize(2 + 5).allSatisfy(w -> assertThat(w.files()).isEqualTo(1));
        assertThat(combined.list()).extracting(Workload::maxFileSize).containsExactly(
                256L << 10, 256L << 10, 128L << 10, 128L << 10, 128L << 10, 128L << 10, 128L << 10);
    }

    @Test
    void aBoundedSetNeedsAPersistenceKind() {
        assertThatThrownBy(() -> Workloads.bounded(2, FsxOp.of(FsxOp.WRITE, FsxOp.TRUNCATE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs FSYNC, FDATASYNC or SYNC");
    }

    @Test
    void boundedWorkloadsOnRawAreClean() {
        CrashReport report = CrashTest.of(new RawFileSystemType())
                .device(Memory.devices("memory:size=1m,lbs=4096,vwc=on,fua=off,completion=submitter"))
                .workloads(Workloads.bounded(2, FsxOp.dataOnly()).files(1))
                .modes(Mode.LOSE_CACHE, Mode.PREFIX_EVERY_WRITE)
                .budget(200)
                .run();

        assertThat(report.clean()).as("%s", report).isTrue();
        assertThat(report.workloadsRun()).isEqualTo(30);
        assertThat(report.statesChecked()).isGreaterThan(30);
    }

    @Test
    void aBudgetSmallerThanTheWorkloadsRunsASeededChoiceOfThem() {
        List<String> progress = new ArrayList<>();
        CrashReport report = CrashTest.of(new RawFileSystemType())
                .device(Memory.devices("memory:size=1m,lbs=4096,vwc=on,completion=submitter"))
                .workloads(Workloads.bounded(2, FsxOp.dataOnly()).files(1))
                .budget(5)
                .progress(progress::add)
                .run();

        assertThat(report.workloadsTotal()).isEqualTo(30);
        assertThat(report.workloadsRun()).isEqualTo(5);
        assertThat(report.statesChecked()).isEqualTo(5);
        assertThat(progress).hasSize(5).allSatisfy(line -> assertThat(line)
                .matches("workload \\d/5 bounded\\(.* then .*: 1 states checked, 0 violations so far"));
    }
}
