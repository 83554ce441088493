package io.jiomap.cli.fio;

import io.jiomap.api.Errno;
import io.jiomap.cli.measure.CpuClock;
import io.jiomap.cli.measure.Xorshift;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.core.ring.CqeConsumer;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * One job thread (one numjobs clone): fio's do_io loop over an {@link IoEngine}. Fill every free slot (fsync/fdatasync
 * when due, else a read or write by the mix, at a sequential or random offset), commit, wait for one completion, reap
 * all; until the runtime is over or the region's bytes are done, then drain. The loop allocates nothing: slot state is
 * in arrays, offsets come from xorshift or a full-period LCG, this object is the CQE consumer. The logs, when asked
 * for, fill preallocated chunks ({@link FioLog}) and are written by the runner after every job ended.
 *
 * <p>With verify, two writes to one block are never in flight together (the second waits), because the device may
 * complete them in either order and the per-block sequence number could then not say which one the block holds.
 */
final class JobWorker implements CqeConsumer, Runnable {
    /** Multiplier and increment of a full-period LCG modulo any power of two (Hull-Dobell). */
    private static final long LCG_A = 6364136223846793005L;
    private static final long LCG_C = 1442695040888963407L;

    private final JobSpec spec;
    private final Mount mount;
    private final OpenFile file;
    private final long regionStart;
    private final long blocks;
    private final int blockSize;
    private final int depth;
    private final VerifyHook hook;
    private final Phases phases;
    final JobResult result;
    final JobProgress progress;

    private final Xorshift offsets;
    private final Xorshift mix;
    private final int readPercent;
    private final int[] free;
    private int freeCount;
    private final int[] slotOp;
    private final boolean[] slotBusy;
    private final long[] slotOffset;
    private final long[] slotSeq;
    private final long[] issueNanos;
    private final long[] submitNanos;
    private final int[] batch;

    private IoEngine engine;
    private boolean completesInQueue;
    private long reapNanos;
    private long sequentialBlock;
    private long lcgState;
    private final long lcgMask;
    private long bytesIssued;
    private long writesIssued;
    private int syncDue = -1;
    private long deferredWrite = -1;

    final JobLogs logs;
    private final RateSampler iopsSampler;
    private final RateSampler bwSampler;
    private long startNanos;

    private final BlockVerifier verifier;
    private final long[] lastSeq;
    private MemorySegment[] slotBuffers;
    private ByteBuffer[] views;
    private long seq;

    /** The job issues nothing more (runtime over, region done or failed); it ends once nothing is pending. */
    private boolean stop;
    private boolean failed;
    private int failedOp;
    private long failedOffset;
    private long failedResult;

    /**
     * How the job threads and the runner take turns: every thread counts down {@code loopsDone} when its I/O is over
     * (or it failed), and verifies only once the runner opened {@code verifyGate}.
     */
    record Phases(CountDownLatch loopsDone, CountDownLatch verifyGate) {
    }

    JobWorker(JobSpec spec, int clone, Mount mount, OpenFile file, long regionStart, long regionBytes,
              VerifyHook hook, Phases phases) {
        this.spec = spec;
        this.mount = mount;
        this.file = file;
        this.regionStart = regionStart;
        this.blockSize = spec.blockSize();
        this.blocks = regionBytes / blockSize;
        this.depth = spec.depth();
        this.hook = hook;
        this.phases = phases;
        this.result = new JobResult(spec, 1);
        this.progress = JobProgress.of(spec, blocks * blockSize);
        long seed = spec.randseed() + clone;
        this.offsets = new Xorshift(seed);
        this.mix = new Xorshift(~seed);
        this.readPercent = spec.readPercent();
        this.free = new int[depth];
        for (int i = 0; i < depth; i++) {
            free[i] = depth - 1 - i;
        }
        this.freeCount = depth;
        this.slotOp = new int[depth];
        this.slotBusy = new boolean[depth];
        this.slotOffset = new long[depth];
        this.slotSeq = new long[depth];
        this.issueNanos = new long[depth];
        this.submitNanos = new long[depth];
        this.batch = new int[depth];
        this.lcgMask = blocks <= 1 ? 0 : (Long.highestOneBit(blocks - 1) << 1) - 1;
        this.lcgState = offsets.nextLong() & lcgMask;
        this.logs = JobLogs.of(spec);
        boolean averaged = spec.logAvgMsec() > 0;
        FioLog iopsLog = logs != null && averaged ? logs.iops : null;
        FioLog bwLog = logs != null && averaged ? logs.bw : null;
        this.iopsSampler = new RateSampler(false, iopsLog != null ? spec.logAvgMsec()
                : RateSampler.DEFAULT_INTERVAL_MS, iopsLog, blockSize);
        this.bwSampler = new RateSampler(true, bwLog != null ? spec.logAvgMsec() : RateSampler.DEFAULT_INTERVAL_MS,
                bwLog, blockSize);
        this.verifier = spec.verify() ? new BlockVerifier(blockSize, spec.randseed()) : null;
        this.lastSeq = spec.verify() ? new long[(int) blocks] : null;
    }

