package io.jiomap.tck.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.api.block.SimulatesPowerLoss;
import io.jiomap.tck.matrix.ExpectedMatrix;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@link BlockDevice} contract and the write-cache rules (docs/devices.md, "Write cache, FUA and flush") that every
 * device keeps, run by each device module, and by any third-party device, with one small subclass supplying
 * {@link ContractDevices}. A rule the device cannot be asked to show (no power-cut simulation, no such
 * configuration, completion inside {@code submit}) is skipped with a message naming why, never passed silently.
 */
@ExtendWith(ExpectedMatrix.class)
public abstract class BlockDeviceContractTest {
    private static final int MIB = 1 << 20;

    protected final DeviceIo io = new DeviceIo();
    protected final CountDownLatch release = new CountDownLatch(1);

    /** Where the devices under test come from. */
    protected abstract ContractDevices devices();

    @AfterEach
    void closeEverything() {
        release.countDown();
        io.close();
    }

    /** Opens a fresh device as wished (closed after the test), skipping the test when the device cannot be that. */
    protected BlockDevice open(DeviceWish wish) throws JiomapException {
        Optional<BlockDevice> opened = devices().open(wish);
        assumeTrue(opened.isPresent(), () -> devices().name() + " cannot open a device as " + wish);
        BlockDevice device = io.track(opened.get());
        DeviceCapabilities caps = device.capabilities();
        assertThat(caps.capacityBytes()).as("capacity").isGreaterThanOrEqualTo(wish.capacityBytes());
        if (wish.logicalBlockSize() != 0) {
            assertThat(caps.logicalBlockSize()).as("logical block size").isEqualTo(wish.logicalBlockSize());
        }
        if (wish.writeCache() != null) {
            assertThat(caps.volatileWriteCache()).as("volatile write cache").isEqualTo(wish.writeCache());
        }
        if (wish.maxTransferBytes() != 0) {
            assertThat(caps.maxTransferBytes()).as("max transfer").isEqualTo(wish.maxTransferBytes());
        }
        if (wish.queueDepth() != 0) {
            assertThat(caps.queueDepth()).as("queue depth").isEqualTo(wish.queueDepth());
        }
        if (wish.singleQueue()) {
            assertThat(caps.queueCount()).as("queues").isEqualTo(1);
        }
        return device;
    }

    /** The device's power-cut switch; without one the test is skipped. */
    private SimulatesPowerLoss powerLoss(BlockDevice device) {
        assumeTrue(device instanceof SimulatesPowerLoss,
                () -> devices().name() + " does not implement SimulatesPowerLoss: no power cut to check against");
        return (SimulatesPowerLoss) device;
    }

    /** Skips a test that stalls the device by holding one completion callback, where that does not stall it. */
    private void assumeCompletionsCanBeHeld() {
        assumeTrue(devices().heldCompletionStallsTheQueue(), () -> devices().name()
                + " is not stalled by one held completion callback (it completes inside submit, or on several"
                + " threads per queue)");
    }

    @Test
    void readReturnsTheLastCompletedWriteBeforeAnyFlush() throws Exception {
        BlockDevice device = open(DeviceWish.ofCapacity(4 * MIB));
        MemorySegment first = io.pattern(8192, 1);
        MemorySegment second = io.pattern(4096, 2);

        assertThat(DeviceIo.write(device, 4096, first)).isZero();
        assertThat(DeviceIo.write(device, 8192, second)).isZero();

        byte[] expected = DeviceIo.bytes(first);
        System.arraycopy(DeviceIo.bytes(second), 0, expected, 4096, 4096);
        assertThat(io.read(device, 4096, 8192)).isEqualTo(expected);
        assertThat(io.read(device, 0, 4096)).as("never written").isEqualTo(DeviceIo.zeros(4096));
    }

