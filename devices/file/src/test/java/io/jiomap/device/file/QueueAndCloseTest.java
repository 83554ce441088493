package io.jiomap.device.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioEndIo;
import io.jiomap.api.block.BioOp;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Back-pressure, NOWAIT and close, on both engines. "Still in flight" never depends on timing: a completion callback
 * that blocks on a latch holds the engine's completion thread(s), so nothing else completes until the test releases
 * it (a real callback must not block; this one does so on purpose). io_uring submitters still enter the kernel
 * themselves meanwhile, but only the ring thread reaps, so their bios keep their slots.
 */
class QueueAndCloseTest {
    private static final int DEPTH = 4;
    private final Io io = new Io();
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch blockedCallbacks = new CountDownLatch(1);

    @AfterEach
    void cleanUp() {
        release.countDown();
        io.close();
    }

    /** Blocks the completion thread it runs on until the test releases it. */
    private final BioEndIo blocking = bio -> {
        blockedCallbacks.countDown();
        try {
            release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    };

    /**
     * Opens a device and stalls every one of its completion threads in a blocking callback, so the queue fills.
     * The threads engine has one worker per slot here (DEPTH threads), so it needs DEPTH stalled callbacks.
     */
    private FileDevice stalledDevice(String engine, MemorySegment buffer) throws Exception {
        Engines.assumeAvailable(engine);
        FileDevice device = io.open("disk.img", "engine=" + engine + ",size=1m,queue-depth=" + DEPTH);
        int stallers = device.threads().size();
        CountDownLatch entered = new CountDownLatch(stallers);
        for (int i = 0; i < stallers; i++) {
            Bio bio = new Bio();
            bio.set(BioOp.WRITE, 0, 4096L * i, buffer, 0, 4096, b -> {
                entered.countDown();
                blocking.endIo(b);
            }, null);
            device.submit(bio);
        }
        assertThat(entered.await(10, TimeUnit.SECONDS)).as("every completion thread is stalled").isTrue();
        return device;
    }

    @ParameterizedTest
    @MethodSource("io.jiomap.device.file.Engines#both")
    void fullQueueMakesNowaitFailWithEagainAndOthersWaitForASlot(String engine) throws Exception {
        MemorySegment buffer = io.pattern(4096, 1);
        FileDevice device = stalledDevice(engine, buffer);
        // With the completion threads stalled nothing leaves the device: NOWAIT bios are accepted until it is full
        // (the queue, plus the ring's slots where io_uring submitters enter the kernel themselves), then refused.
        int capacity = engine.equals("io_uring") ? 2 * DEPTH : DEPTH;
        List<Io.Probe> accepted = new ArrayList<>();
        Io.Probe refused = null;
        for (int i = 0; i <= capacity && refused == null; i++) {
            Io.Probe p = new Io.Probe();
            p.bio.set(BioOp.WRITE, Bio.NOWAIT, 65536 + 4096L * i, buffer, 0, 4096, p, null);
            device.submit(p.bio);
            if (p.isDone()) {
                refused = p;
            } else {
                accepted.add(p);
            }
        }
        assertThat(accepted).as("bios the stalled device holds").hasSize(capacity);
        assertThat(refused).as("the NOWAIT bio after them").isNotNull();
        assertThat(refused.awaitStatus()).isEqualTo(Errno.EAGAIN);

        Io.Probe waiting = new Io.Probe();
        waiting.bio.set(BioOp.WRITE, 0, 0, buffer, 0, 4096, waiting, null);
        Thread submitter = Thread.ofPlatform().start(() -> device.submit(waiting.bio));
        assertThat(submitter.join(java.time.Duration.ofMillis(50))).as("submitter waits for a slot").isFalse();
        assertThat(waiting.isDone()).isFalse();

        release.countDown();
        assertThat(waiting.awaitStatus()).isZero();
        for (Io.Probe p : accepted) {
            assertThat(p.awaitStatus()).isZero();
        }
        Io.eventually().until(() -> !submitter.isAlive());
    }

    @ParameterizedTest
    @MethodSource("io.jiomap.device.file.Engines#both")
    void closeWithIoInFlightEndsEveryBioAndLeavesNoThreadRunning(String engine) throws Exception {
        MemorySegment buffer = io.pattern(4096, 2);
        FileDevice device = stalledDevice(engine, buffer);
        List<Io.Probe> queued = new ArrayList<>();
        for (int i = 0; i < DEPTH; i++) {
            Io.Probe p = new Io.Probe();
            p.bio.set(BioOp.WRITE, 0, 65536 + 4096L * i, buffer, 0, 4096, p, null);
            device.submit(p.bio);
            queued.add(p);
        }

        Thread closer = Thread.ofPlatform().start(device::close);
        Io.eventually().until(device::isClosed);
        release.countDown();
        Io.eventually().until(() -> !closer.isAlive());

        for (Io.Probe p : queued) {
            // Each ends exactly once: ENODEV if the close came first, 0 if the kernel already had it.
            assertThat(p.awaitStatus()).isIn(0, Errno.ENODEV);
        }
        for (Thread t : device.threads()) {
            assertThat(t.isAlive()).as("%s", t.getName()).isFalse();
        }
        assertThat(Io.submitAndAwait(device, BioOp.WRITE, 0, 0, buffer, 0, 4096)).isEqualTo(Errno.ENODEV);
    }

    @ParameterizedTest
    @MethodSource("io.jiomap.device.file.Engines#both")
    void closeUnderLoadFromManySubmittersEndsEveryBioExactlyOnce(String engine) throws Exception {
        Engines.assumeAvailable(engine);
        FileDevice device = io.open("disk.img", "engine=" + engine + ",size=4m,queue-depth=8");
        MemorySegment buffer = io.pattern(4096, 3);
        int perThread = 200;
        List<Io.Probe> all = new ArrayList<>();
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            List<Io.Probe> mine = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                mine.add(new Io.Probe());
            }
            all.addAll(mine);
            int base = t * perThread;
            submitters.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perThread; i++) {
                    Io.Probe p = mine.get(i);
                    p.bio.set(BioOp.WRITE, 0, 4096L * (base + i) % (4 << 20), buffer, 0, 4096, p, null);
                    device.submit(p.bio);
                }
            }));
        }
        Io.eventually().until(() -> all.stream().anyMatch(Io.Probe::isDone));

        device.close();

        for (Thread t : submitters) {
            Io.eventually().until(() -> !t.isAlive());
        }
        for (Io.Probe p : all) {
            assertThat(p.awaitStatus()).isIn(0, Errno.ENODEV);
        }
        for (Thread t : device.threads()) {
            assertThat(t.isAlive()).as("%s", t.getName()).isFalse();
        }
    }

    @ParameterizedTest
    @MethodSource("io.jiomap.device.file.Engines#both")
    void closeFromACompletionCallbackDoesNotDeadlock(String engine) throws Exception {
        Engines.assumeAvailable(engine);
        FileDevice device = io.open("disk.img", "engine=" + engine + ",size=1m");
        MemorySegment buffer = io.pattern(4096, 4);
        Io.Probe after = new Io.Probe();
        Bio bio = new Bio();
        CountDownLatch closedInCallback = new CountDownLatch(1);
        bio.set(BioOp.WRITE, 0, 0, buffer, 0, 4096, b -> {
            device.close();
            closedInCallback.countDown();
        }, null);

        device.submit(bio);

        assertThat(closedInCallback.await(10, TimeUnit.SECONDS)).isTrue();
        for (Thread t : device.threads()) {
            Io.eventually().until(() -> !t.isAlive());
        }
        after.bio.set(BioOp.WRITE, 0, 0, buffer, 0, 4096, after, null);
        device.submit(after.bio);
        assertThat(after.awaitStatus()).isEqualTo(Errno.ENODEV);
    }
}
