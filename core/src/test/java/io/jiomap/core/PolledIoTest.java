package io.jiomap.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.DioCounters;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.vfs.IocbCompletion;
import io.jiomap.core.ring.IoRing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Polled I/O (HIPRI, REQ_POLLED): which requests keep HIPRI (docs/dio-contract.md, "B1 step 9", "B2 step 4",
 * "B2 step 7"), which bio is polled and recorded in the iocb, where the completion runs (docs/dio-contract.md,
 * "TV23", "TV24", "TV25", "Row 12"), and the jiomap extension that polls caller-completed writes.
 */
class PolledIoTest {
    private static final String ME = Thread.currentThread().getName();

    private final MiniFs type = new MiniFs();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final Arena arena = Arena.ofShared();
    private TestDevice device;
    private Mount mount;

    private OpenFile mount(TestDevice d) throws JiomapException {
        device = d;
        mount = Mount.mount(type, device, Mount.Options.defaults());
        toClose.add(device);
        toClose.add(mount);
        return mount.open("/f", 0);
    }

    private OpenFile pollingDevice() throws JiomapException {
        return mount(new TestDevice(8 << 20, false, false, false, true));
    }

    @AfterEach
    void close() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        arena.close();
    }

    /** ki_complete that records the result and the thread it ran on. */
    private static final class Recorder implements IocbCompletion {
        final List<String> threads = new CopyOnWriteArrayList<>();
        volatile long result = Long.MIN_VALUE;

        @Override
        public void complete(Iocb iocb, long res) {
            threads.add(Thread.currentThread().getName());
            result = res;
        }
    }

    private MemorySegment buffer(long size) {
        return arena.allocate(size, 4096);
    }

    private List<TestDevice.Recorded> dataBios() {
        return device.bios.stream().filter(b -> b.op() != io.jiomap.api.block.BioOp.FLUSH).toList();
    }

    @Test
    void tv23_polledSingleBioReadIsPolledAndCompletesInThePoller() throws Exception {
        OpenFile file = pollingDevice();
        Recorder done = new Recorder();
        Iocb iocb = new Iocb().set(file.inode(), 8192, file.iocbFlags() | Iocb.HIPRI, done);

        assertThat(file.inode().read(iocb, buffer(4096), 0, 4096)).isEqualTo(-Errno.EIOCBQUEUED);
        Bio polled = iocb.polledBio();
        assertThat(polled).as("iocb->private holds the polled bio").isNotNull();
        assertThat(polled.hasFlag(Bio.POLLED)).isTrue();
        assertThat(polled.pollDevice()).isSameAs(device);
        assertThat(dataBios()).singleElement().satisfies(b -> assertThat(b.flags() & Bio.POLLED).isNotZero());

        // Nothing delivers a poll queue's completion but a poll: it runs in the poller.
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInSameThread().pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1)).until(() -> {
                    polled.poll(0);
                    return done.result != Long.MIN_VALUE;
                });
        assertThat(done.result).isEqualTo(4096);
        assertThat(done.threads).containsExactly(ME);
        assertThat(device.pollCompletionThreads).containsExactly(ME);
        assertThat(device.irqCompletionThreads).isEmpty();
        assertThat(iocb.polledBio()).as("private reset at completion").isNull();
        assertThat(file.mount().counters().irq()).isEqualTo(1);
    }

    @Test
    void tv23_blockingPollReturnsOnceThePolledReadCompleted() throws Exception {
        OpenFile file = pollingDevice();
        Recorder done = new Recorder();
        Iocb iocb = new Iocb().set(file.inode(), 0, file.iocbFlags() | Iocb.HIPRI, done);
        assertThat(file.inode().read(iocb, buffer(4096), 0, 4096)).isEqualTo(-Errno.EIOCBQUEUED);

        assertThat(iocb.polledBio().poll(BlockDevice.POLL_BLOCK)).isEqualTo(1);
        assertThat(done.result).isEqualTo(4096);
        assertThat(done.threads).containsExactly(ME);
    }

    @Test
    void tv24_readNeedingTwoBiosIsNotPolled() throws Exception {
        OpenFile file = mount(new TestDevice(8 << 20, false, false, false, true).gated());
        Recorder done = new Recorder();
        int length = 2 * 128 * 1024; // twice the device's max transfer
        Iocb iocb = new Iocb().set(file.inode(), 0, file.iocbFlags() | Iocb.HIPRI, done);

        assertThat(file.inode().read(iocb, buffer(length), 0, length)).isEqualTo(-Errno.EIOCBQUEUED);
        assertThat(iocb.hasFlag(Iocb.HIPRI)).as("HIPRI after submission").isFalse();
        assertThat(iocb.polledBio()).isNull();
        assertThat(dataBios()).hasSize(2).allSatisfy(b -> assertThat(b.flags() & Bio.POLLED).isZero());

        device.release(2);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> done.result != Long.MIN_VALUE);
        assertThat(done.result).isEqualTo(length);
        assertThat(device.pollCompletionThreads).isEmpty();
    }

    @Test
    void tv24_onlyTheFirstMappingCanBePolled() throws Exception {
        OpenFile file = pollingDevice();
        type.mappingBytes = 4096;
        Recorder done = new Recorder();
        Iocb iocb = new Iocb().set(file.inode(), 0, file.iocbFlags() | Iocb.HIPRI, done);

        assertThat(file.inode().read(iocb, buffer(8192), 0, 8192)).isEqualTo(-Errno.EIOCBQUEUED);
        assertThat(iocb.hasFlag(Iocb.HIPRI)).as("HIPRI cleared after the first mapping").isFalse();
        // HIPRI is cleared after each mapping (docs/dio-contract.md, "B1 step 9"), so the second mapping's bio is never
        // polled.
        List<TestDevice.Recorded> bios = dataBios();
        assertThat(bios).hasSize(2);
        assertThat(bios.get(1).flags() & Bio.POLLED).as("second mapping's bio polled").isZero();

        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInSameThread().pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1)).until(() -> {
                    Bio b = iocb.polledBio();
                    if (b != null) {
                        b.poll(0);
                    }
                    return done.result != Long.MIN_VALUE;
                });
        assertThat(done.result).isEqualTo(8192);
    }

    @Test
    void tv25_polledWriteWithoutCallerCompletionDropsHipriAndCompletesOnTheWorkqueue() throws Exception {
        OpenFile file = mount(new TestDevice(8 << 20, false, false, false, true).gated());
        Recorder done = new Recorder();
        Iocb iocb = new Iocb().set(file.inode(), 0, file.iocbFlags() | Iocb.WRITE | Iocb.HIPRI, done);

        assertThat(file.inode().write(iocb, buffer(4096), 0, 4096)).isEqualTo(-Errno.EIOCBQUEUED);
        assertThat(iocb.hasFlag(Iocb.HIPRI)).isFalse();
        assertThat(iocb.polledBio()).isNull();
        assertThat(dataBios()).singleElement().satisfies(b -> assertThat(b.flags() & Bio.POLLED).isZero());

        device.release(1);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> done.result != Long.MIN_VALUE);
        assertThat(done.result).isEqualTo(4096);
        DioCounters c = file.mount().counters();
        assertThat(c.workqueue()).isEqualTo(1);
        assertThat(device.irqCompletionThreads).hasSize(1);
    }

    @Test
    void b2step4_callerCompletedOverwriteKeepsHipriAndIsPolled() throws Exception {
        OpenFile file = pollingDevice();
        Recorder done = new Recorder();
        Iocb iocb = new Iocb().set(file.inode(), 4096,
                file.iocbFlags() | Iocb.WRITE | Iocb.HIPRI | Iocb.DIO_CALLER_COMP, done);

        assertThat(file.inode().write(iocb, buffer(4096), 0, 4096)).isEqualTo(-Errno.EIOCBQUEUED);
        assertThat(iocb.polledBio()).isNotNull();
        assertThat(dataBios()).singleElement().satisfies(b -> assertThat(b.flags() & Bio.POLLED).isNotZero());

        assertThat(iocb.polledBio().poll(BlockDevice.POLL_BLOCK)).isEqualTo(1);
        assertThat(done.threads).containsExactly(ME);
        assertThat(iocb.deferred()).as("handed back to the caller").isNotNull();
        assertThat(iocb.deferred().claim()).isTrue();
        assertThat(iocb.deferred().runClaimed()).isEqualTo(4096);
        assertThat(type.endIoThreads).containsExactly(ME);
    }

    @Test
    void b2step4_dsyncWriteThatLosesCallerCompletionAlsoLosesHipri() throws Exception {
        // A write cache without FUA: O_DSYNC needs a flush at completion, so CALLER_COMP goes, and HIPRI with it.
        OpenFile file = mount(new TestDevice(8 << 20, true, false, false, true).gated());
        Recorder done = new Recorder();
        Iocb iocb = new Iocb().set(file.inode(), 0,
                file.iocbFlags() | Iocb.WRITE | Iocb.HIPRI | Iocb.DSYNC | Iocb.DIO_CALLER_COMP, done);

        assertThat(file.inode().write(iocb, buffer(4096), 0, 4096)).isEqualTo(-Errno.EIOCBQUEUED);
        assertThat(iocb.hasFlag(Iocb.HIPRI)).isFalse();
        assertThat(iocb.polledBio()).isNull();
        device.release(2); // the write, then the completion's flush
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> done.result != Long.MIN_VALUE);
        assertThat(done.result).isEqualTo(4096);
        assertThat(file.mount().counters().workqueue()).isEqualTo(1);
    }

    @Test
    void aDeviceThatCannotPollNeverGetsAPolledBio() throws Exception {
        // Gated: the interrupt must not complete the bio before the submitter returns (docs/dio-contract.md, "TV4"
        // would make it -- rightly
        // -- a synchronous completion, and this test is about the queued case).
        TestDevice gated = new TestDevice(8 << 20, false, false, false, false).gated();
        OpenFile file = mount(gated);
        Recorder done = new Recorder();
        Iocb iocb = new Iocb().set(file.inode(), 0, file.iocbFlags() | Iocb.HIPRI, done);

        assertThat(file.inode().read(iocb, buffer(4096), 0, 4096)).isEqualTo(-Errno.EIOCBQUEUED);
        assertThat(iocb.polledBio()).isNull();
        assertThat(dataBios()).singleElement().satisfies(b -> assertThat(b.flags() & Bio.POLLED).isZero());
        gated.release(1);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> done.result != Long.MIN_VALUE);
        assertThat(device.irqCompletionThreads).hasSize(1);
    }

    @Test
    void aSyncIocbIsNeverPolled() throws Exception {
        OpenFile file = pollingDevice();
        Iocb iocb = new Iocb().set(file.inode(), 0, file.iocbFlags() | Iocb.HIPRI, null);

        assertThat(file.inode().read(iocb, buffer(4096), 0, 4096)).isEqualTo(4096);
        assertThat(dataBios()).singleElement().satisfies(b -> assertThat(b.flags() & Bio.POLLED).isZero());
    }

    @Test
    void iopollRingCompletesReadsInItsOwnThread() throws Exception {
        OpenFile file = pollingDevice();
        try (IoRing ring = IoRing.create(8, CompletionMode.CALLER, IoRing.SETUP_IOPOLL)) {
            MemorySegment buf = ring.allocateBuffer(4096 * 8, 4096);
            for (int i = 0; i < 8; i++) {
                ring.prepRead(file, buf, 4096L * i, 4096, 4096L * i, 0, i);
            }
            assertThat(ring.submit()).isEqualTo(8);
            assertThat(ring.waitCompletions(8)).isEqualTo(8);
            List<Long> results = new ArrayList<>();
            ring.reap((user, res) -> results.add(res));

            assertThat(results).hasSize(8).containsOnly(4096L);
            assertThat(dataBios()).hasSize(8).allSatisfy(b -> assertThat(b.flags() & Bio.POLLED).isNotZero());
            assertThat(device.pollCompletionThreads).hasSize(8).containsOnly(ME);
            assertThat(device.irqCompletionThreads).isEmpty();
        }
    }

    @Test
    void iopollRingDoesNotAskForCallerCompletionSoPolledWritesGoToTheWorkqueue() throws Exception {
        OpenFile file = mount(new TestDevice(8 << 20, false, false, false, true).gated());
        try (IoRing ring = IoRing.create(8, CompletionMode.CALLER, IoRing.SETUP_IOPOLL)) {
            MemorySegment buf = ring.allocateBuffer(4096 * 4, 4096);
            for (int i = 0; i < 4; i++) {
                ring.prepWrite(file, buf, 4096L * i, 4096, 4096L * i, 0, i);
            }
            assertThat(ring.submit()).isEqualTo(4);
            device.release(4);
            assertThat(ring.waitCompletions(4)).isEqualTo(4);
            ring.reap((user, res) -> assertThat(res).isEqualTo(4096));

            assertThat(dataBios()).hasSize(4).allSatisfy(b -> assertThat(b.flags() & Bio.POLLED).isZero());
            DioCounters c = file.mount().counters();
            assertThat(c.workqueue()).isEqualTo(4);
            assertThat(c.caller()).isZero();
        }
    }

    @Test
    void callerPollRingRunsEndIoAndTheDeferredCompletionOnTheIssuerWithNoWorkqueue() throws Exception {
        OpenFile file = pollingDevice();
        try (IoRing ring = IoRing.create(16, CompletionMode.CALLER_POLL)) {
            assertThat(ring.isIopoll()).isTrue();
            MemorySegment buf = ring.allocateBuffer(4096 * 16, 4096);
            int total = 0;
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < 16; i++) {
                    ring.prepWrite(file, buf, 4096L * i, 4096, 4096L * (i + 16 * round), 0, i);
                }
                assertThat(ring.submit()).isEqualTo(16);
                assertThat(ring.waitCompletions(16)).isEqualTo(16);
                total += ring.reap((user, res) -> assertThat(res).isEqualTo(4096));
            }

            assertThat(total).isEqualTo(64);
            assertThat(dataBios()).hasSize(64).allSatisfy(b -> assertThat(b.flags() & Bio.POLLED).isNotZero());
            assertThat(device.pollCompletionThreads).hasSize(64).containsOnly(ME);
            assertThat(device.irqCompletionThreads).isEmpty();
            assertThat(type.endIoThreads).hasSize(64).containsOnly(ME);
            DioCounters c = file.mount().counters();
            assertThat(c.caller()).isEqualTo(64);
            assertThat(c.workqueue()).isZero();
            assertThat(c.irq()).isZero();
        }
    }

    @Test
    void callerPollRingSendsWritesThatNeedWorkToTheWorkqueueUnpolled() throws Exception {
        // O_DSYNC on a write cache without FUA: the completion must flush, which never runs in the poller.
        OpenFile file = mount(new TestDevice(8 << 20, true, false, false, true).gated());
        try (IoRing ring = IoRing.create(4, CompletionMode.CALLER_POLL)) {
            MemorySegment buf = ring.allocateBuffer(4096, 4096);
            ring.prepWrite(file, buf, 0, 4096, 0, IoRing.RWF_DSYNC, 1);
            assertThat(ring.submit()).isEqualTo(1);
            device.release(2); // the write, then the completion's flush
            assertThat(ring.waitCompletions(1)).isEqualTo(1);
            ring.reap((user, res) -> assertThat(res).isEqualTo(4096));

            assertThat(dataBios()).singleElement().satisfies(b -> assertThat(b.flags() & Bio.POLLED).isZero());
            DioCounters c = file.mount().counters();
            assertThat(c.workqueue()).isEqualTo(1);
            assertThat(c.flushes()).isEqualTo(1);
            assertThat(device.pollCompletionThreads).isEmpty();
        }
    }

    @Test
    void callerPollIsACompletionModeOnTheCommandLine() {
        assertThat(CompletionMode.parse("caller+poll")).isEqualTo(CompletionMode.CALLER_POLL);
        assertThat(CompletionMode.CALLER_POLL.cliName()).isEqualTo("caller+poll");
        assertThat(CompletionMode.CALLER_POLL.polled()).isTrue();
        assertThat(CompletionMode.CALLER.polled()).isFalse();
    }
}