    @Test
    void fuaWriteSurvivesAPowerCutWithoutAFlush() throws Exception {
        BlockDevice device = open(DeviceWish.ofCapacity(MIB).withWriteCache(true));
        assumeTrue(device.capabilities().fua(), () -> devices().name() + " has a write cache without FUA");
        SimulatesPowerLoss power = powerLoss(device);
        MemorySegment fua = io.pattern(4096, 1);
        assertThat(DeviceIo.write(device, Bio.FUA, 0, fua)).isZero();
        assertThat(DeviceIo.write(device, 0, 4096, io.pattern(4096, 2))).isZero();

        power.powerCut();

        assertThat(io.read(device, 0, 4096)).isEqualTo(DeviceIo.bytes(fua));
        assertThat(io.read(device, 4096, 4096)).as("the plain write was lost").isEqualTo(DeviceIo.zeros(4096));
    }

    @Test
    void completedButUnflushedWriteIsLostOnPowerCutAndNothingElseIs() throws Exception {
        BlockDevice device = open(DeviceWish.ofCapacity(4 * MIB).withWriteCache(true));
        SimulatesPowerLoss power = powerLoss(device);
        MemorySegment durable = io.pattern(8192, 3);
        assertThat(DeviceIo.write(device, 0, durable)).isZero();
        assertThat(DeviceIo.flush(device)).isZero();
        // An unflushed overwrite of half the durable range, and an unflushed write of a new range across a 1 MiB
        // boundary (where a device's cache or store may change chunk).
        assertThat(DeviceIo.write(device, 4096, io.pattern(4096, 4))).isZero();
        assertThat(DeviceIo.write(device, MIB - 4096, io.pattern(8192, 5))).isZero();

        power.powerCut();

        assertThat(io.read(device, 0, 8192)).isEqualTo(DeviceIo.bytes(durable));
        assertThat(io.read(device, MIB - 4096, 8192)).isEqualTo(DeviceIo.zeros(8192));
        assertThat(DeviceIo.write(device, 16384, io.pattern(4096, 6))).as("usable after the cut").isZero();
        assertThat(io.read(device, 16384, 4096)).isEqualTo(DeviceIo.bytes(io.pattern(4096, 6)));
    }

    @Test
    void flushMakesEveryWriteThatCompletedBeforeItDurable() throws Exception {
        BlockDevice device = open(DeviceWish.ofCapacity(4 * MIB).withLogicalBlockSize(512).withWriteCache(true));
        SimulatesPowerLoss power = powerLoss(device);
        MemorySegment a = io.pattern(512, 7);
        MemorySegment b = io.pattern(65536, 8);
        MemorySegment c = io.pattern(1024, 9);
        assertThat(DeviceIo.write(device, 512, a)).isZero();
        assertThat(DeviceIo.write(device, 2 * MIB, b)).isZero();
        assertThat(DeviceIo.write(device, 1536, c)).isZero();

        assertThat(DeviceIo.flush(device)).isZero();
        power.powerCut();

        assertThat(io.read(device, 512, 512)).isEqualTo(DeviceIo.bytes(a));
        assertThat(io.read(device, 2 * MIB, 65536)).isEqualTo(DeviceIo.bytes(b));
        assertThat(io.read(device, 1536, 1024)).isEqualTo(DeviceIo.bytes(c));
        assertThat(io.read(device, 1024, 512)).as("the block between stays unwritten").isEqualTo(DeviceIo.zeros(512));
    }

    @Test
    void withoutAWriteCacheACompletedWriteSurvivesAPowerCut() throws Exception {
        BlockDevice device = open(DeviceWish.ofCapacity(MIB).withWriteCache(false));
        SimulatesPowerLoss power = powerLoss(device);
        MemorySegment data = io.pattern(4096, 10);
        assertThat(DeviceIo.write(device, 8192, data)).isZero();

        power.powerCut();

        assertThat(device.capabilities().volatileWriteCache()).isFalse();
        assertThat(device.capabilities().writeThroughByFua()).as("every write is durable anyway").isTrue();
        assertThat(io.read(device, 8192, 4096)).isEqualTo(DeviceIo.bytes(data));
    }

