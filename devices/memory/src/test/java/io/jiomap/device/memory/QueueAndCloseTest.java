package io.jiomap.device.memory;

import io.jiomap.tck.device.Probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioEndIo;
import io.jiomap.api.block.BioOp;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Back-pressure and shutdown. Each test holds the interrupt thread inside a completion callback (test-only: a real
 * callback must not block), which keeps later bios queued for as long as the test needs.
 */
class QueueAndCloseTest {
    private final Io io = new Io();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void closeDevices() {
        release.countDown();
        io.close();
    }

    /** Completes like a {@link Probe}, then holds the completing thread until the test releases it. */
    private final class HoldingProbe implements BioEndIo {
        final Bio bio = new Bio();
        final Probe probe = new Probe();
        final CountDownLatch entered = new CountDownLatch(1);
        private final Runnable afterRelease;

        HoldingProbe(Runnable afterRelease) {
            this.afterRelease = afterRelease;
        }

        @Override
        public void endIo(Bio b) {
            probe.endIo(b);
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            afterRelease.run();
        }

        /** Submits a 4 KiB write and waits until its completion holds the interrupt thread. */
        void submitAndHold(MemoryDevice device, MemorySegment buffer) {
            bio.set(BioOp.WRITE, 0, 0, buffer, 0, 4096, this, null);
            device.submit(bio);
            Io.eventually().until(() -> entered.getCount() == 0);
        }
    }

    private Probe write(MemoryDevice device, MemorySegment buffer, long address, int flags) {
        Probe p = new Probe();
        p.bio.set(BioOp.WRITE, flags, address, buffer, 0, 4096, p, null);
        device.submit(p.bio);
        return p;
    }

    @Test
    void nowaitOnFullQueueFailsWithEagain() throws Exception {
        MemoryDevice device = io.open("memory:size=1m,queue-depth=1");
        MemorySegment buffer = io.pattern(4096, 1);
        HoldingProbe holder = new HoldingProbe(() -> { });
        holder.submitAndHold(device, buffer);
        Probe queued = write(device, buffer, 4096, 0);

        Probe refused = write(device, buffer, 8192, Bio.NOWAIT);

        assertThat(refused.isDone()).as("completed before submit returned").isTrue();
        assertThat(refused.status()).isEqualTo(Errno.EAGAIN);
        assertThat(queued.isDone()).isFalse();
        release.countDown();
        assertThat(queued.awaitStatus()).isZero();
        assertThat(holder.probe.awaitStatus()).isZero();
    }

    @Test
    void fullQueueMakesTheSubmitterWait() throws Exception {
        MemoryDevice device = io.open("memory:size=1m,queue-depth=1");
        MemorySegment buffer = io.pattern(4096, 2);
        HoldingProbe holder = new HoldingProbe(() -> { });
        holder.submitAndHold(device, buffer);
        Probe queued = write(device, buffer, 4096, 0);
        Probe waiting = new Probe();
        waiting.bio.set(BioOp.WRITE, 0, 8192, buffer, 0, 4096, waiting, null);
        AtomicBoolean submitReturned = new AtomicBoolean();

        Thread submitter = Thread.ofPlatform().start(() -> {
            device.submit(waiting.bio);
            submitReturned.set(true);
        });

        Io.eventually().until(() -> submitter.getState() == Thread.State.TIMED_WAITING);
        assertThat(submitReturned).isFalse();
        assertThat(waiting.isDone()).isFalse();
        release.countDown();
        Io.eventually().untilTrue(submitReturned);
        assertThat(waiting.awaitStatus()).isZero();
        assertThat(queued.awaitStatus()).isZero();
        assertThat(io.readBytes(device, 8192, 4096)).isEqualTo(Io.bytes(buffer));
    }