    @Override
    public void run() {
        try {
            try {
                runLoop();
            } finally {
                phases.loopsDone().countDown();
            }
            if (verifier != null && !failed) {
                // The runner reads the completion counters between the job I/O and the verify reads.
                phases.verifyGate().await();
                progress.verifying();
                verify();
            }
        } catch (Throwable t) {
            // Reported by the runner with its stack trace: a job thread must not die silently.
            result.crash = t;
            if (result.error == 0) {
                result.error = Errno.EIO;
                result.errorMessage = "job '" + spec.name() + "' failed: " + t;
            }
        } finally {
            progress.ended(result.fioError() != 0);
        }
    }

    private void runLoop() {
        try (IoEngine e = openEngine()) {
            engine = e;
            completesInQueue = e.completesInQueue();
            if (verifier != null) {
                slotBuffers = new MemorySegment[depth];
                views = new ByteBuffer[depth];
                for (int i = 0; i < depth; i++) {
                    slotBuffers[i] = e.buffers().asSlice((long) i * blockSize, blockSize);
                    views[i] = verifier.view(slotBuffers[i]);
                }
            }
            long user0 = CpuClock.threadUserNanos();
            long cpu0 = CpuClock.threadCpuNanos();
            long start = System.nanoTime();
            startNanos = start;
            progress.started(start);
            iopsSampler.start(start);
            bwSampler.start(start);
            if (spec.verifyOnly()) {
                replayWrites();
            } else {
                loop(start);
            }
            result.runtimeNanos = System.nanoTime() - start;
            if (logs != null) {
                logs.finish(result.runtimeNanos / 1_000_000);
            }
            long cpu1 = CpuClock.threadCpuNanos();
            long user1 = CpuClock.threadUserNanos();
            result.userCpuNanos = user1 - user0;
            result.systemCpuNanos = Math.max(0, (cpu1 - cpu0) - (user1 - user0));
            if (failed) {
                recordFailure();
            }
        }
    }

    private IoEngine openEngine() {
        return switch (spec.engine()) {
            case IO_URING -> new RingEngine(file, depth, blockSize, spec.completion(), spec.hipri());
            case NULL -> new NullEngine(depth, blockSize);
            case PSYNC, SYNC, PVSYNC -> new BlockingEngine(file, blockSize);
        };
    }

    private void loop(long start) {
        boolean hasDeadline = spec.runtimeNanos() > 0;
        long deadline = start + spec.runtimeNanos();
        long ioLimit = blocks * blockSize;
        // One call per round rather than one loop that never returns: the JIT compiles a method after a few thousand
        // calls, while a running loop stays interpreted until on-stack replacement, tens of thousands of rounds on.
        while (round(start, hasDeadline, deadline, ioLimit)) {
            // The round did the work.
        }
    }