    @Test
    void flushThatIsNotQueuedWaitsForEveryEarlierWriteAndHoldsBackEveryLaterOne() throws Exception {
        assumeTrue(devices().flushesAreNotQueued(), () -> devices().name() + " queues its flushes like any bio");
        BlockDevice device = open(DeviceWish.ofCapacity(MIB));
        MemorySegment buffer = io.pattern(4096, 2);
        Probe w1 = DeviceIo.submit(device, BioOp.WRITE, 0, 0, buffer);
        Probe w2 = DeviceIo.submit(device, BioOp.WRITE, 0, 4096, buffer);
        Probe flush = DeviceIo.submit(device, BioOp.FLUSH, 0, 0, MemorySegment.NULL);
        Probe after = DeviceIo.submit(device, BioOp.WRITE, 0, 8192, buffer);

        assertThat(after.awaitStatus()).isZero();
        assertThat(flush.awaitStatus()).isZero();
        assertThat(w1.awaitStatus()).isZero();
        assertThat(w2.awaitStatus()).isZero();

        assertThat(flush.completedNanos()).as("after the writes before it")
                .isGreaterThanOrEqualTo(Math.max(w1.completedNanos(), w2.completedNanos()));
        assertThat(after.completedNanos()).as("the write after it").isGreaterThanOrEqualTo(flush.completedNanos());
    }

    @Test
    void bioPastTheEndFailsWithEio() throws Exception {
        BlockDevice device = open(DeviceWish.ofCapacity(MIB));
        long capacity = device.capabilities().capacityBytes();
        MemorySegment buffer = io.pattern(8192, 11);

        assertThat(DeviceIo.write(device, capacity - 4096, buffer)).as("crossing the end").isEqualTo(Errno.EIO);
        assertThat(DeviceIo.write(device, capacity, buffer)).as("at the end").isEqualTo(Errno.EIO);
        assertThat(DeviceIo.submit(device, BioOp.READ, 0, -4096, buffer).awaitStatus()).isEqualTo(Errno.EIO);
    }

    /** The device's discard support; a test of discards is skipped on a device without it. */
    private DeviceCapabilities.Discard discardOf(BlockDevice device) {
        DeviceCapabilities.Discard d = device.capabilities().discard();
        assumeTrue(d.supported(), () -> devices().name() + " cannot discard as opened here"
                + " (capabilities().discard() is NONE)");
        return d;
    }

    @Test
    void discardedRangeReadsBackAsZerosAndTheRangesAroundItAreKept() throws Exception {
        BlockDevice device = open(DeviceWish.ofCapacity(4 * MIB));
        DeviceCapabilities.Discard d = discardOf(device);
        int g = d.granularity();
        MemorySegment data = io.pattern(3L * g, 15);
        assertThat(DeviceIo.write(device, MIB, data)).isZero();

        assertThat(DeviceIo.discard(device, MIB + g, g)).isZero();

        byte[] expected = DeviceIo.bytes(data);
        if (d.zeroesData()) {
            java.util.Arrays.fill(expected, g, 2 * g, (byte) 0);
            assertThat(io.read(device, MIB, 3 * g)).isEqualTo(expected);
        } else {
            assertThat(java.util.Arrays.copyOfRange(io.read(device, MIB, 3 * g), 0, g))
                    .isEqualTo(java.util.Arrays.copyOfRange(expected, 0, g));
            assertThat(java.util.Arrays.copyOfRange(io.read(device, MIB, 3 * g), 2 * g, 3 * g))
                    .isEqualTo(java.util.Arrays.copyOfRange(expected, 2 * g, 3 * g));
        }
        assertThat(DeviceIo.write(device, MIB + g, data.asSlice(0, g))).as("writable again").isZero();
        assertThat(io.read(device, MIB + g, g)).isEqualTo(DeviceIo.bytes(data.asSlice(0, g)));
    }

