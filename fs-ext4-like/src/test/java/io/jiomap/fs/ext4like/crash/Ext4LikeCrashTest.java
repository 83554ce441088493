package io.jiomap.fs.ext4like.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.crash.CrashReport;
import io.jiomap.crash.CrashTest;
import io.jiomap.crash.FsxOp;
import io.jiomap.crash.FsxOps;
import io.jiomap.crash.Workloads;
import io.jiomap.device.nvme.NvmeLikeProvider;
import io.jiomap.device.sata.SataLikeProvider;
import io.jiomap.device.toolkit.crash.Mode;
import io.jiomap.fs.ext4like.Ext4LikeFileSystemType;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Crash consistency of ext4-like (docs/crash-consistency.md, "The harness") with the crash harness: fsx-like random
 * workloads (every op but CLONE: ext4 has no reflink) and Ace-style bounded sequences of up to 3 ops, including
 * extending writes, over nvme-like (cache with FUA) and sata-like (cache without FUA) memory devices. Every crash state
 * must mount (journal recovery, orphans), fsck clean and match the oracle; recovery must be idempotent.
 */
class Ext4LikeCrashTest {
    /**
     * States per test: each test checks exactly this many (every mode among them), so a workload or mode that stops
     * producing crash states fails instead of passing on fewer. For a larger run by hand:
     * -Dext4like.crash.budget=5000 -Dext4like.crash.workloads=20.
     */
    private static final int BUDGET = Integer.getInteger("ext4like.crash.budget", 500);
    private static final int WORKLOADS = Integer.getInteger("ext4like.crash.workloads", 3);
    private static final FsxOps OPS = FsxOp.all().without(FsxOp.CLONE);
    private static final Map<String, String> MKFS = Map.of("block-size", "4096", "blocks-per-group", "1024",
            "journal-size", "128");

    private static Supplier<BlockDevice> devices(String kind) {
        return () -> {
            try {
                return kind.equals("nvme-like")
                        ? new NvmeLikeProvider().open(DeviceSpec.parse("nvme-like:size=8m,lbs=512,vwc=on,queues=1"))
                        : new SataLikeProvider().open(DeviceSpec.parse("sata-like:size=8m,lbs=512,vwc=on"));
            } catch (JiomapException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /** No violation, exactly the budget of states checked, and some of each mode. */
    private static void assertChecked(CrashReport report) {
        assertThat(report.violations()).as("%s", report).isEmpty();
        assertThat(report.statesChecked()).as("crash states checked, %s", report).isEqualTo(BUDGET);
        assertThat(report.statesByMode()).as("states per mode").containsOnlyKeys(Mode.PREFIX_AT_BARRIER,
                Mode.LOSE_CACHE, Mode.RANDOM_SUBSET).allSatisfy((mode, n) -> assertThat(n).as("%s", mode).isPositive());
    }

    @ParameterizedTest
    @ValueSource(strings = {"nvme-like", "sata-like"})
    void fsxWorkloadsSurviveEveryCrashState(String kind) {
        CrashReport report = CrashTest.of(new Ext4LikeFileSystemType())
                .mkfsOptions(MKFS)
                .device(devices(kind))
                .workloads(Workloads.fsx(11, WORKLOADS, 40, OPS).files(2).maxFileSize(256 << 10))
                .modes(Mode.PREFIX_AT_BARRIER, Mode.LOSE_CACHE, Mode.RANDOM_SUBSET)
                .budget(BUDGET)
                .seed(5)
                .run();
        System.out.println(report);
        assertChecked(report);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nvme-like", "sata-like"})
    void boundedSequencesWithExtendingWritesSurviveEveryCrashState(String kind) {
        CrashReport report = CrashTest.of(new Ext4LikeFileSystemType())
                .mkfsOptions(MKFS)
                .device(devices(kind))
                .workloads(Workloads.bounded(3, FsxOp.of(FsxOp.EXTENDING_WRITE, FsxOp.WRITE, FsxOp.TRUNCATE,
                        FsxOp.PUNCH_HOLE, FsxOp.FDATASYNC, FsxOp.FSYNC)).files(1).maxFileSize(128 << 10))
                .modes(Mode.PREFIX_AT_BARRIER, Mode.LOSE_CACHE, Mode.RANDOM_SUBSET)
                .budget(BUDGET)
                // Crash the recovery itself too (journal replay and orphan trimming): each checked state's first
                // mount is recorded and two crash states of its own writes must mount and check clean as well.
                .recoveryCrashes(2)
                .seed(9)
                .run();
        System.out.println(report);
        assertChecked(report);
    }
}
