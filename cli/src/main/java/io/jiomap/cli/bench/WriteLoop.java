package io.jiomap.cli.bench;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DioCounters;
import io.jiomap.cli.jfr.BenchPointEvent;
import io.jiomap.cli.jfr.IoSampleEvent;
import io.jiomap.cli.measure.CpuClock;
import io.jiomap.cli.measure.Latency;
import io.jiomap.cli.measure.Xorshift;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.core.ring.CqeConsumer;
import io.jiomap.core.ring.IoRing;
import java.lang.foreign.MemorySegment;
import org.HdrHistogram.Histogram;

/**
 * The seed's job on one thread: keep QD random block-sized writes in flight on an {@link IoRing} for a fixed time,
 * the way fio's io_uring engine does with {@code --rw=randwrite --norandommap --iodepth=QD}.
 *
 * <p>Every mode runs exactly this code: the same ring size, one registered buffer per slot, the same batching (refill
 * every free slot, submit once, wait for one completion, reap all), the same clock reads. Only the ring's
 * {@link CompletionMode} differs (docs/design-rules.md, "Rule 2"). Nothing is allocated per write: offsets come from a
 * xorshift generator, latencies go into a preallocated histogram, and this object is the CQE consumer. Each point is also a
 * flight-recorder event ({@link BenchPointEvent}); with a sample rate, one measured write in N is one more
 * ({@link IoSampleEvent}), and without one the only cost is a comparison per write.
 */
final class WriteLoop implements CqeConsumer {
    private final OpenFile file;
    private final Mount mount;
    private final int blockSize;
    private final long regionBlocks;
    private final Xorshift random;
    private final Histogram latency = Latency.newHistogram();
    /** Record one measured write in this many as an {@link IoSampleEvent}; 0: none. */
    private final int sampleEvery;
    private int untilSample;
    private String modeName;
    private int qd;

    private IoRing ring;
    private MemorySegment buffers;
    private long[] submitNanos;
    private long[] slotOffset;
    private int[] free;
    private int freeCount;
    private long reapNanos;
    private boolean recording;
    private long ios;
    private boolean failed;
    private long failedResult;
    private long failedOffset;

    WriteLoop(OpenFile file, int blockSize, long regionBytes, long seed, int sampleEvery) {
        this.file = file;
        this.mount = file.mount();
        this.blockSize = blockSize;
        this.regionBlocks = regionBytes / blockSize;
        this.random = new Xorshift(seed);
        if (sampleEvery < 0) {
            throw new IllegalArgumentException("--jfr-sample must be 0 (off) or positive, got " + sampleEvery);
        }
        this.sampleEvery = sampleEvery;
        this.untilSample = sampleEvery;
    }

    /** Measures one point on a fresh ring created on (and owned by) the calling thread. */
    PointResult measure(int qd, CompletionMode mode, int round, long warmupNanos, long runtimeNanos)
            throws JiomapException {
        try (IoRing r = IoRing.create(BenchConfig.ringEntries(qd), mode)) {
            ring = r;
            modeName = mode.cliName();
            this.qd = qd;
            buffers = r.allocateBuffer((long) qd * blockSize, 4096);
            // Non-zero data, so no layer can take a shortcut on zero pages.
            buffers.fill((byte) 0x5a);
            submitNanos = new long[qd];
            slotOffset = new long[qd];
            free = new int[qd];
            for (int i = 0; i < qd; i++) {
                free[i] = i;
            }
            freeCount = qd;
            failed = false;

            recording = false;
            drive(warmupNanos);
            checkFailure();

            latency.reset();
            ios = 0;
            recording = true;
            DioCounters counters0 = mount.counters();
            BenchPointEvent event = new BenchPointEvent();
            event.begin();
            long issuerSleeps0 = r.sleeps();
            long workqueueSleeps0 = mount.workqueueSleeps();
            long process0 = CpuClock.processCpuNanos();
            long thread0 = CpuClock.threadCpuNanos();
            long start = System.nanoTime();
            drive(runtimeNanos);
            long elapsed = reapNanos - start;
            long thread1 = CpuClock.threadCpuNanos();
            long process1 = CpuClock.processCpuNanos();
            long issuerSleeps = r.sleeps() - issuerSleeps0;
            long workqueueSleeps = mount.workqueueSleeps() - workqueueSleeps0;
            event.end();
            DioCounters counters1 = mount.counters();
            checkFailure();
            PointResult point = new PointResult(qd, mode, round, ios, elapsed, process1 - process0,
                    thread1 - thread0, latency.copy(), counters1.minus(counters0), issuerSleeps, workqueueSleeps);
            commit(event, point);
            return point;
        } finally {
            ring = null;
            buffers = null;
        }
    }