    @Test
    void closeFailsQueuedBiosWithEnodevAndStopsTheIrqThread() throws Exception {
        MemoryDevice device = io.open("memory:size=1m,queue-depth=4");
        MemorySegment buffer = io.pattern(4096, 3);
        Thread irq = device.interruptThread();
        HoldingProbe holder = new HoldingProbe(() -> { });
        holder.submitAndHold(device, buffer);
        Probe queued1 = write(device, buffer, 4096, 0);
        Probe queued2 = write(device, buffer, 8192, 0);

        Thread closer = Thread.ofPlatform().start(device::close);
        Io.eventually().until(() -> closer.getState() == Thread.State.WAITING);
        Probe afterClose = write(device, buffer, 12288, 0);
        release.countDown();
        closer.join();

        assertThat(holder.probe.awaitStatus()).as("the bio already moved finishes normally").isZero();
        assertThat(queued1.awaitStatus()).isEqualTo(Errno.ENODEV);
        assertThat(queued2.awaitStatus()).isEqualTo(Errno.ENODEV);
        assertThat(afterClose.awaitStatus()).isEqualTo(Errno.ENODEV);
        assertThat(irq.isAlive()).as("close joined the irq thread").isFalse();
        assertThat(device.isClosed()).isTrue();
    }

    @Test
    void closeIsIdempotentAndPowerCutAfterCloseDoesNothing() throws Exception {
        MemoryDevice device = io.open("memory:size=1m,vwc=on");
        assertThat(Io.write(device, 0, io.pattern(4096, 4))).isZero();

        device.close();
        device.close();
        device.powerCut();

        assertThat(device.isClosed()).isTrue();
        assertThat(device.interruptThread().isAlive()).isFalse();
    }

    @Test
    void closeFromACompletionCallbackEndsTheDeviceWithoutDeadlock() throws Exception {
        AtomicReference<MemoryDevice> self = new AtomicReference<>();
        MemoryDevice device = io.open("memory:size=1m,queue-depth=4");
        self.set(device);
        MemorySegment buffer = io.pattern(4096, 5);
        HoldingProbe holder = new HoldingProbe(() -> self.get().close());
        holder.submitAndHold(device, buffer);
        Probe queued = write(device, buffer, 4096, 0);

        release.countDown();

        assertThat(queued.awaitStatus()).isEqualTo(Errno.ENODEV);
        Io.eventually().until(() -> !device.interruptThread().isAlive());
        assertThat(device.isClosed()).isTrue();
    }

    @Test
    void completionThatSubmitsIntoAFullQueueDoesNotDeadlock() throws Exception {
        MemoryDevice device = io.open("memory:size=1m,queue-depth=1");
        MemorySegment buffer = io.pattern(4096, 6);
        ConcurrentLinkedQueue<String> completionOrder = new ConcurrentLinkedQueue<>();
        Probe fromCallback = new Probe();
        fromCallback.bio.set(BioOp.WRITE, 0, 8192, buffer, 0, 4096, b -> {
            completionOrder.add("from-callback");
            fromCallback.endIo(b);
        }, null);
        HoldingProbe holder = new HoldingProbe(() -> device.submit(fromCallback.bio));
        holder.submitAndHold(device, buffer);
        Probe fromTest = new Probe();
        fromTest.bio.set(BioOp.WRITE, 0, 4096, buffer, 0, 4096, b -> {
            completionOrder.add("from-test");
            fromTest.endIo(b);
        }, null);
        device.submit(fromTest.bio);

        release.countDown();

        assertThat(fromTest.awaitStatus()).isZero();
        assertThat(fromCallback.awaitStatus()).isZero();
        assertThat(List.copyOf(completionOrder)).containsExactly("from-test", "from-callback");
        assertThat(io.readBytes(device, 8192, 4096)).isEqualTo(Io.bytes(buffer));
    }

    @Test
    void completionCallbackThatThrowsIsReportedAndTheDeviceKeepsWorking() throws Exception {
        MemoryDevice device = io.open("memory:size=1m");
        AtomicReference<Throwable> reported = new AtomicReference<>();
        device.interruptThread().setUncaughtExceptionHandler((t, e) -> reported.set(e));
        Bio bio = new Bio().set(BioOp.WRITE, 0, 0, io.pattern(4096, 7), 0, 4096, b -> {
            throw new IllegalStateException("callback defect");
        }, null);

        device.submit(bio);

        Io.eventually().until(() -> reported.get() != null);
        assertThat(reported.get()).hasMessage("callback defect");
        assertThat(Io.write(device, 4096, io.pattern(4096, 8))).isZero();
        assertThat(io.readBytes(device, 0, 4096)).isEqualTo(Io.bytes(io.pattern(4096, 7)));
    }
}
