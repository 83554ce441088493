package io.jiomap.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DioCounters;
import io.jiomap.core.ring.IoRing;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IoRingTest {
    private final MiniFs type = new MiniFs();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    private TestDevice device;

    private OpenFile mount(boolean inlineDevice) throws JiomapException {
        device = new TestDevice(8 << 20, false, false, inlineDevice);
        return mount();
    }

    private OpenFile mountGated() throws JiomapException {
        device = new TestDevice(8 << 20, false, false, false).gated();
        return mount();
    }

    private OpenFile mount() throws JiomapException {
        Mount mount = Mount.mount(type, device, Mount.Options.defaults());
        toClose.add(device);
        toClose.add(mount);
        return mount.open("/f", 0);
    }

    @AfterEach
    void close() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void callerModeRunsWriteCompletionsOnTheOwnerThreadWhileReaping() throws Exception {
        OpenFile file = mountGated();
        try (IoRing ring = IoRing.create(8, CompletionMode.CALLER)) {
            MemorySegment buf = ring.allocateBuffer(4096 * 8, 4096);
            for (int i = 0; i < 8; i++) {
                assertThat(ring.prepWrite(file, buf, 4096L * i, 4096, 4096L * i, 0, i)).isTrue();
            }
            assertThat(ring.submit()).isEqualTo(8);
            assertThat(ring.inFlight()).isEqualTo(8);
            device.release(8);
            ring.waitCompletions(8);
            List<long[]> cqes = new ArrayList<>();
            ring.reap((user, res) -> cqes.add(new long[] {user, res}));

            assertThat(cqes).hasSize(8).allSatisfy(c -> assertThat(c[1]).isEqualTo(4096));
            assertThat(type.endIoThreads).containsOnly(Thread.currentThread().getName());
            DioCounters c = file.mount().counters();
            assertThat(c.caller()).isEqualTo(8);
            assertThat(c.workqueue()).isZero();
        }
    }

    @Test
    void workqueueModeRunsWriteCompletionsOnTheWorkqueue() throws Exception {
        OpenFile file = mountGated();
        try (IoRing ring = IoRing.create(4, CompletionMode.WORKQUEUE)) {
            MemorySegment buf = ring.allocateBuffer(4096, 4096);
            for (int i = 0; i < 4; i++) {
                ring.prepWrite(file, buf, 0, 4096, 4096L * i, 0, i);
            }
            ring.submit();
            device.release(4);
            ring.waitCompletions(4);
            assertThat(ring.reap((u, r) -> assertThat(r).isEqualTo(4096))).isEqualTo(4);

            assertThat(type.endIoThreads).allMatch(n -> n.startsWith("jiomap-dio/mini-test0"));
            assertThat(file.mount().counters().workqueue()).isEqualTo(4);
        }
    }

    @Test
    void inlineOverwriteModeCompletesInTheDeviceContext() throws Exception {
        OpenFile file = mountGated();
        try (IoRing ring = IoRing.create(2, CompletionMode.IRQ_OVERWRITE)) {
            MemorySegment buf = ring.allocateBuffer(4096, 4096);
            ring.prepWrite(file, buf, 0, 4096, 0, 0, 1);
            ring.submit();
            device.release(1);
            ring.waitCompletions(1);
            ring.reap((u, r) -> assertThat(r).isEqualTo(4096));

            assertThat(type.endIoThreads).containsExactly("test-irq");
            assertThat(file.mount().counters().irq()).isEqualTo(1);
        }
    }

    @Test
    void aDeviceThatCompletesInlineMakesSubmitPostTheCqeAtOnce() throws Exception {
        OpenFile file = mount(true);
        try (IoRing ring = IoRing.create(2, CompletionMode.CALLER)) {
            MemorySegment buf = ring.allocateBuffer(4096, 4096);
            ring.prepWrite(file, buf, 0, 4096, 8192, 0, 7);
            ring.submit();

            // The last reference dropped in the submitter, no callback, the CQE is already there (docs/dio-contract.md,
            // "TV4").
            assertThat(ring.cqReady()).isEqualTo(1);
            assertThat(ring.inFlight()).isZero();
            assertThat(file.mount().counters().submitter()).isEqualTo(1);
        }
    }

    @Test
    void aPolledRequestOnARingWithoutIopollEndsWithEinvalAndIssuesNothing() throws Exception {
        OpenFile file = mount(false);
        try (IoRing ring = IoRing.create(2, CompletionMode.CALLER)) {
            MemorySegment buf = ring.allocateBuffer(4096, 4096);
            ring.prepWrite(file, buf, 0, 4096, 0, IoRing.RWF_HIPRI, 7);
            assertThat(ring.submit()).isEqualTo(1);
            List<long[]> cqes = new ArrayList<>();
            ring.reap((user, res) -> cqes.add(new long[] {user, res}));

            assertThat(cqes).singleElement().satisfies(c -> assertThat(c).containsExactly(7, -Errno.EINVAL));
            assertThat(file.mount().counters().dataBios()).as("bios issued").isZero();
        }
    }

    @Test
    void misalignedWriteEndsWithEinvalCqeAndPwriteNamesTheAlignment() throws Exception {
        OpenFile file = mount(false);
        try (IoRing ring = IoRing.create(2, CompletionMode.CALLER)) {
            MemorySegment buf = ring.allocateBuffer(8192, 4096);
            ring.prepWrite(file, buf, 0, 4096, 100, 0, 1);
            ring.submit();
            ring.reap((u, r) -> assertThat(r).isEqualTo(-Errno.EINVAL));

            assertThatThrownBy(() -> file.pwrite(buf, 0, 4096, 100))
                    .isInstanceOf(JiomapException.class)
                    .hasMessageStartingWith("EINVAL")
                    .hasMessageContaining("not a multiple of the logical block size 512");
            assertThatThrownBy(() -> file.pwrite(buf, 3, 4096, 0))
                    .hasMessageContaining("not aligned to the DMA alignment 512");
        }
    }

    @Test
    void submitStopsWhenEverySlotIsInFlightAndKeepsTheRestPrepared() throws Exception {
        OpenFile file = mount(false);
        try (IoRing ring = IoRing.create(2, CompletionMode.CALLER)) {
            MemorySegment buf = ring.allocateBuffer(4096, 4096);
            ring.prepWrite(file, buf, 0, 4096, 0, 0, 1);
            ring.prepWrite(file, buf, 0, 4096, 4096, 0, 2);
            assertThat(ring.submit()).isEqualTo(2);
            assertThat(ring.prepWrite(file, buf, 0, 4096, 8192, 0, 3)).isTrue();
            ring.waitCompletions(2);
            ring.reap((u, r) -> { });
            assertThat(ring.submit()).isEqualTo(1);
            ring.waitCompletions(1);
            List<Long> users = new ArrayList<>();
            ring.reap((u, r) -> users.add(u));
            assertThat(users).containsExactly(3L);
        }
    }

    @Test
    void onlyTheOwnerThreadMayUseTheRing() throws Exception {
        try (IoRing ring = IoRing.create(2, CompletionMode.CALLER)) {
            CompletableFuture<Void> other = CompletableFuture.runAsync(ring::submit);
            assertThat(other).failsWithin(java.time.Duration.ofSeconds(5))
                    .withThrowableThat().withCauseInstanceOf(IllegalStateException.class)
                    .withMessageContaining("owned by");
        }
    }

    @Test
    void readsBackWhatWasWrittenAndReadsCompleteInTheDeviceContext() throws Exception {
        OpenFile file = mountGated();
        try (IoRing ring = IoRing.create(2, CompletionMode.CALLER)) {
            MemorySegment out = ring.allocateBuffer(4096, 4096);
            MemorySegment in = ring.allocateBuffer(4096, 4096);
            for (int i = 0; i < 4096; i++) {
                out.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (i * 7));
            }
            device.release(1);
            assertThat(file.pwrite(out, 0, 4096, 12288)).isEqualTo(4096);
            ring.prepRead(file, in, 0, 4096, 12288, 0, 9);
            ring.submit();
            device.release(1);
            ring.waitCompletions(1);
            ring.reap((u, r) -> assertThat(r).isEqualTo(4096));

            assertThat(in.mismatch(out)).isEqualTo(-1);
            DioCounters c = file.mount().counters();
            assertThat(c.irq()).isEqualTo(1);
            // The blocking pwrite either slept (waiter) or found its bio already done (submitter).
            assertThat(c.waiter() + c.submitter()).isEqualTo(1);
        }
    }

    @Test
    void ioThroughAFileKeptOpenAfterUnmountFailsWithEshutdown() throws Exception {
        OpenFile file = mount(false);
        MemorySegment buf = java.lang.foreign.Arena.ofAuto().allocate(4096, 4096);
        file.mount().close();

        assertThatThrownBy(() -> file.pwrite(buf, 0, 4096, 0))
                .isInstanceOf(JiomapException.class)
                .hasMessageStartingWith("ESHUTDOWN");
        try (IoRing ring = IoRing.create(1, CompletionMode.CALLER)) {
            ring.prepWrite(file, buf, 0, 4096, 0, 0, 1);
            ring.submit();
            ring.reap((u, r) -> assertThat(r).isEqualTo(-Errno.ESHUTDOWN));
        }
    }

    @Test
    void nowaitWriteOnAFullDeviceQueueEndsWithEagainInsteadOfWaiting() throws Exception {
        device = new TestDevice(8 << 20, false, false, false).gated().queueLimit(1);
        OpenFile file = mount();
        try (IoRing ring = IoRing.create(2, CompletionMode.CALLER)) {
            MemorySegment buf = ring.allocateBuffer(4096, 4096);
            ring.prepWrite(file, buf, 0, 4096, 0, IoRing.RWF_NOWAIT, 1);
            ring.prepWrite(file, buf, 0, 4096, 4096, IoRing.RWF_NOWAIT, 2);
            ring.submit();
            // Two permits: if the second write wrongly waited in the queue, it completes too and the test fails.
            device.release(2);
            ring.waitCompletions(2);
            java.util.Map<Long, Long> results = new java.util.HashMap<>();
            ring.reap(results::put);

            assertThat(results).containsEntry(1L, 4096L).containsEntry(2L, (long) -Errno.EAGAIN);
        }
    }
}
