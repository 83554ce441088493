package io.jiomap.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.crash.fixture.Memory;
import io.jiomap.crash.fixture.SlotFs;
import io.jiomap.fs.raw.RawFileSystemType;
import org.junit.jupiter.api.Test;

/** A workload the filesystem cannot run is a violation that says what to change, not a puzzle. */
class MisuseIsExplainedTest {
    private static final String MEMORY = "memory:size=1m,lbs=4096,vwc=on,completion=submitter";

    @Test
    void aFilesystemWithoutReflinkAnsweringCloneIsAViolationNamingTheOpToLeaveOut() {
        CrashReport report = CrashTest.of(SlotFs.fixed(2, 256 << 10))
                .device(Memory.devices(MEMORY))
                .workloads(Workloads.fsx(1, 40, FsxOp.of(FsxOp.WRITE, FsxOp.CLONE, FsxOp.FSYNC)))
                .budget(10)
                .run();

        assertThat(report.violations()).singleElement().satisfies(v -> {
            assertThat(v.kind()).isEqualTo(Violation.Kind.WORKLOAD);
            assertThat(v.problems()).singleElement().asString()
                    .contains("EOPNOTSUPP")
                    .contains("leave FsxOp.CLONE out of the op set");
            assertThat(v.ops().getLast()).isInstanceOf(Op.Clone.class);
        });
        assertThat(report.statesChecked()).as("no crash state of a workload that could not run").isZero();
    }

    @Test
    void twoFilesOnRawAreRefusedWithAHint() {
        CrashReport report = CrashTest.of(new RawFileSystemType())
                .device(Memory.devices(MEMORY))
                .workloads(Workloads.fsx(1, 10, FsxOp.dataOnly()))
                .run();

        assertThat(report.violations()).singleElement().satisfies(v -> assertThat(v.problems()).singleElement()
                .asString().contains("create /f1 gave the inode of /f0").contains("files(1)"));
    }

    @Test
    void runningWithoutADeviceIsRefused() {
        assertThatThrownBy(() -> CrashTest.of(new RawFileSystemType())
                .workloads(Workloads.fsx(1, 10, FsxOp.dataOnly())).run())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("device(...)");
    }
}