    private void commit(BenchPointEvent e, PointResult p) {
        if (!e.shouldCommit()) {
            return;
        }
        e.mode = modeName;
        e.qd = p.qd();
        e.round = p.round() + 1;
        e.ios = p.ios();
        e.iops = p.iops();
        e.bytesPerSecond = (long) (p.iops() * blockSize);
        e.processCpuPerIo = p.ios() == 0 ? 0 : p.processCpuNanos() / p.ios();
        e.threadCpuPerIo = p.ios() == 0 ? 0 : p.threadCpuNanos() / p.ios();
        e.p50 = p.latency().getValueAtPercentile(50);
        e.p99 = p.latency().getValueAtPercentile(99);
        e.callerCompletions = p.counters().caller();
        e.workqueueCompletions = p.counters().workqueue();
        e.inlineCompletions = p.counters().irq();
        e.commit();
    }

    /** Keeps every slot busy until the deadline, then drains: the hot loop. */
    private void drive(long durationNanos) {
        long now = System.nanoTime();
        long deadline = now + durationNanos;
        while (true) {
            while (freeCount > 0) {
                int slot = free[--freeCount];
                long pos = random.nextBelow(regionBlocks) * blockSize;
                slotOffset[slot] = pos;
                submitNanos[slot] = now;
                ring.prepWrite(file, buffers, (long) slot * blockSize, blockSize, pos, 0, slot);
            }
            ring.submit();
            ring.waitCompletions(1);
            reapNanos = System.nanoTime();
            ring.reap(this);
            if (failed || reapNanos - deadline >= 0) {
                break;
            }
            now = reapNanos;
        }
        while (ring.inFlight() > 0) {
            ring.waitCompletions(ring.inFlight());
            reapNanos = System.nanoTime();
            ring.reap(this);
        }
    }

    @Override
    public void accept(long userData, long result) {
        int slot = (int) userData;
        if (result != blockSize && !failed) {
            failed = true;
            failedResult = result;
            failedOffset = slotOffset[slot];
        }
        if (recording) {
            Latency.record(latency, reapNanos - submitNanos[slot]);
            ios++;
            if (sampleEvery != 0 && --untilSample == 0) {
                untilSample = sampleEvery;
                sample(slot, result);
            }
        }
        free[freeCount++] = slot;
    }

    private void sample(int slot, long result) {
        IoSampleEvent e = new IoSampleEvent();
        if (e.shouldCommit()) {
            e.mode = modeName;
            e.qd = qd;
            e.offset = slotOffset[slot];
            e.length = blockSize;
            e.result = result;
            e.latency = reapNanos - submitNanos[slot];
            e.commit();
        }
    }

    private void checkFailure() throws JiomapException {
        if (!failed) {
            return;
        }
        if (failedResult >= 0) {
            throw new JiomapException(Errno.EIO, "write at " + failedOffset + " of " + file.path()
                    + " was short (" + failedResult + " bytes): the benchmark needs every write of " + blockSize
                    + " bytes to complete whole");
        }
        throw file.failure((int) -failedResult, "pwrite", buffers, 0, blockSize, failedOffset);
    }
}