    @Test
    void discardOffTheGranularityOrPastTheEndFails() throws Exception {
        BlockDevice device = open(DeviceWish.ofCapacity(MIB));
        DeviceCapabilities.Discard d = discardOf(device);
        long capacity = device.capabilities().capacityBytes();
        int g = d.granularity();

        assertThat(DeviceIo.discard(device, g / 2, g)).as("address off the granularity").isEqualTo(Errno.EINVAL);
        assertThat(DeviceIo.discard(device, 0, g + g / 2)).as("length off the granularity")
                .isEqualTo(Errno.EINVAL);
        assertThat(DeviceIo.discard(device, 0, 0)).as("empty").isEqualTo(Errno.EINVAL);
        long last = capacity - capacity % g;
        assertThat(DeviceIo.discard(device, last, g)).as("past the end").isEqualTo(Errno.EIO);
    }

    @Test
    void discardToADeviceThatCannotDiscardFailsWithEopnotsupp() throws Exception {
        BlockDevice device = open(DeviceWish.ofCapacity(MIB));
        assumeTrue(!device.capabilities().canDiscard(), () -> devices().name() + " can discard as opened here");
        MemorySegment data = io.pattern(4096, 16);
        assertThat(DeviceIo.write(device, 0, data)).isZero();

        assertThat(DeviceIo.discard(device, 0, 4096)).isEqualTo(Errno.EOPNOTSUPP);

        assertThat(io.read(device, 0, 4096)).as("untouched").isEqualTo(DeviceIo.bytes(data));
    }

    @Test
    void flushedDiscardSurvivesAPowerCutAndAnUnflushedOneLeavesOldDataOrItsResult() throws Exception {
        BlockDevice device = open(DeviceWish.ofCapacity(4 * MIB).withWriteCache(true));
        DeviceCapabilities.Discard d = discardOf(device);
        assumeTrue(d.zeroesData(), () -> devices().name() + " does not read discarded blocks back as zeros");
        SimulatesPowerLoss power = powerLoss(device);
        int g = d.granularity();
        MemorySegment data = io.pattern(2L * g, 17);
        assertThat(DeviceIo.write(device, 0, data)).isZero();
        assertThat(DeviceIo.flush(device)).isZero();
        assertThat(DeviceIo.discard(device, 0, g)).isZero();
        assertThat(DeviceIo.flush(device)).isZero();
        assertThat(DeviceIo.discard(device, g, g)).isZero();

        power.powerCut();

        assertThat(io.read(device, 0, g)).as("the flushed discard").isEqualTo(DeviceIo.zeros(g));
        assertThat(io.read(device, g, g)).as("the unflushed discard: old data or zeros")
                .satisfiesAnyOf(b -> assertThat(b).isEqualTo(DeviceIo.zeros(g)),
                        b -> assertThat(b).isEqualTo(DeviceIo.bytes(data.asSlice(g, g))));
    }

    @Test
    void misalignedOrOversizedBioFailsWithEinval() throws Exception {
        BlockDevice device = open(DeviceWish.ofCapacity(MIB).withMaxTransfer(64 << 10));
        int lbs = device.capabilities().logicalBlockSize();
        MemorySegment buffer = io.pattern(1 << 17, 12);

        assertThat(DeviceIo.write(device, lbs / 2, buffer.asSlice(0, 4096))).as("address").isEqualTo(Errno.EINVAL);
        assertThat(DeviceIo.write(device, 0, buffer.asSlice(0, 4096 + lbs / 2))).as("length")
                .isEqualTo(Errno.EINVAL);
        assertThat(DeviceIo.write(device, 0, buffer)).as("past max-transfer").isEqualTo(Errno.EINVAL);
        assertThat(DeviceIo.submit(device, BioOp.READ, 0, 0, MemorySegment.NULL).awaitStatus())
                .as("empty").isEqualTo(Errno.EINVAL);
    }

