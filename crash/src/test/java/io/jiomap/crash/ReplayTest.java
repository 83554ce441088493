package io.jiomap.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.crash.fixture.Memory;
import io.jiomap.crash.fixture.SlotFs;
import io.jiomap.device.toolkit.crash.Mode;
import org.junit.jupiter.api.Test;

/** A violation, replayed on a fresh filesystem, reproduces the same crash state and the same problems. */
class ReplayTest {
    private static CrashTest broken() {
        return CrashTest.of(SlotFs.fixed(2, 256 << 10, SlotFs.Fault.FSYNC_LIES))
                .device(Memory.devices("memory:size=1m,lbs=4096,vwc=on,completion=submitter"))
                .modes(Mode.RANDOM_SUBSET, Mode.LOSE_CACHE)
                .seed(77);
    }

    @Test
    void aViolationReplayedShowsTheSameStateAndProblems() {
        CrashReport original = broken()
                .workloads(Workloads.fsx(21, 3, 30, FsxOp.of(FsxOp.WRITE, FsxOp.FDATASYNC)))
                .budget(24)
                .run();
        // A random-subset state: the hardest to reproduce, its writes chosen by the seed.
        Violation last = original.violations().stream().filter(v -> v.mode() == Mode.RANDOM_SUBSET).reduce(
                (a, b) -> b).orElseThrow();

        CrashReport replayed = broken()
                .workloads(Workloads.replay(last))
                .budget(1_000)
                .run();

        assertThat(replayed.workloadsRun()).isEqualTo(1);
        assertThat(replayed.violations()).anySatisfy(v -> {
            assertThat(v.state()).isEqualTo(last.state());
            assertThat(v.problems()).isEqualTo(last.problems());
            assertThat(v.ops()).isEqualTo(last.ops());
            assertThat(v.workload()).isEqualTo("replay of " + last.workload());
        });
    }

    @Test
    void anOpListReplayedByNameRunsExactlyThoseOps() {
        CrashReport original = broken()
                .workloads(Workloads.fsx(21, 30, FsxOp.of(FsxOp.WRITE, FsxOp.FDATASYNC)))
                .modes(Mode.LOSE_CACHE)
                .budget(8)
                .run();
        Violation first = original.violations().getFirst();

        CrashReport replayed = broken()
                .workloads(Workloads.replay("by hand", first.ops()))
                .modes(Mode.LOSE_CACHE)
                .budget(1_000)
                .run();

        assertThat(replayed.violations()).anySatisfy(v -> {
            assertThat(v.state()).isEqualTo(first.state());
            assertThat(v.problems()).isEqualTo(first.problems());
        });
    }
}
