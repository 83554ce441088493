package io.jiomap.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.crash.CrashReport;
import io.jiomap.crash.FsxOp;
import io.jiomap.crash.Workloads;
import io.jiomap.device.toolkit.crash.Mode;

/** The crash harness on the pair's filesystem and devices, set up in one line. */
class CrashHarnessTest {
    // tag::testkit-crash-harness[]
    @JiomapTest(fs = "raw", devices = "memory:lbs=4096,vwc=on,completion=submitter", size = "1m")
    void boundedWorkloadsOnRawLeaveNoBrokenCrashState(JiomapRig rig) {
        CrashReport report = CrashHarness.of(rig)
                .workloads(Workloads.bounded(2, FsxOp.dataOnly()).files(1))
                .modes(Mode.LOSE_CACHE, Mode.PREFIX_EVERY_WRITE)
                .budget(40)
                .run();
        assertThat(report.clean()).as("%s", report).isTrue();
        assertThat(report.statesChecked()).isPositive();
    }
    // end::testkit-crash-harness[]
}