    @Test
    void bioWhoseMemoryIsShorterThanItsLengthFailsWithEfault() throws Exception {
        BlockDevice device = open(DeviceWish.ofCapacity(MIB));
        Probe p = new Probe();
        p.bio.set(BioOp.WRITE, 0, 0, io.buffer(4096), 0, 8192, p, null);

        device.submit(p.bio);

        assertThat(p.awaitStatus()).isEqualTo(Errno.EFAULT);
    }

    @Test
    void nowaitBioOnAFullQueueFailsWithEagain() throws Exception {
        assumeCompletionsCanBeHeld();
        BlockDevice device = open(DeviceWish.ofCapacity(MIB).withQueueDepth(1).withSingleQueue());
        MemorySegment buffer = io.pattern(4096, 13);
        HoldingProbe holder = new HoldingProbe(release, () -> { }).submitAndHold(device, buffer);
        Probe queued = DeviceIo.submit(device, BioOp.WRITE, 0, 4096, buffer);

        Probe refused = DeviceIo.submit(device, BioOp.WRITE, Bio.NOWAIT, 8192, buffer);

        assertThat(refused.isDone()).as("ended before submit returned").isTrue();
        assertThat(refused.status()).isEqualTo(Errno.EAGAIN);
        assertThat(queued.isDone()).isFalse();
        release.countDown();
        assertThat(queued.awaitStatus()).isZero();
        assertThat(holder.awaitStatus()).isZero();
    }

    @Test
    void submitterWithoutNowaitWaitsForASlotOnAFullQueue() throws Exception {
        assumeCompletionsCanBeHeld();
        BlockDevice device = open(DeviceWish.ofCapacity(MIB).withQueueDepth(1).withSingleQueue());
        MemorySegment buffer = io.pattern(4096, 14);
        new HoldingProbe(release, () -> { }).submitAndHold(device, buffer);
        Probe queued = DeviceIo.submit(device, BioOp.WRITE, 0, 4096, buffer);
        Probe waiting = new Probe();
        waiting.bio.set(BioOp.WRITE, 0, 8192, buffer, 0, 4096, waiting, null);
        AtomicBoolean returned = new AtomicBoolean();
        Thread submitter = Thread.ofPlatform().unstarted(() -> {
            device.submit(waiting.bio);
            returned.set(true);
        });

        submitter.start();

        // Back-pressure: the submitter parks (bounded memory) instead of queueing without limit.
        DeviceIo.eventually().until(() -> submitter.getState() == Thread.State.TIMED_WAITING
                || submitter.getState() == Thread.State.WAITING);
        assertThat(returned).isFalse();
        assertThat(waiting.isDone()).isFalse();
        release.countDown();
        DeviceIo.eventually().untilTrue(returned);
        assertThat(waiting.awaitStatus()).isZero();
        assertThat(queued.awaitStatus()).isZero();
        assertThat(io.read(device, 8192, 4096)).isEqualTo(DeviceIo.bytes(buffer));
    }

    @Test
    void closeWithIoInFlightEndsEveryBioAndStopsEveryThreadOfTheDevice() throws Exception {
        assumeCompletionsCanBeHeld();
        Set<Thread> before = Threads.live();
        BlockDevice device = open(DeviceWish.ofCapacity(MIB).withQueueDepth(4).withSingleQueue());
        MemorySegment buffer = io.pattern(4096, 15);
        HoldingProbe holder = new HoldingProbe(release, () -> { }).submitAndHold(device, buffer);
        Probe queued1 = DeviceIo.submit(device, BioOp.WRITE, 0, 4096, buffer);
        Probe queued2 = DeviceIo.submit(device, BioOp.FLUSH, 0, 0, MemorySegment.NULL);

        Thread closer = Thread.ofPlatform().start(device::close);
        DeviceIo.eventually().until(() -> closer.getState() == Thread.State.WAITING
                || closer.getState() == Thread.State.TIMED_WAITING);
        Probe afterClose = DeviceIo.submit(device, BioOp.WRITE, 0, 8192, buffer);
        release.countDown();
        closer.join();

        assertThat(holder.awaitStatus()).as("the bio whose data moved finishes").isZero();
        assertThat(queued1.awaitStatus()).isEqualTo(Errno.ENODEV);
        assertThat(queued2.awaitStatus()).isEqualTo(Errno.ENODEV);
        assertThat(afterClose.awaitStatus()).isEqualTo(Errno.ENODEV);
        Threads.awaitNoneStartedSince(before, closer);
    }