    /**
     * One round of the job: fill the free slots, commit, wait for a completion and reap.
     *
     * @return false once the job is over and nothing is pending
     */
    private boolean round(long start, boolean hasDeadline, long deadline, long ioLimit) {
        long now = System.nanoTime();
        iopsSampler.poll(now, start, result.read, result.write);
        bwSampler.poll(now, start, result.read, result.write);
        if (failed || (hasDeadline && now - deadline >= 0)) {
            stop = true;
        }
        int queued = 0;
        while (!stop && freeCount > 0) {
            int op;
            long pos;
            if (syncDue >= 0) {
                op = syncDue;
                pos = 0;
                syncDue = -1;
            } else if (deferredWrite >= 0) {
                if (writeInFlight(deferredWrite)) {
                    break;
                }
                op = IoEngine.OP_WRITE;
                pos = deferredWrite;
                deferredWrite = -1;
            } else {
                if (!spec.timeBased() && bytesIssued >= ioLimit) {
                    stop = true;
                    break;
                }
                op = readPercent == 100 || (readPercent > 0 && mix.nextBelow(100) < readPercent)
                        ? IoEngine.OP_READ : IoEngine.OP_WRITE;
                pos = regionStart + nextBlock() * blockSize;
                bytesIssued += blockSize;
                if (op == IoEngine.OP_WRITE && verifier != null && writeInFlight(pos)) {
                    deferredWrite = pos;
                    break;
                }
            }
            int slot = free[--freeCount];
            slotOp[slot] = op;
            slotOffset[slot] = pos;
            slotBusy[slot] = true;
            issueNanos[slot] = now;
            if (op == IoEngine.OP_WRITE) {
                prepareWrite(slot, pos);
            }
            engine.queue(op, slot, pos);
            batch[queued++] = slot;
        }
        if (queued > 0) {
            engine.commit();
            long t = System.nanoTime();
            for (int i = 0; i < queued; i++) {
                submitNanos[batch[i]] = t;
            }
        }
        if (engine.pending() == 0) {
            return !stop;
        }
        engine.await(1);
        reapNanos = System.nanoTime();
        engine.reap(this);
        progress.publish(result.read.ios, result.read.bytes, result.write.ios, result.write.bytes);
        return true;
    }

    private void prepareWrite(int slot, long pos) {
        writesIssued++;
        if (verifier != null) {
            slotSeq[slot] = ++seq;
            verifier.fill(slotBuffers[slot], views[slot], pos, seq);
        }
        if (spec.fsyncEvery() > 0 && writesIssued % spec.fsyncEvery() == 0) {
            syncDue = IoEngine.OP_FSYNC;
        } else if (spec.fdatasyncEvery() > 0 && writesIssued % spec.fdatasyncEvery() == 0) {
            syncDue = IoEngine.OP_FDATASYNC;
        }
    }

    /**
     * verify_only: the offsets and sequence numbers the job's writes had, drawn exactly as {@link #round} draws them
     * (the read/write mix, then the block), with no I/O; a block's last write is the one its verify read expects.
     */
    private void replayWrites() {
        for (long b = 0; b < blocks; b++) {
            boolean read = readPercent == 100 || (readPercent > 0 && mix.nextBelow(100) < readPercent);
            long block = nextBlock();
            if (!read) {
                lastSeq[(int) block] = ++seq;
            }
        }
    }

    /** The next block: sequential, independent random (norandommap), or a random permutation of the region. */
    private long nextBlock() {
        if (!spec.rw().random) {
            long b = sequentialBlock;
            sequentialBlock = b + 1 == blocks ? 0 : b + 1;
            return b;
        }
        if (spec.norandommap()) {
            return offsets.nextBelow(blocks);
        }
        // A full-period LCG modulo the next power of two visits every value once per period; values past the region
        // are skipped, so each pass covers every block exactly once (fio's random map, without the bitmap).
        long x = lcgState;
        do {
            x = (x * LCG_A + LCG_C) & lcgMask;
        } while (x >= blocks);
        lcgState = x;
        return x;
    }

