package io.jiomap.device.toolkit.crash;

import static io.jiomap.device.toolkit.Devices.flush;
import static io.jiomap.device.toolkit.Devices.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.SyncBio;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.device.toolkit.Devices;
import io.jiomap.device.toolkit.record.Event;
import io.jiomap.device.toolkit.record.PayloadCapture;
import io.jiomap.device.toolkit.record.Recording;
import io.jiomap.device.toolkit.record.RecordingDevice;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The durable and optional sets on a small, hand-written workload, checked on concrete block contents. */
class CrashStateGeneratorTest {
    private static final int BLOCK = 4096;
    private final Devices io = new Devices();
    private RecordingDevice recorder;
    private Snapshot base;
    private byte[] p1;
    private byte[] p2;
    private byte[] p3;
    private byte[] p4;
    private final byte[] zeros = new byte[BLOCK];

    @BeforeEach
    void recordWorkload() throws Exception {
        BlockDevice memory = io.memory("memory:size=1m,lbs=4096,vwc=on,fua=on");
        base = Snapshot.of(memory);
        recorder = io.track(new RecordingDevice(memory));
        p1 = write(0, 1, 0);               // w@0, completes at 1
        assertThat(flush(recorder)).isZero();   // flush 2, completes at 3: w@0 durable
        p2 = write(BLOCK, 2, 0);           // w@4, completes at 5: never flushed before the mark
        p3 = write(2 * BLOCK, 3, Bio.FUA); // w@6, completes at 7: durable at completion
        p4 = write(0, 4, 0);               // w@8, completes at 9: overwrites block 0 in the cache only
        recorder.mark("fsync");                 // 10
        assertThat(flush(recorder)).isZero();   // flush 11, completes at 12: w@4 and w@8 durable
    }

    private byte[] write(long address, int seed, int flags) {
        MemorySegment data = io.pattern(BLOCK, seed);
        assertThat(Devices.write(recorder, address, data, flags)).isZero();
        return Devices.bytes(data);
    }

    @AfterEach
    void close() {
        io.close();
    }

    private byte[][] blocks(CrashState state) {
        try (BlockDevice device = state.open()) {
            return new byte[][] {io.read(device, 0, BLOCK), io.read(device, BLOCK, BLOCK),
                    io.read(device, 2 * BLOCK, BLOCK)};
        }
    }

    @Test
    void loseCacheKeepsFuaAndFlushedWritesAndDropsUnflushedOnes() {
        List<CrashState> states = CrashStateGenerator.of(recorder.recording(), base).states(Mode.LOSE_CACHE);

        assertThat(states).extracting(CrashState::point).containsExactly(3L, 7L, 10L, 12L);
        assertThat(blocks(states.get(0))).as(states.get(0).description()).isDeepEqualTo(new byte[][] {p1, zeros, zeros});
        assertThat(blocks(states.get(1))).as("the FUA write is durable at completion").isDeepEqualTo(new byte[][] {p1, zeros, p3});
        CrashState atMark = states.get(2);
        assertThat(atMark.markLabel()).contains("fsync");
        assertThat(atMark.pointKind()).isEqualTo(PointKind.MARK);
        assertThat(blocks(atMark)).as("unflushed writes are lost: block 0 is back to its flushed data")
                .isDeepEqualTo(new byte[][] {p1, zeros, p3});
        assertThat(blocks(states.get(3))).as("after the last flush").isDeepEqualTo(new byte[][] {p4, p2, p3});
        assertThat(states.get(3).markLabel()).isEmpty();
    }

    @Test
    void prefixAtBarrierStatesArePrefixesOfTheCompletionOrder() {
        Recording recording = recorder.recording();
        List<CrashState> states = CrashStateGenerator.of(recording, base).states(Mode.PREFIX_AT_BARRIER);

        assertThat(states).extracting(CrashState::point).containsExactly(3L, 7L, 12L);
        List<Event.WriteSubmit> completionOrder = recording.writeCompletions().stream()
                .map(done -> (Event.WriteSubmit) recording.events().get((int) done.writeSeq())).toList();
        for (CrashState state : states) {
            List<Event.WriteSubmit> applied = state.appliedWrites();
            assertThat(completionOrder.subList(0, applied.size())).as(state.description()).isEqualTo(applied);
            assertThat(applied).allMatch(w -> completedBy(recording, w, state.point()));
        }
        assertThat(blocks(states.get(1))).as("everything completed, durable or not").isDeepEqualTo(new byte[][] {p1, p2, p3});
    }

    private static boolean completedBy(Recording recording, Event.WriteSubmit write, long point) {
        return recording.writeCompletions().stream().anyMatch(d -> d.writeSeq() == write.seq() && d.seq() <= point);
    }

    @Test
    void prefixEveryWriteAddsOneCompletedWriteAtATime() {
        List<CrashState> states = CrashStateGenerator.of(recorder.recording(), base).states(Mode.PREFIX_EVERY_WRITE);

        assertThat(states).extracting(CrashState::point).containsExactly(1L, 5L, 7L, 9L, 12L);
        assertThat(states).extracting(s -> s.appliedWrites().size()).containsExactly(1, 2, 3, 4, 4);
        assertThat(blocks(states.get(3))).isDeepEqualTo(new byte[][] {p4, p2, p3});
    }