    @Test
    void closeFromACompletionCallbackEndsTheDeviceWithoutDeadlock() throws Exception {
        assumeCompletionsCanBeHeld();
        Set<Thread> before = Threads.live();
        AtomicReference<BlockDevice> self = new AtomicReference<>();
        BlockDevice device = open(DeviceWish.ofCapacity(MIB).withQueueDepth(4).withSingleQueue());
        self.set(device);
        MemorySegment buffer = io.pattern(4096, 16);
        new HoldingProbe(release, () -> self.get().close()).submitAndHold(device, buffer);
        Probe queued = DeviceIo.submit(device, BioOp.WRITE, 0, 4096, buffer);

        release.countDown();

        assertThat(queued.awaitStatus()).isEqualTo(Errno.ENODEV);
        Threads.awaitNoneStartedSince(before, null);
        assertThat(DeviceIo.write(device, 0, buffer)).as("closed").isEqualTo(Errno.ENODEV);
    }

    @Test
    void completionThatSubmitsIntoItsOwnFullQueueDoesNotDeadlock() throws Exception {
        assumeCompletionsCanBeHeld();
        BlockDevice device = open(DeviceWish.ofCapacity(MIB).withQueueDepth(1).withSingleQueue());
        MemorySegment buffer = io.pattern(4096, 17);
        Probe fromCallback = new Probe();
        fromCallback.bio.set(BioOp.WRITE, 0, 8192, buffer, 0, 4096, fromCallback, null);
        new HoldingProbe(release, () -> device.submit(fromCallback.bio)).submitAndHold(device, buffer);
        Probe fromTest = DeviceIo.submit(device, BioOp.WRITE, 0, 4096, buffer);

        release.countDown();

        assertThat(fromTest.awaitStatus()).isZero();
        assertThat(fromCallback.awaitStatus()).isZero();
        assertThat(fromCallback.completedNanos()).isGreaterThanOrEqualTo(fromTest.completedNanos());
        assertThat(io.read(device, 8192, 4096)).isEqualTo(DeviceIo.bytes(buffer));
    }

    @Test
    void bioSubmittedAfterCloseFailsWithEnodevAndPowerCutDoesNothing() throws Exception {
        BlockDevice device = open(DeviceWish.ofCapacity(MIB));
        device.close();
        device.close();
        if (device instanceof SimulatesPowerLoss power) {
            power.powerCut();
        }

        assertThat(DeviceIo.write(device, 0, io.pattern(4096, 18))).isEqualTo(Errno.ENODEV);
        assertThat(DeviceIo.flush(device)).isEqualTo(Errno.ENODEV);
    }

    @Test
    void wishedCapabilitiesAreTheOnesReported() throws Exception {
        BlockDevice device = open(new DeviceWish(8 * MIB, 4096, true, 128 << 10, 16, false));
        DeviceCapabilities caps = device.capabilities();

        assertThat(caps.capacityBytes()).isGreaterThanOrEqualTo(8 * MIB);
        assertThat(caps.logicalBlockSize()).isEqualTo(4096);
        assertThat(caps.physicalBlockSize() % caps.logicalBlockSize()).isZero();
        assertThat(caps.maxTransferBytes()).isEqualTo(128 << 10);
        assertThat(caps.queueDepth()).isEqualTo(16);
        assertThat(caps.volatileWriteCache()).isTrue();
    }

