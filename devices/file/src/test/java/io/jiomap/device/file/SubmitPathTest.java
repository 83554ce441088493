package io.jiomap.device.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The io_uring engine's submit path: a submitter that finds the ring free enters the kernel itself, others go
 * through the queue to the ring thread, and the two paths mix freely under concurrent submitters.
 */
class SubmitPathTest {
    private static final int BLOCK = 4096;
    private final Io io = new Io();

    @AfterEach
    void cleanUp() {
        io.close();
    }

    @Test
    void fourThreadsSubmittingAtOnceAllCompleteWithTheirOwnData() throws Exception {
        Engines.assumeAvailable("io_uring");
        // A shallow ring, so submitters contend for the lock, run out of slots and fill the queue too.
        FileDevice device = io.open("disk.img", "engine=io_uring,size=8m,queue-depth=8");
        int threads = 4;
        int perThread = 300;
        int bufferBlocks = 64;
        MemorySegment[] sources = new MemorySegment[threads];
        List<Io.Probe> all = new ArrayList<>();
        List<Thread> submitters = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            // Every block of every thread's buffer differs, so data from the wrong thread or block shows.
            sources[t] = io.pattern((long) BLOCK * bufferBlocks, t + 1);
            MemorySegment source = sources[t];
            long base = (long) t * perThread * BLOCK;
            List<Io.Probe> mine = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                mine.add(new Io.Probe());
            }
            all.addAll(mine);
            submitters.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    Io.Probe p = mine.get(i);
                    p.bio.set(BioOp.WRITE, 0, base + (long) i * BLOCK, source, (long) (i % bufferBlocks) * BLOCK,
                            BLOCK, p, null);
                    device.submit(p.bio);
                }
            }));
        }

        go.countDown();

        for (Thread t : submitters) {
            Io.eventually().until(() -> !t.isAlive());
        }
        for (Io.Probe p : all) {
            assertThat(p.awaitStatus()).as("%s", p.bio).isZero();
        }
        for (int t = 0; t < threads; t++) {
            byte[] source = Io.bytes(sources[t]);
            for (int i = 0; i < perThread; i++) {
                int from = (i % bufferBlocks) * BLOCK;
                assertThat(io.readBytes(device, ((long) t * perThread + i) * BLOCK, BLOCK))
                        .as("thread %d, block %d", t, i)
                        .isEqualTo(Arrays.copyOfRange(source, from, from + BLOCK));
            }
        }
    }

    @Test
    void aSubmitterReachesTheKernelWhileTheRingThreadIsBusyCompleting() throws Exception {
        Engines.assumeAvailable("io_uring");
        FileDevice device = io.open("disk.img", "engine=io_uring,size=1m");
        MemorySegment first = io.pattern(BLOCK, 1);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Bio stalling = new Bio();
        stalling.set(BioOp.WRITE, 0, 0, first, 0, BLOCK, b -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, null);
        device.submit(stalling);
        assertThat(entered.await(10, TimeUnit.SECONDS)).as("the ring thread is in the callback").isTrue();

        try {
            MemorySegment second = io.pattern(BLOCK, 2);
            Io.Probe probe = new Io.Probe();
            probe.bio.set(BioOp.WRITE, 0, 8 * BLOCK, second, 0, BLOCK, probe, null);
            device.submit(probe.bio);

            // Through the queue the write would wait for the stalled ring thread; entered by the submitter, the
            // kernel writes it now.
            byte[] expected = Io.bytes(second);
            try (FileChannel ch = FileChannel.open(device.path(), StandardOpenOption.READ)) {
                Io.eventually().until(() -> {
                    ByteBuffer b = ByteBuffer.allocate(BLOCK);
                    ch.read(b, 8L * BLOCK);
                    return Arrays.equals(b.array(), expected);
                });
            }
            release.countDown();
            assertThat(probe.awaitStatus()).isZero();
            assertThat(probe.thread()).as("completions run on the ring thread").isSameAs(device.threads().getFirst());
        } finally {
            release.countDown();
        }
        assertThat(io.readBytes(device, 0, BLOCK)).isEqualTo(first.toArray(ValueLayout.JAVA_BYTE));
    }
}