    @Test
    void randomSubsetAlwaysKeepsTheDurableSet() {
        List<CrashState> states = CrashStateGenerator.of(recorder.recording(), base).seed(3).randomChoices(20)
                .states(Mode.RANDOM_SUBSET);

        assertThat(states).extracting(CrashState::point).containsSubsequence(2L, 6L, 10L, 11L, 12L);
        for (CrashState state : states.stream().filter(s -> s.point() == 11).toList()) {
            assertThat(state.applies(6)).as("FUA write durable since 7: %s", state).isTrue();
        }
        assertThat(states.stream().filter(s -> s.point() == 11))
                .as("before the last flush completes, the unflushed overwrite is optional: both outcomes appear")
                .anyMatch(s -> s.applies(8)).anyMatch(s -> !s.applies(8));
    }

    @Test
    void openedStateWritesToItsOwnOverlayOnly() throws Exception {
        CrashState state = CrashStateGenerator.of(recorder.recording(), base).atEnd(Mode.LOSE_CACHE);
        byte[] recovery = Devices.bytes(io.pattern(BLOCK, 99));

        try (BlockDevice device = state.open()) {
            assertThat(Devices.write(device, 0, io.pattern(BLOCK, 99))).isZero();
            assertThat(Devices.write(device, 5 * BLOCK, io.pattern(BLOCK, 99))).isZero();
            assertThat(io.read(device, 0, BLOCK)).isEqualTo(recovery);
            assertThat(io.read(device, 5 * BLOCK, BLOCK)).isEqualTo(recovery);
        }

        assertThat(blocks(state)).as("a fresh open starts from the crash image again").isDeepEqualTo(new byte[][] {p4, p2, p3});
        assertThat(base.read(0, 6 * BLOCK)).as("the base").containsOnly(0);
        assertThat(recorder.recording().writes().getFirst().payload().toArray()).as("the recording").isEqualTo(p1);
    }

    @Test
    void closedStateDeviceRefusesBiosWithEnodevAndBadBiosFailLikeADevice() {
        BlockDevice device = CrashStateGenerator.of(recorder.recording(), base).atEnd(Mode.LOSE_CACHE).open();
        MemorySegment buffer = io.buffer(2 * BLOCK);

        assertThat(SyncBio.read(device, 100, buffer, 0, BLOCK))
                .isEqualTo(-Errno.EINVAL);
        assertThat(SyncBio.read(device, 1L << 20, buffer, 0, BLOCK))
                .isEqualTo(-Errno.EIO);
        assertThat(SyncBio.read(device, 0, buffer, BLOCK + 1, BLOCK))
                .isEqualTo(-Errno.EFAULT);
        device.close();
        assertThat(SyncBio.read(device, 0, buffer, 0, BLOCK))
                .isEqualTo(-Errno.ENODEV);
        assertThat(device.isClosed()).isTrue();
    }

    @Test
    void aLiveDeviceAsBaseIsOnlyRead() throws Exception {
        BlockDevice baseDevice = io.memory("memory:size=1m,lbs=4096,vwc=on,fua=on");
        assertThat(Devices.write(baseDevice, 7 * BLOCK, io.pattern(BLOCK, 50))).isZero();
        Snapshot before = Snapshot.of(baseDevice);
        CrashState state = CrashStateGenerator.of(recorder.recording(), baseDevice).atEnd(Mode.LOSE_CACHE);

        try (BlockDevice device = state.open()) {
            assertThat(io.read(device, 7 * BLOCK, BLOCK)).as("falls through to the base")
                    .isEqualTo(Devices.bytes(io.pattern(BLOCK, 50)));
            assertThat(io.read(device, 0, BLOCK)).isEqualTo(p4);
            assertThat(Devices.write(device, 7 * BLOCK, io.pattern(BLOCK, 51))).isZero();
        }

        assertThat(Snapshot.of(baseDevice).firstDifference(before)).isEmpty();
    }

    @Test
    void hashOnlyRecordingIsRefusedWithAClearMessage() throws Exception {
        RecordingDevice hashes = io.track(new RecordingDevice(io.memory("memory:size=1m,lbs=4096"),
                PayloadCapture.CRC32C));

        assertThatThrownBy(() -> CrashStateGenerator.of(hashes.recording(), base))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PayloadCapture.COPY");
    }

    @Test
    void baseOfAnotherSizeIsRefused() {
        assertThatThrownBy(() -> CrashStateGenerator.of(recorder.recording(), Snapshot.zeros(2 << 20, BLOCK)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match");
    }

    @Test
    void randomSubsetIsRefusedForASingleEndState() {
        assertThatThrownBy(() -> CrashStateGenerator.of(recorder.recording(), base).atEnd(Mode.RANDOM_SUBSET))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void descriptionNamesModePointAndAppliedWrites() {
        CrashState state = CrashStateGenerator.of(recorder.recording(), base).states(Mode.LOSE_CACHE).get(2);

        assertThat(state.description()).isEqualTo(
                "LOSE_CACHE at mark 'fsync' (seq 10): 2 of 4 writes applied [w0, w6]");
    }
}
