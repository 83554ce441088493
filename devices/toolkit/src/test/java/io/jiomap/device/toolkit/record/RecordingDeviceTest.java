package io.jiomap.device.toolkit.record;

import static io.jiomap.device.toolkit.Devices.flush;
import static io.jiomap.device.toolkit.Devices.submitWrite;
import static io.jiomap.device.toolkit.Devices.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.api.block.SyncBio;
import io.jiomap.device.toolkit.Devices;
import io.jiomap.device.toolkit.Devices.Probe;
import io.jiomap.device.toolkit.fault.FaultRules;
import io.jiomap.device.toolkit.fault.FaultyDevice;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RecordingDeviceTest {
    private static final int BLOCK = 4096;
    private final Devices io = new Devices();

    @AfterEach
    void closeDevices() {
        io.close();
    }

    @Test
    void aDiscardIsRefusedAndLeftOutOfTheRecordingWhoseCapabilitiesOfferNone() throws Exception {
        BlockDevice memory = io.memory("memory:size=16m,lbs=4096,vwc=on");
        RecordingDevice device = io.track(new RecordingDevice(memory));
        assertThat(memory.capabilities().canDiscard()).isTrue();
        assertThat(write(device, 0, io.pattern(BLOCK, 5))).isZero();

        assertThat(device.capabilities().canDiscard()).isFalse();
        assertThat(SyncBio.discard(device, 0, BLOCK)).as("through SyncBio").isEqualTo(-Errno.EOPNOTSUPP);
        int[] status = {-1};
        device.submit(new Bio().setDiscard(0, 0, BLOCK, b -> status[0] = b.status(), null));
        assertThat(status[0]).as("submitted anyway: ended in submit").isEqualTo(Errno.EOPNOTSUPP);

        assertThat(io.read(device, 0, BLOCK)).isEqualTo(Devices.bytes(io.pattern(BLOCK, 5)));
        assertThat(device.recording().events()).hasSize(2);
        assertThat(device.recording().capabilities().canDiscard()).isFalse();
    }

    @Test
    void recordsSubmitCompleteFlushAndMarkInOrderWithPayloads() throws Exception {
        RecordingDevice device = io.track(new RecordingDevice(io.memory("memory:size=16m,lbs=4096,vwc=on")));
        MemorySegment a = io.pattern(BLOCK, 1);
        MemorySegment b = io.pattern(2 * BLOCK, 2);
        MemorySegment c = io.pattern(BLOCK, 3);

        assertThat(write(device, 0, a)).isZero();
        assertThat(write(device, BLOCK, b, Bio.FUA)).isZero();
        assertThat(flush(device)).isZero();
        device.mark("fsync-1");
        assertThat(write(device, 8 * BLOCK, c, Bio.PREFLUSH)).isZero();
        assertThat(io.read(device, 0, BLOCK)).as("reads pass through").isEqualTo(Devices.bytes(a));

        List<Event> events = device.recording().events();
        assertThat(events).hasSize(9);
        assertWrite(events.get(0), 0, 0, BLOCK, 0, a);
        assertThat(events.get(1)).isEqualTo(new Event.WriteComplete(1, 0, 0));
        assertWrite(events.get(2), 2, BLOCK, 2 * BLOCK, Bio.FUA, b);
        assertThat(events.get(3)).isEqualTo(new Event.WriteComplete(3, 2, 0));
        assertThat(events.get(4)).isInstanceOf(Event.FlushSubmit.class).extracting(Event::seq).isEqualTo(4L);
        assertThat(events.get(5)).isEqualTo(new Event.FlushComplete(5, 4, 0));
        assertThat(events.get(6)).isEqualTo(new Event.Mark(6, "fsync-1"));
        assertWrite(events.get(7), 7, 8 * BLOCK, BLOCK, Bio.PREFLUSH, c);
        assertThat(((Event.WriteSubmit) events.get(7)).preflush()).isTrue();
        assertThat(events.get(8)).isEqualTo(new Event.WriteComplete(8, 7, 0));
    }

    private static void assertWrite(Event event, long seq, long address, int length, int flag, MemorySegment data) {
        assertThat(event).isInstanceOf(Event.WriteSubmit.class);
        Event.WriteSubmit write = (Event.WriteSubmit) event;
        assertThat(write.seq()).isEqualTo(seq);
        assertThat(write.address()).isEqualTo(address);
        assertThat(write.length()).isEqualTo(length);
        assertThat(write.flags() & (Bio.FUA | Bio.PREFLUSH)).isEqualTo(flag);
        assertThat(write.payload().toArray()).isEqualTo(Devices.bytes(data));
    }

    @Test
    void payloadIsTheDataAtSubmissionNotTheBufferLater() throws Exception {
        RecordingDevice device = io.track(new RecordingDevice(io.memory("memory:size=16m,lbs=4096")));
        MemorySegment buffer = io.pattern(BLOCK, 1);
        byte[] submitted = Devices.bytes(buffer);

        assertThat(write(device, 0, buffer)).isZero();
        buffer.fill((byte) 0x77);

        Event.WriteSubmit write = device.recording().writes().getFirst();
        assertThat(write.payload().toArray()).isEqualTo(submitted);
        assertThatThrownBy(() -> write.payload().segment().fill((byte) 1))
                .as("payloads are shared by crash states, so they are read-only")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
    }

    @Test
    void crc32cCaptureKeepsTheHashAndNotTheData() throws Exception {
        RecordingDevice device = io.track(new RecordingDevice(io.memory("memory:size=16m,lbs=4096"),
                PayloadCapture.CRC32C));
        MemorySegment data = io.pattern(2 * BLOCK, 4);
        CRC32C expected = new CRC32C();
        expected.update(Devices.bytes(data));

        assertThat(write(device, BLOCK, data)).isZero();

        Payload payload = device.recording().writes().getFirst().payload();
        assertThat(payload.hasData()).isFalse();
        assertThat(payload.length()).isEqualTo(2 * BLOCK);
        assertThat(payload.crc32c()).isEqualTo((int) expected.getValue());
        assertThatThrownBy(payload::toArray).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("CRC32C");
    }

    @Test
    void keepsSubmitOrderAndCompletionOrderApart() throws Exception {
        // The first write is held back by a latency rule under the recorder, so the second completes first.
        FaultyDevice faulty = new FaultyDevice(io.memory("memory:size=16m,lbs=4096"),
                FaultRules.builder().onWrites().nth(1).delay(Duration.ofHours(1)).build());
        RecordingDevice device = io.track(new RecordingDevice(faulty));
        Probe first = submitWrite(device, 0, io.pattern(BLOCK, 1), 0);
        Probe second = submitWrite(device, BLOCK, io.pattern(BLOCK, 2), 0);
        assertThat(second.awaitStatus()).isZero();

        faulty.close();
        assertThat(first.awaitStatus()).isZero();

        Recording recording = device.recording();
        assertThat(recording.writes()).extracting(Event.WriteSubmit::address).containsExactly(0L, (long) BLOCK);
        assertThat(recording.writeCompletions()).extracting(Event.WriteComplete::writeSeq).containsExactly(1L, 0L);
    }

    @Test
    void failedWriteIsRecordedWithItsErrno() throws Exception {
        RecordingDevice device = io.track(new RecordingDevice(io.memory("memory:size=16m,lbs=4096")));

        assertThat(write(device, 16L << 20, io.pattern(BLOCK, 1))).as("past the end").isEqualTo(-Errno.EIO);

        assertThat(device.recording().writeCompletions()).containsExactly(new Event.WriteComplete(1, 0, Errno.EIO));
    }

    @Test
    void concurrentWritersGetOneSubmitAndOneCompletionEachInOneDenseSequence() throws Exception {
        RecordingDevice device = io.track(new RecordingDevice(io.memory("memory:size=16m,lbs=4096")));
        int threads = 4;
        int perThread = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                results.add(pool.submit(() -> {
                    MemorySegment data = io.pattern(BLOCK, id);
                    int failures = 0;
                    for (int i = 0; i < perThread; i++) {
                        failures += write(device, (long) (id * perThread + i) * BLOCK, data) == 0 ? 0 : 1;
                        if (i % 50 == 0) {
                            device.mark("t" + id + "-" + i);
                        }
                    }
                    return failures;
                }));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get()).isZero();
            }
        } finally {
            pool.shutdown();
        }

        Recording recording = device.recording();
        assertThat(recording.writes()).hasSize(threads * perThread);
        assertThat(recording.marks()).hasSize(threads * 4);
        Map<Long, Long> completedAt = new HashMap<>();
        for (Event.WriteComplete done : recording.writeCompletions()) {
            assertThat(completedAt.put(done.writeSeq(), done.seq())).as("completed once").isNull();
            assertThat(done.writeSeq()).isLessThan(done.seq());
        }
        assertThat(completedAt.keySet()).containsExactlyInAnyOrderElementsOf(
                recording.writes().stream().map(Event.WriteSubmit::seq).toList());
        assertThat(device.eventCount()).isEqualTo(2L * threads * perThread + threads * 4);
    }

    @Test
    void readsAreNotRecorded() throws Exception {
        RecordingDevice device = io.track(new RecordingDevice(io.memory("memory:size=16m,lbs=4096")));

        assertThat(SyncBio.read(device, 0, io.buffer(BLOCK), 0, BLOCK)).isZero();

        assertThat(device.recording().events()).isEmpty();
    }

    @Test
    void decoratorsOverAPollingDeviceDoNotOfferPollingTheyCouldNotForward() {
        BlockDevice polling = new BlockDevice() {
            @Override
            public String name() {
                return "poller";
            }

            @Override
            public DeviceCapabilities capabilities() {
                return new DeviceCapabilities(4096, 4096, 1 << 20, 1 << 20, 4096, 1, 8, true, true, true);
            }

            @Override
            public void submit(Bio bio) {
                bio.complete(0);
            }

            @Override
            public boolean isClosed() {
                return false;
            }

            @Override
            public void close() {
            }
        };

        assertThat(new RecordingDevice(polling).capabilities().polling()).isFalse();
        assertThat(new FaultyDevice(polling, FaultRules.none()).capabilities().polling()).isFalse();
        assertThat(new RecordingDevice(polling).capabilities().fua()).isTrue();
    }
}
