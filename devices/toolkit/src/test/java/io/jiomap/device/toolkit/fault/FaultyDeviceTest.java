package io.jiomap.device.toolkit.fault;

import static io.jiomap.device.toolkit.Devices.eventually;
import static io.jiomap.device.toolkit.Devices.flush;
import static io.jiomap.device.toolkit.Devices.submitWrite;
import static io.jiomap.device.toolkit.Devices.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.SyncBio;
import io.jiomap.device.toolkit.Devices;
import io.jiomap.device.toolkit.Devices.Probe;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FaultyDeviceTest {
    private static final int BLOCK = 4096;
    private final Devices io = new Devices();

    @AfterEach
    void closeDevices() {
        io.close();
    }

    private FaultyDevice faulty(FaultRules rules) throws Exception {
        return io.track(new FaultyDevice(io.memory("memory:size=16m,lbs=4096"), rules));
    }

    @Test
    void nthWriteFailsWithEioAndNeverReachesTheDevice() throws Exception {
        FaultyDevice device = faulty(FaultRules.builder().onWrites().nth(3).fail(Errno.EIO).build());
        List<Integer> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            results.add(write(device, (long) i * BLOCK, io.pattern(BLOCK, i + 1)));
        }

        assertThat(results).containsExactly(0, 0, -Errno.EIO, 0, 0);
        assertThat(io.read(device.unwrap(), 2 * BLOCK, BLOCK)).as("the failed write's data").containsOnly(0);
        assertThat(io.read(device, 3 * BLOCK, BLOCK)).isEqualTo(Devices.bytes(io.pattern(BLOCK, 4)));
        assertThat(device.counters().failed()).isEqualTo(1);
    }

    @Test
    void rangeRuleHitsOnlyBiosOverlappingTheRangeWithTheChosenOperation() throws Exception {
        FaultyDevice device = faulty(FaultRules.builder().onReads().range(2 * BLOCK, 3 * BLOCK).fail(Errno.EIO)
                .build());
        MemorySegment dst = io.buffer(2 * BLOCK);

        assertThat(write(device, 2 * BLOCK, io.pattern(BLOCK, 1))).as("a write in the range").isZero();
        assertThat(SyncBio.read(device, 0, dst, 0, 2 * BLOCK)).as("a read ending at the range").isZero();
        assertThat(SyncBio.read(device, BLOCK, dst, 0, 2 * BLOCK)).as("a read overlapping the range")
                .isEqualTo(-Errno.EIO);
        assertThat(SyncBio.read(device, 3 * BLOCK, dst, 0, BLOCK)).as("a read after the range").isZero();
        assertThat(flush(device)).as("a flush has no range").isZero();
    }

    @Test
    void fuaOnlyRuleHitsFuaWritesAndNothingElse() throws Exception {
        FaultyDevice device = faulty(FaultRules.builder().onWrites().fuaOnly().fail(Errno.ENOSPC).build());

        assertThat(write(device, 0, io.pattern(BLOCK, 1))).isZero();
        assertThat(write(device, 0, io.pattern(BLOCK, 2), Bio.FUA)).isEqualTo(-Errno.ENOSPC);
        assertThat(write(device, 0, io.pattern(BLOCK, 3), Bio.PREFLUSH)).isZero();
        assertThat(flush(device)).isZero();
    }

    @Test
    void everyKthFlushFails() throws Exception {
        FaultyDevice device = faulty(FaultRules.builder().onFlushes().every(2).fail(Errno.EIO).build());
        List<Integer> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            assertThat(write(device, 0, io.pattern(BLOCK, i))).isZero();
            results.add(flush(device));
        }

        assertThat(results).containsExactly(0, -Errno.EIO, 0, -Errno.EIO, 0);
    }

    @Test
    void seededRandomRuleHitsTheSameRequestsEveryRun() throws Exception {
        List<Integer> first = randomFailures(42);
        List<Integer> again = randomFailures(42);
        List<Integer> otherSeed = randomFailures(43);

        assertThat(first).isEqualTo(again);
        assertThat(first).as("some hit, some not").contains(0, -Errno.EIO);
        assertThat(otherSeed).isNotEqualTo(first);
    }

    private List<Integer> randomFailures(long seed) throws Exception {
        FaultyDevice device = faulty(FaultRules.builder().onWrites().random(0.3, seed).fail(Errno.EIO).build());
        MemorySegment data = io.pattern(BLOCK, 1);
        List<Integer> results = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            results.add(write(device, 0, data));
        }
        assertThat(device.counters().failed()).isEqualTo(results.stream().filter(r -> r != 0).count());
        return results;
    }

    @Test
    void shortTransferWritesOnlyTheFirstBlocksAndFailsWithEio() throws Exception {
        FaultyDevice device = faulty(FaultRules.builder().onWrites().shortTransfer(BLOCK + 100).build());
        MemorySegment data = io.pattern(4 * BLOCK, 7);

        assertThat(write(device, 0, data)).isEqualTo(-Errno.EIO);

        byte[] media = io.read(device.unwrap(), 0, 4 * BLOCK);
        assertThat(java.util.Arrays.copyOf(media, BLOCK)).as("the first block, rounded down from 4196 bytes")
                .isEqualTo(Devices.bytes(data.asSlice(0, BLOCK)));
        assertThat(java.util.Arrays.copyOfRange(media, BLOCK, 4 * BLOCK)).containsOnly(0);
        assertThat(device.counters().shortened()).isEqualTo(1);
    }

    @Test
    void shortTransferOfLessThanABlockWritesNothing() throws Exception {
        FaultyDevice device = faulty(FaultRules.builder().onWrites().shortTransfer(100).build());

        assertThat(write(device, 0, io.pattern(BLOCK, 7))).isEqualTo(-Errno.EIO);
        assertThat(io.read(device.unwrap(), 0, BLOCK)).containsOnly(0);
    }

    @Test
    void latencyRuleCompletesTheDelayedBioAfterLaterOnesOnTheTimerThread() throws Exception {
        FaultyDevice device = faulty(FaultRules.builder().onWrites().nth(1).delay(Duration.ofMillis(500)).build());
        Queue<Long> order = new ConcurrentLinkedQueue<>();

        Probe slow = submitWrite(device, new Probe(1, order), 0, io.pattern(BLOCK, 1), 0);
        Probe fast = submitWrite(device, new Probe(2, order), BLOCK, io.pattern(BLOCK, 2), 0);
        eventually().until(() -> slow.isDone() && fast.isDone());

        assertThat(order).containsExactly(2L, 1L);
        assertThat(slow.status()).isZero();
        assertThat(slow.thread().getName()).endsWith("-timer");
        assertThat(io.read(device, 0, BLOCK)).isEqualTo(Devices.bytes(io.pattern(BLOCK, 1)));
        assertThat(device.counters().delayed()).isEqualTo(1);
    }

    @Test
    void closeEndsBiosStillWaitingOutTheirLatencyWithTheirResult() throws Exception {
        FaultyDevice device = faulty(FaultRules.builder().onWrites().delay(Duration.ofHours(1)).build());
        Probe waiting = submitWrite(device, 0, io.pattern(BLOCK, 1), 0);
        MemorySegment dst = io.buffer(BLOCK);
        assertThat(SyncBio.read(device, 0, dst, 0, BLOCK)).as("reads are not delayed").isZero();

        device.close();

        assertThat(waiting.awaitStatus()).isZero();
        assertThat(waiting.completions()).isEqualTo(1);
    }

    @Test
    void disappearEndsInFlightAndLaterBiosWithEnodevAndNothingHangs() throws Exception {
        // The inner device holds every bio for ten seconds, so all of them are in flight when the device goes away.
        FaultyDevice device = io.track(new FaultyDevice(
                io.memory("memory:size=16m,lbs=4096,completion=delay,delay=10s")));
        List<Probe> inFlight = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            inFlight.add(submitWrite(device, (long) i * BLOCK, io.pattern(BLOCK, i), 0));
        }
        inFlight.add(Devices.submitFlush(device));

        device.disappear();

        for (Probe probe : inFlight) {
            assertThat(probe.awaitStatus()).as("bio %s", probe.bio).isEqualTo(Errno.ENODEV);
            assertThat(probe.completions()).isEqualTo(1);
        }
        assertThat(write(device, 0, io.pattern(BLOCK, 9))).isEqualTo(-Errno.ENODEV);
        assertThat(SyncBio.read(device, 0, io.buffer(BLOCK), 0, BLOCK)).isEqualTo(-Errno.ENODEV);
        assertThat(device.isGone()).isTrue();
        assertThat(device.counters().endedNoDevice()).isEqualTo(7);
        assertThat(device.counters().disappearances()).isEqualTo(1);
    }

    @Test
    void disappearAlsoEndsBiosWaitingOutALatency() throws Exception {
        FaultyDevice device = faulty(FaultRules.builder().onWrites().delay(Duration.ofHours(1)).build());
        Probe waiting = submitWrite(device, 0, io.pattern(BLOCK, 1), 0);

        device.disappear();

        assertThat(waiting.awaitStatus()).isEqualTo(Errno.ENODEV);
    }

    @Test
    void disappearAfterNBiosPassesNBiosThenEndsEverythingWithEnodev() throws Exception {
        FaultyDevice device = faulty(FaultRules.builder().disappearAfter(3).build());
        List<Integer> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            results.add(write(device, (long) i * BLOCK, io.pattern(BLOCK, i)));
        }

        assertThat(results).containsExactly(0, 0, 0, -Errno.ENODEV, -Errno.ENODEV);
        assertThat(device.isGone()).isTrue();
        assertThat(device.unwrap().isClosed()).as("a device that went away is closed underneath").isTrue();
    }

    @Test
    void rulesSwappedAtRuntimeApplyToLaterBiosWithFreshCounts() throws Exception {
        FaultyDevice device = faulty(FaultRules.none());
        MemorySegment data = io.pattern(BLOCK, 1);
        assertThat(write(device, 0, data)).isZero();
        assertThat(write(device, 0, data)).isZero();

        device.setRules(FaultRules.builder().onWrites().nth(1).fail(Errno.EIO).build());
        assertThat(write(device, 0, data)).as("the first write under the new rules").isEqualTo(-Errno.EIO);
        assertThat(write(device, 0, data)).isZero();

        device.setRules(FaultRules.none());
        assertThat(write(device, 0, data)).isZero();
        assertThat(device.rules().rules()).isEmpty();
    }

    @Test
    void firstFailingRuleDecidesAndDelaysAddUp() throws Exception {
        FaultyDevice device = faulty(FaultRules.builder()
                .onWrites().delay(Duration.ofMillis(1))
                .onWrites().fail(Errno.ENOSPC)
                .onWrites().fail(Errno.EIO)
                .build());

        Probe probe = submitWrite(device, 0, io.pattern(BLOCK, 1), 0);

        assertThat(probe.awaitStatus()).isEqualTo(Errno.ENOSPC);
        assertThat(device.counters()).isEqualTo(new FaultCounters(1, 1, 0, 1, 0, 0));
    }

    @Test
    void badRulesAreRefusedWithAMessageNamingTheProblem() {
        assertThatThrownBy(() -> FaultRules.builder().onWrites().nth(0).fail(Errno.EIO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("count >= 1");
        assertThatThrownBy(() -> FaultRules.builder().onWrites().random(1.5, 1).fail(Errno.EIO))
                .hasMessageContaining("probability");
        assertThatThrownBy(() -> FaultRules.builder().onWrites().fail(-Errno.EIO))
                .hasMessageContaining("positive errno");
        assertThatThrownBy(() -> FaultRules.builder().onReads().range(10, 10).fail(Errno.EIO))
                .hasMessageContaining("range");
        assertThatThrownBy(() -> FaultRules.builder().on(BioOp.WRITE).delay(Duration.ZERO))
                .hasMessageContaining("delay must be positive");
    }

    @Test
    void untouchedBiosPassThroughWithTheirFlagsAndData() throws Exception {
        BlockDevice memory = io.memory("memory:size=16m,lbs=4096,vwc=on,fua=on");
        FaultyDevice device = io.track(new FaultyDevice(memory,
                FaultRules.builder().onReads().fail(Errno.EIO).build()));

        assertThat(write(device, 0, io.pattern(BLOCK, 5), Bio.FUA)).isZero();
        ((io.jiomap.api.block.SimulatesPowerLoss) memory).powerCut();

        assertThat(io.read(memory, 0, BLOCK)).as("FUA reached the device").isEqualTo(
                Devices.bytes(io.pattern(BLOCK, 5)));
    }
}
