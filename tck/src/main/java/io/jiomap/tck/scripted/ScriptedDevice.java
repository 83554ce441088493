package io.jiomap.tck.scripted;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.tck.HoldingDevice;
import io.jiomap.tck.observe.BioRecord;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A block device for contract tests: configurable capabilities, a record of every bio in submission order, data
 * kept in a sparse map of 4 KiB pages, and a completion policy the test chooses (and may change at any time):
 * <ul>
 *   <li>{@link Completion#SUBMITTER}: the bio completes inside {@link #submit}, like null_blk with irqmode=0
 *       (docs/dio-contract.md, "TV4");</li>
 *   <li>{@link Completion#THREAD}: a completion thread ends bios in submission order, an asynchronous
 *       "interrupt" (the default);</li>
 *   <li>{@link Completion#HELD}: bios wait until the test {@link #release releases} them one by one, completing on
 *       the releasing thread, or {@link #fail fails} one with an errno (docs/dio-contract.md, "TV31"), which keeps I/O
 *       in flight for exactly as long as a test needs.</li>
 * </ul>
 * With {@link Builder#polling polling} on, a {@link Bio#POLLED} bio goes to a poll queue instead, whatever the
 * policy, and completes only when someone {@link #poll polls}, on the polling thread (docs/dio-contract.md, "TV23"),
 * or, when nobody has polled for 200 ms, late on the completion thread, so a drain never waits forever; with polling
 * off the device clears POLLED and completes the bio by its policy, as a device without poll queues does.
 * Bios out of range end with EIO, misaligned or oversized ones with EINVAL, ones whose memory the device cannot
 * use (a closed arena, memory confined to another thread) with EFAULT, any bio after {@link #close} with ENODEV,
 * and close fails every held or queued bio with ENODEV, so nothing is ever left hanging. Data moves when a bio
 * completes successfully (a failed write changes nothing).
 *
 * <p>This is a test device, not the hot path: it allocates and locks per bio.
 */
public final class ScriptedDevice implements HoldingDevice {
    /** Where and when bios complete. */
    public enum Completion {
        SUBMITTER, THREAD, HELD
    }

    private static final int PAGE = 4096;
    /**
     * How long polled bios wait unreaped before the completion thread reaps them itself (docs/design-rules.md,
     * "Rule 1").
     */
    private static final long MISSED_POLL_NANOS = 200_000_000L;

    private final String name;
    private final DeviceCapabilities caps;
    private final Object lock = new Object();
    private final List<BioRecord> records = new ArrayList<>();
    private final List<Pending> held = new ArrayList<>();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final ArrayDeque<Pending> polled = new ArrayDeque<>();
    /** When a poll last reaped something, or the poll queue last became non-empty; guarded by the lock. */
    private long lastPollProgress;
    private final Map<Long, byte[]> pages = new HashMap<>();
    private final Thread completer;
    private Completion completion;
    private long nextSeq;
    private volatile boolean closed;

    private record Pending(Bio bio, BioRecord record) {
    }

    private ScriptedDevice(Builder b) {
        this.name = b.name;
        this.caps = new DeviceCapabilities(b.logicalBlockSize, Math.max(b.physicalBlockSize, b.logicalBlockSize),
                b.capacityBytes, b.maxTransferBytes, b.dmaAlignment, 1, b.queueDepth, b.volatileWriteCache, b.fua,
                b.polling);
        this.completion = b.completion;
        this.completer = new Thread(this::completeQueued, "scripted-device/" + name + "-irq");
        completer.setDaemon(true);
        completer.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DeviceCapabilities capabilities() {
        return caps;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /** Changes the policy for bios submitted from now on; bios already held stay held until released. */
    public void setCompletion(Completion c) {
        synchronized (lock) {
            completion = c;
        }
    }

    public Completion completion() {
        synchronized (lock) {
            return completion;
        }
    }

    @Override
    public void submit(Bio bio) {
        Completion c;
        int refused;
        synchronized (lock) {
            BioRecord r = BioRecord.of(nextSeq++, bio);
            records.add(r);
            refused = closed ? Errno.ENODEV : check(bio);
            c = completion;
            if (bio.hasFlag(Bio.POLLED)) {
                if (refused == 0 && caps.polling()) {
                    bio.setPollQueue(this, 0);
                    if (polled.isEmpty()) {
                        lastPollProgress = System.nanoTime();
                        // The completion thread times the late reaping (completeQueued).
                        lock.notifyAll();
                    }
                    polled.add(new Pending(bio, r));
                    return;
                }
                bio.setFlags(bio.flags() & ~Bio.POLLED);
            }
            if (refused == 0 && c != Completion.SUBMITTER) {
                (c == Completion.HELD ? held : queue).add(new Pending(bio, r));
                lock.notifyAll();
                return;
            }
        }
        finish(bio, refused);
    }

    /**
     * EINVAL for misaligned or oversized, EIO for out of range (the BlockDevice contract), EOPNOTSUPP for a discard
     * (a scripted device reports no discard support), else 0.
     */
    private int check(Bio bio) {
        if (bio.op() == BioOp.FLUSH) {
            return 0;
        }
        if (bio.op() == BioOp.DISCARD) {
            return Errno.EOPNOTSUPP;
        }
        int lbs = caps.logicalBlockSize();
        long address = bio.address();
        int length = bio.length();
        if (length <= 0 || address % lbs != 0 || length % lbs != 0 || length > caps.maxTransferBytes()
                || (bio.segment().address() + bio.segmentOffset()) % caps.dmaAlignment() != 0) {
            return Errno.EINVAL;
        }
        if (address < 0 || address + length > caps.capacityBytes()) {
            return Errno.EIO;
        }
        return 0;
    }

    private void finish(Bio bio, int errno) {
        int status = errno;
        if (status == 0) {
            try {
                transfer(bio);
            } catch (RuntimeException unusableMemory) {
                // A closed arena, memory confined to another thread, a range outside the segment: the bio fails
                // like a DMA fault instead of killing the completion thread and leaving every later bio hanging.
                status = Errno.EFAULT;
            }
        }
        bio.complete(status);
    }

    private void completeQueued() {
        while (true) {
            Pending p;
            List<Pending> missed = null;
            synchronized (lock) {
                while (queue.isEmpty() && !closed) {
                    long wait = polled.isEmpty() ? 0 : lastPollProgress + MISSED_POLL_NANOS - System.nanoTime();
                    if (!polled.isEmpty() && wait <= 0) {
                        // Nobody polled for a whole period: reap here, late, so a drain waiting for a polled bio
                        // ends (the NVMe timeout handler's missed-interrupt check).
                        missed = new ArrayList<>(polled);
                        polled.clear();
                        break;
                    }
                    try {
                        if (wait > 0) {
                            lock.wait(Math.max(1, wait / 1_000_000));
                        } else {
                            lock.wait();
                        }
                    } catch (InterruptedException e) {
                        // Only close() ends this thread: bios may still be queued.
                    }
                }
                p = missed == null ? queue.poll() : null;
                if (p == null && missed == null) {
                    return;
                }
            }
            if (missed != null) {
                for (Pending m : missed) {
                    finish(m.bio, 0);
                }
                continue;
            }
            finish(p.bio, closed ? Errno.ENODEV : 0);
        }
    }

    /** Completes every polled bio waiting, on the calling thread; never blocks (nothing else would complete them). */
    @Override
    public int poll(Bio bio, int flags) {
        int n = 0;
        while (true) {
            Pending p;
            synchronized (lock) {
                p = polled.poll();
                if (p != null) {
                    lastPollProgress = System.nanoTime();
                }
            }
            if (p == null) {
                return n;
            }
            finish(p.bio, 0);
            n++;
        }
    }

    /** Polled bios waiting for a poll. */
    public int polledCount() {
        synchronized (lock) {
            return polled.size();
        }
    }

    // ---- held bios ----

    @Override
    public int heldCount() {
        synchronized (lock) {
            return held.size();
        }
    }

    /** The held bios, oldest first. */
    public List<BioRecord> held() {
        synchronized (lock) {
            return held.stream().map(Pending::record).toList();
        }
    }

    /** Completes the held bio at {@code index} (0 = oldest) successfully, on the calling thread. */
    @Override
    public void release(int index) {
        Pending p;
        synchronized (lock) {
            p = held.remove(index);
        }
        finish(p.bio, 0);
    }

    /** Completes the oldest held bio successfully. */
    public void releaseNext() {
        release(0);
    }

    /** Completes every held bio successfully, oldest first. */
    public void releaseAll() {
        while (true) {
            Pending p;
            synchronized (lock) {
                if (held.isEmpty()) {
                    return;
                }
                p = held.removeFirst();
            }
            finish(p.bio, 0);
        }
    }

    /** Fails the held bio at {@code index} with {@code errno}, on the calling thread; its data is not moved. */
    @Override
    public void fail(int index, int errno) {
        Pending p;
        synchronized (lock) {
            p = held.remove(index);
        }
        finish(p.bio, Math.abs(errno));
    }

    /** Switches to {@link Completion#THREAD} and completes every held bio. */
    @Override
    public void stopHolding() {
        setCompletion(Completion.THREAD);
        releaseAll();
    }

    // ---- records and data ----

    /** Every bio submitted since the last {@link #clearRecords()}, in submission order, refused ones included. */
    public List<BioRecord> bios() {
        synchronized (lock) {
            return List.copyOf(records);
        }
    }

    public void clearRecords() {
        synchronized (lock) {
            records.clear();
        }
    }

    /** A copy of the stored bytes {@code [address, address + length)}; never-written bytes read as zero. */
    public byte[] data(long address, int length) {
        byte[] out = new byte[length];
        synchronized (pages) {
            for (int done = 0; done < length; ) {
                long a = address + done;
                int inPage = (int) (a % PAGE);
                int n = Math.min(PAGE - inPage, length - done);
                byte[] page = pages.get(a / PAGE);
                if (page != null) {
                    System.arraycopy(page, inPage, out, done, n);
                }
                done += n;
            }
        }
        return out;
    }

    private void transfer(Bio bio) {
        if (bio.op() == BioOp.FLUSH) {
            return;
        }
        MemorySegment seg = bio.segment();
        long segOff = bio.segmentOffset();
        int length = bio.length();
        boolean write = bio.op() == BioOp.WRITE;
        synchronized (pages) {
            for (int done = 0; done < length; ) {
                long a = bio.address() + done;
                int inPage = (int) (a % PAGE);
                int n = Math.min(PAGE - inPage, length - done);
                if (write) {
                    byte[] page = pages.computeIfAbsent(a / PAGE, k -> new byte[PAGE]);
                    MemorySegment.copy(seg, segOff + done, MemorySegment.ofArray(page), inPage, n);
                } else {
                    byte[] page = pages.get(a / PAGE);
                    if (page == null) {
                        seg.asSlice(segOff + done, n).fill((byte) 0);
                    } else {
                        MemorySegment.copy(MemorySegment.ofArray(page), inPage, seg, segOff + done, n);
                    }
                }
                done += n;
            }
        }
    }

    /**
     * Stops the device: later bios end with ENODEV, held and polled bios end with ENODEV now (on this thread), queued
     * ones with ENODEV on the completion thread, which this waits for.
     */
    @Override
    public void close() {
        List<Pending> failing;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            failing = new ArrayList<>(held);
            failing.addAll(polled);
            held.clear();
            polled.clear();
            lock.notifyAll();
        }
        for (Pending p : failing) {
            finish(p.bio, Errno.ENODEV);
        }
        if (Thread.currentThread() != completer) {
            boolean interrupted = false;
            while (completer.isAlive()) {
                try {
                    completer.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "scripted device " + name + " " + caps;
    }

    /** The geometry and behaviour of a {@link ScriptedDevice}; defaults: 64 MiB, 512 B sectors, WC and FUA. */
    public static final class Builder {
        private String name = "scripted0";
        private long capacityBytes = 64L << 20;
        private int logicalBlockSize = 512;
        private int physicalBlockSize = 4096;
        private int maxTransferBytes = 1 << 20;
        private int dmaAlignment = 512;
        private int queueDepth = 1024;
        private boolean volatileWriteCache = true;
        private boolean fua = true;
        private Completion completion = Completion.THREAD;
        private boolean polling;

        public Builder name(String n) {
            name = n;
            return this;
        }

        public Builder capacity(long bytes) {
            capacityBytes = bytes;
            return this;
        }

        public Builder logicalBlockSize(int bytes) {
            logicalBlockSize = bytes;
            return this;
        }

        public Builder physicalBlockSize(int bytes) {
            physicalBlockSize = bytes;
            return this;
        }

        public Builder maxTransfer(int bytes) {
            maxTransferBytes = bytes;
            return this;
        }

        public Builder dmaAlignment(int bytes) {
            dmaAlignment = bytes;
            return this;
        }

        public Builder queueDepth(int depth) {
            queueDepth = depth;
            return this;
        }

        public Builder volatileWriteCache(boolean on) {
            volatileWriteCache = on;
            return this;
        }

        public Builder fua(boolean on) {
            fua = on;
            return this;
        }

        /** Whether POLLED bios go to a poll queue that only {@link ScriptedDevice#poll} reaps (default off). */
        public Builder polling(boolean on) {
            polling = on;
            return this;
        }

        public Builder completion(Completion c) {
            completion = c;
            return this;
        }

        public ScriptedDevice build() {
            return new ScriptedDevice(this);
        }
    }
}
