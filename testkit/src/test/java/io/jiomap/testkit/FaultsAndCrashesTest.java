package io.jiomap.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.core.OpenFile;
import io.jiomap.device.toolkit.crash.Mode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;

/** The device decorators a line away: a failing write, a power cut, crash states. */
class FaultsAndCrashesTest {
    @JiomapTest(fs = {"raw", "scripted"}, devices = "memory")
    void theNthWriteFailsWithEioAndTheOthersLand(JiomapRig rig, OpenFile file) throws Exception {
        MemorySegment buffer = Bytes.fill(rig.buffer(4096), 1);
        rig.failNthWrite(2);
        assertThat(file.pwrite(buffer, 0, 4096, 0)).isEqualTo(4096);
        assertThatThrownBy(() -> file.pwrite(buffer, 0, 4096, 4096))
                .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO));
        assertThat(file.pwrite(buffer, 0, 4096, 8192)).isEqualTo(4096);
        assertThat(rig.faults().counters().failed()).isEqualTo(1);
    }

    // tag::testkit-power-cut[]
    @JiomapTest(fs = "raw", devices = {"memory:vwc=on", "nvme-like", "sata-like"})
    void aPowerCutKeepsWhatWasSyncedAndLosesWhatWasNot(JiomapRig rig, OpenFile file) throws Exception {
        MemorySegment buffer = rig.buffer(4096);
        file.pwrite(Bytes.fill(buffer, 0xa1), 0, 4096, 0);
        file.fsync(true);
        file.pwrite(Bytes.fill(buffer, 0xb2), 0, 4096, 4096);   // completed, still in the write cache

        rig.powerCut();
        OpenFile after = rig.remount().open(file.path(), 0);

        after.pread(buffer, 0, 4096, 0);
        assertThat(Bytes.firstOther(buffer, 4096, 0xa1)).as("synced before the cut").isEqualTo(-1);
        after.pread(buffer, 0, 4096, 4096);
        assertThat(Bytes.firstOther(buffer, 4096, 0)).as("never synced: lost with the cache").isEqualTo(-1);
    }
    // end::testkit-power-cut[]

    // tag::testkit-crash-states[]
    @JiomapTest(fs = "raw", devices = {"memory:vwc=on", "nvme-like"})
    void everyCrashStateHoldsTheSyncedBlockAndNoTornOne(JiomapRig rig) throws Exception {
        OpenFile file = rig.startRecording().open("/data", OpenFile.CREATE);
        MemorySegment buffer = rig.buffer(8192);
        file.pwrite(Bytes.fill(buffer, 0xa1), 0, 8192, 0);
        file.fsync(true);
        file.pwrite(Bytes.fill(buffer, 0xb2), 0, 8192, 0);

        AtomicInteger synced = new AtomicInteger();
        int states = rig.checkCrashStates(Mode.PREFIX_AT_BARRIER, (state, mount) -> {
            MemorySegment read = rig.buffer(8192);
            mount.open("/data", 0).pread(read, 0, 8192, 0);
            int first = Byte.toUnsignedInt(read.get(ValueLayout.JAVA_BYTE, 0));
            assertThat(first).as(state.description()).isIn(0, 0xa1, 0xb2);
            assertThat(Bytes.firstOther(read, 8192, first)).as("torn in " + state.description()).isEqualTo(-1);
            if (first == 0xa1) {
                synced.incrementAndGet();
            }
        });
        assertThat(states).isPositive();
        assertThat(synced).as("states after the fsync").hasPositiveValue();
    }
    // end::testkit-crash-states[]

    @JiomapTest(fs = "raw", devices = "memory:vwc=on")
    void aFailingCrashCheckNamesTheState(JiomapRig rig) throws Exception {
        OpenFile file = rig.startRecording().open("/data", OpenFile.CREATE);
        file.pwrite(Bytes.fill(rig.buffer(4096), 7), 0, 4096, 0);
        file.fsync(true);
        assertThatThrownBy(() -> rig.checkCrashStates(Mode.PREFIX_AT_BARRIER, (state, mount) -> {
            throw new AssertionError("rejected");
        })).hasMessageContaining("crash states failed").hasMessageContaining("rejected");
    }
}
