package io.jiomap.testkit;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.crash.CrashTest;
import java.io.UncheckedIOException;

/**
 * The crash-consistency harness ({@code io.jiomap.crash}) set up for a {@link JiomapTest} pair: the pair's
 * filesystem type with its mkfs and mount options, on fresh devices of the pair's type and options (closed with the
 * rig). The test adds the workloads, modes and budget and runs it:
 *
 * <pre>{@code
 * CrashReport report = CrashHarness.of(rig)
 *         .workloads(Workloads.bounded(2, FsxOp.dataOnly()).files(1))
 *         .modes(Mode.LOSE_CACHE)
 *         .run();
 * assertThat(report.clean()).as("%s", report).isTrue();
 * }</pre>
 */
public final class CrashHarness {
    private CrashHarness() {
    }

    public static CrashTest of(JiomapRig rig) {
        return CrashTest.of(rig.type())
                .mkfsOptions(rig.mkfsOptions())
                .mountOptions(rig.mountOptions())
                .device(() -> fresh(rig));
    }

    private static BlockDevice fresh(JiomapRig rig) {
        try {
            return rig.freshDevice();
        } catch (JiomapException e) {
            throw new UncheckedIOException(rig.name() + ": cannot open a fresh device for the crash harness", e);
        }
    }
}