    private boolean writeInFlight(long pos) {
        for (int i = 0; i < depth; i++) {
            if (slotBusy[i] && slotOp[i] == IoEngine.OP_WRITE && slotOffset[i] == pos) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void accept(long userData, long res) {
        int slot = (int) userData;
        int op = slotOp[slot];
        slotBusy[slot] = false;
        free[freeCount++] = slot;
        if (res < 0) {
            if (!failed) {
                failed = true;
                failedOp = op;
                failedOffset = slotOffset[slot];
                failedResult = res;
            }
            return;
        }
        long lat = reapNanos - issueNanos[slot];
        if (op >= IoEngine.OP_FSYNC) {
            result.sync.record(lat);
            return;
        }
        DirectionStats d = op == IoEngine.OP_READ ? result.read : result.write;
        d.ios++;
        d.bytes += res;
        if (res != blockSize) {
            d.shortIos++;
        }
        long clat = completesInQueue ? lat : reapNanos - submitNanos[slot];
        long slat = completesInQueue ? -1 : submitNanos[slot] - issueNanos[slot];
        if (slat >= 0) {
            d.slat.record(slat);
        }
        d.clat.record(clat);
        d.lat.record(lat);
        result.latency.record(clat);
        if (logs != null) {
            logs.completed((reapNanos - startNanos) / 1_000_000, (submitNanos[slot] - startNanos) / 1_000_000, op,
                    res, slotOffset[slot], slat, clat, lat);
        }
        if (op == IoEngine.OP_WRITE && lastSeq != null && res == blockSize) {
            lastSeq[(int) ((slotOffset[slot] - regionStart) / blockSize)] = slotSeq[slot];
        }
    }

    /** fio's io_u error: the errno, and OpenFile's message saying what was wrong (e.g. which alignment). */
    private void recordFailure() {
        int errno = (int) -failedResult;
        String what = switch (failedOp) {
            case IoEngine.OP_READ -> "read";
            case IoEngine.OP_WRITE -> "write";
            case IoEngine.OP_FSYNC -> "fsync";
            default -> "fdatasync";
        };
        String detail;
        if (failedOp <= IoEngine.OP_WRITE) {
            detail = file.failure(errno, failedOp == IoEngine.OP_READ ? "pread" : "pwrite", engine.buffers(), 0,
                    blockSize, failedOffset).getMessage();
        } else {
            detail = Errno.name(errno) + ": " + what + " " + file.path() + ": " + Errno.describe(errno);
        }
        result.error = errno;
        result.errorMessage = String.format(Locale.ROOT, "io_u error on file %s: %s: %s offset=%d, buflen=%d",
                file.path(), detail, what, failedOffset, failedOp <= IoEngine.OP_WRITE ? blockSize : 0);
    }

    /** Reads back every block this job wrote and checks it (verify=crc32c). */
    private void verify() throws Exception {
        hook.beforeVerify(mount, new VerifyHook.VerifyTarget(spec.name(), file.path(), regionStart, blockSize,
                lastSeq.clone()));
        result.verified = true;
        try (BlockingEngine reader = new BlockingEngine(file, blockSize)) {
            MemorySegment buffer = reader.buffers();
            ByteBuffer view = verifier.view(buffer);
            long[] readResult = new long[1];
            CqeConsumer capture = (slot, res) -> readResult[0] = res;
            for (int b = 0; b < blocks; b++) {
                long expected = lastSeq[b];
                if (expected == 0) {
                    continue;
                }
                long pos = regionStart + (long) b * blockSize;
                reader.queue(IoEngine.OP_READ, 0, pos);
                reader.reap(capture);
                String problem;
                if (readResult[0] < 0) {
                    problem = file.failure((int) -readResult[0], "pread", buffer, 0, blockSize, pos).getMessage();
                } else if (readResult[0] != blockSize) {
                    problem = "short read of " + readResult[0] + " bytes";
                } else {
                    problem = verifier.check(buffer, view, pos, expected);
                }
                result.verifiedBlocks++;
                if (problem != null) {
                    result.verifyErrors++;
                    if (result.firstVerifyError == null) {
                        result.firstVerifyError = "verify failed in job '" + spec.name() + "' at offset " + pos
                                + " of " + file.path() + ": " + problem;
                    }
                }
            }
        }
    }
}
