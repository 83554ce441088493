package io.jiomap.fs.xfslike;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.crash.CrashReport;
import io.jiomap.crash.CrashTest;
import io.jiomap.crash.FsxOp;
import io.jiomap.crash.Workloads;
import io.jiomap.device.toolkit.crash.Mode;
import java.io.UncheckedIOException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Power cuts at every barrier, with the cache lost and with random subsets of unflushed writes, after fsx-like and
 * bounded workloads: after recovery fsck is clean, acknowledged data is there, nothing foreign shows
 * (docs/crash-consistency.md, "Checking a state"). Each test checks exactly its budget of states (500 in CI, every
 * mode among them), so a workload or mode that stops producing crash states fails instead of passing on fewer. A
 * larger run by hand:
 * {@code -Dxfslike.crash.budget=N} (states per test), {@code -Dxfslike.crash.seeds=N} and
 * {@code -Dxfslike.crash.ops=N} (fsx workloads and their length),
 * {@code -Dxfslike.crash.bounded=3} (Ace-style sequences of up to 3 ops), {@code -Dxfslike.crash.seed=N} (added to
 * every seed), {@code -Dxfslike.crash.verbose=true} (print each report).
 */
class CrashConsistencyTest {
    private static final int BUDGET = Integer.getInteger("xfslike.crash.budget", 500);
    private static final int SEEDS = Integer.getInteger("xfslike.crash.seeds", 2);
    private static final int OPS = Integer.getInteger("xfslike.crash.ops", 60);
    private static final long SEED = Long.getLong("xfslike.crash.seed", 0);
    private static final boolean VERBOSE = Boolean.getBoolean("xfslike.crash.verbose");
    private static final int BOUNDED = Integer.getInteger("xfslike.crash.bounded", 3);

    private static Supplier<BlockDevice> device(boolean nvme) {
        return () -> {
            try {
                return nvme ? Devices.nvme("size=16m,vwc=on,queues=2") : Devices.sata("size=16m,vwc=on");
            } catch (JiomapException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private static CrashReport run(boolean nvme, Workloads workloads, long seed) {
        CrashReport report = CrashTest.of(new XfsLikeFileSystemType())
                .device(device(nvme))
                .workloads(workloads)
                .modes(Mode.PREFIX_AT_BARRIER, Mode.LOSE_CACHE, Mode.RANDOM_SUBSET)
                .budget(BUDGET)
                // Log recovery crashed too: two crash states of each first mount's own writes are checked as well.
                .recoveryCrashes(2)
                .seed(SEED + seed)
                .run();
        if (VERBOSE) {
            System.out.println((nvme ? "nvme-like: " : "sata-like: ") + report);
        }
        return report;
    }

    /** Clean, exactly the budget of states checked, and some of each mode. */
    private static void assertChecked(CrashReport r) {
        assertThat(r.clean()).as("%s", r).isTrue();
        assertThat(r.statesChecked()).as("crash states checked, %s", r).isEqualTo(BUDGET);
        assertThat(r.statesByMode()).as("states per mode").containsOnlyKeys(Mode.PREFIX_AT_BARRIER, Mode.LOSE_CACHE,
                Mode.RANDOM_SUBSET).allSatisfy((mode, n) -> assertThat(n).as("%s", mode).isPositive());
    }

    @Test
    void fsxWorkloadsOnNvmeLikeSurvivePowerCuts() {
        CrashReport r = run(true, Workloads.fsx(SEED + 11, SEEDS, OPS, FsxOp.all()), 42);
        assertChecked(r);
    }

    @Test
    void fsxWorkloadsOnSataLikeSurvivePowerCuts() {
        CrashReport r = run(false, Workloads.fsx(SEED + 1021, SEEDS, OPS, FsxOp.all()), 43);
        assertChecked(r);
    }

    @Test
    void boundedOpSequencesOnNvmeLikeSurvivePowerCuts() {
        CrashReport r = run(true, Workloads.bounded(BOUNDED, FsxOp.all()), 44);
        assertChecked(r);
    }

    @Test
    void boundedOpSequencesOnSataLikeSurvivePowerCuts() {
        CrashReport r = run(false, Workloads.bounded(BOUNDED, FsxOp.all()), 45);
        assertChecked(r);
    }
}