    // ---- polling (REQ_POLLED; docs/devices.md, "Polling") ----

    private BlockDevice openPolling() throws JiomapException {
        BlockDevice device = open(DeviceWish.ofCapacity(MIB));
        assumeTrue(device.capabilities().polling(), () -> devices().name()
                + " has no poll queues as opened here (capabilities().polling() is false)");
        return device;
    }

    @Test
    void pollReapsThePolledBioOnTheCallersThread() throws Exception {
        BlockDevice device = openPolling();
        MemorySegment data = io.pattern(4096, 31);
        Probe write = DeviceIo.submit(device, BioOp.WRITE, Bio.POLLED, 8192, data);
        assertThat(write.bio.pollDevice()).as("the device recorded its poll queue on the bio").isNotNull();

        assertThat(write.bio.poll(BlockDevice.POLL_BLOCK)).isEqualTo(1);
        assertThat(write.completions()).isEqualTo(1);
        assertThat(write.status()).isZero();
        assertThat(write.thread()).as("end_io ran in the poller").isSameAs(Thread.currentThread());

        Probe read = DeviceIo.submit(device, BioOp.READ, Bio.POLLED, 8192, io.buffer(4096));
        assertThat(read.bio.poll(BlockDevice.POLL_BLOCK)).isEqualTo(1);
        assertThat(read.thread()).isSameAs(Thread.currentThread());
        assertThat(DeviceIo.bytes(read.bio.segment())).isEqualTo(DeviceIo.bytes(data));
        assertThat(write.bio.poll(0)).as("nothing left to reap").isZero();
    }

    @Test
    void pollReapsOnlyThePolledBiosQueueAndInterruptsCompleteTheRest() throws Exception {
        BlockDevice device = openPolling();
        Probe polled = DeviceIo.submit(device, BioOp.WRITE, Bio.POLLED, 0, io.pattern(4096, 32));
        Probe plain = DeviceIo.submit(device, BioOp.WRITE, 0, 4096, io.pattern(4096, 33));

        assertThat(plain.awaitStatus()).isZero();
        assertThat(plain.thread()).as("a bio without POLLED completes by interrupt")
                .isNotSameAs(Thread.currentThread());
        assertThat(plain.bio.pollDevice()).isNull();
        assertThat(polled.bio.poll(BlockDevice.POLL_BLOCK)).as("reaped: the polled bio alone").isEqualTo(1);
        assertThat(polled.thread()).isSameAs(Thread.currentThread());
        assertThat(polled.completions()).isEqualTo(1);
    }

    @Test
    void aPolledBioNobodyPollsStillCompletes() throws Exception {
        BlockDevice device = openPolling();
        Probe polled = DeviceIo.submit(device, BioOp.WRITE, Bio.POLLED, 0, io.pattern(4096, 34));

        // The device reaps what nobody polls, late (the NVMe timeout's missed-interrupt check), so a drain that
        // waits for a polled bio never hangs.
        assertThat(polled.awaitStatus()).isZero();
    }

    @Test
    void aDeviceWithoutPollQueuesCompletesAPolledBioByInterrupt() throws Exception {
        BlockDevice device = open(DeviceWish.ofCapacity(MIB));
        assumeTrue(!device.capabilities().polling(), () -> devices().name()
                + " polls as opened here; the case without poll queues is not this device's");
        Probe polled = DeviceIo.submit(device, BioOp.WRITE, Bio.POLLED, 0, io.pattern(4096, 35));

        assertThat(polled.awaitStatus()).isZero();
        assertThat(polled.bio.pollDevice()).as("on no poll queue").isNull();
        assertThat(polled.bio.poll(BlockDevice.POLL_BLOCK)).isZero();
    }
}
