package io.jiomap.tck.observe;

import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioEndIo;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.api.block.FilterBlockDevice;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tap between the engine's block layer and the device under test. It forwards every bio unchanged and
 * <ul>
 *   <li>records it at submission ({@link BioRecord}) and at its end ({@link BioCompletion}), in order;</li>
 *   <li>tracks which device blocks a write completed on and which of those are durable, by the {@link BlockDevice}
 *       durability rule (no volatile cache, FUA, or a later flush), so a test can check docs/design-rules.md,
 *       "Rule 5" on any device;</li>
 *   <li>can hold the next bios instead of forwarding them, until the test releases each one (it then reaches the
 *       device, which completes it its own way) or fails it with an errno. This makes "the bio is still in flight"
 *       deterministic on every device, which a device that completes on its own thread cannot promise.</li>
 * </ul>
 * Completion is observed by swapping the bio's end callback for the tap's and restoring it before the original
 * runs, as the kernel's bio chaining does; the engine sees no difference.
 */
public final class TappedDevice extends FilterBlockDevice {
    private static final int CHUNK_BLOCKS = 1 << 20;
    /** The write-completion index of a block whose last write failed: no flush ever covers it. */
    private static final long FAILED_WRITE = Long.MAX_VALUE;
    private final Object lock = new Object();
    private final List<BioRecord> submitted = new ArrayList<>();
    private final List<BioCompletion> completed = new ArrayList<>();
    private final List<Watch> held = new ArrayList<>();
    /** Lbs-sized device blocks whose last completed write is not durable yet, with that write's completion index. */
    private final Map<Long, Long> volatileBlocks = new HashMap<>();
    /** Lbs-sized device blocks a write ever completed on, in chunks of {@link #CHUNK_BLOCKS} blocks. */
    private final Map<Long, BitSet> writtenBlocks = new HashMap<>();
    /** The same for writes submitted since the last {@link #clearRecords()}. */
    private final Map<Long, BitSet> writtenSinceClear = new HashMap<>();
    private long writeCompletions;
    private long nextSeq;
    /**
     * Bios numbered below this were submitted before the last {@link #clearRecords()}: their ends are not
     * recorded, or a late end of an arranging write would count as an end of the bios a test issues next.
     */
    private long firstSeqSinceClear;
    private int holdBudget;

    /** Taps {@code device}; the bios it forwards are the engine's own, so polling goes through unchanged. */
    public TappedDevice(BlockDevice device) {
        super(device, Polling.FORWARDED);
    }

    @Override
    public void submit(Bio bio) {
        Watch w = new Watch(bio, bio.endIo(), bio.owner());
        bio.setEndIo(w, bio.owner());
        boolean hold;
        synchronized (lock) {
            w.record = BioRecord.of(nextSeq++, bio);
            submitted.add(w.record);
            if (bio.op() == BioOp.FLUSH) {
                w.flushCovers = writeCompletions;
            }
            hold = holdBudget > 0;
            if (hold) {
                holdBudget--;
                held.add(w);
                lock.notifyAll();
            }
        }
        if (!hold) {
            in.submit(bio);
        }
    }

    /** Closes the device, then hands it every bio still held here: a closed device must fail them (ENODEV). */
    @Override
    public void close() {
        in.close();
        synchronized (lock) {
            holdBudget = 0;
        }
        releaseAll();
    }

    // ---- holding ----

    /** Holds the next {@code count} bios submitted (of any kind) instead of forwarding them. */
    public void holdNext(int count) {
        synchronized (lock) {
            holdBudget += count;
        }
    }

    /** Bios held now, oldest first. */
    public List<BioRecord> held() {
        synchronized (lock) {
            List<BioRecord> r = new ArrayList<>(held.size());
            for (Watch w : held) {
                r.add(w.record);
            }
            return r;
        }
    }

    public int heldCount() {
        synchronized (lock) {
            return held.size();
        }
    }

    /** Forwards the held bio at {@code index} (0 = oldest) to the device, on the calling thread. */
    public void release(int index) {
        Watch w;
        synchronized (lock) {
            w = held.remove(index);
        }
        in.submit(w.bio);
    }

    /** Forwards every held bio, oldest first, and stops holding bios not yet submitted. */
    public void releaseAll() {
        synchronized (lock) {
            holdBudget = 0;
        }
        while (true) {
            Watch w;
            synchronized (lock) {
                if (held.isEmpty()) {
                    return;
                }
                w = held.removeFirst();
            }
            in.submit(w.bio);
        }
    }

    /** Ends the held bio at {@code index} with {@code errno} without it reaching the device (a failed command). */
    public void fail(int index, int errno) {
        Watch w;
        synchronized (lock) {
            w = held.remove(index);
        }
        w.bio.complete(Math.abs(errno));
    }

    // ---- records ----

    /** Every bio submitted since the last {@link #clearRecords()}, in submission order. */
    public List<BioRecord> bios() {
        synchronized (lock) {
            return List.copyOf(submitted);
        }
    }

    /** Every bio end seen since the last {@link #clearRecords()}, in completion order. */
    public List<BioCompletion> completions() {
        synchronized (lock) {
            return List.copyOf(completed);
        }
    }

    /** How many bios have ended (their engine callback has returned). */
    public int completedCount() {
        synchronized (lock) {
            return completed.size();
        }
    }

    /** Forgets the records and which blocks were written since (not the held bios, not the durability state). */
    public void clearRecords() {
        synchronized (lock) {
            submitted.clear();
            completed.clear();
            writtenSinceClear.clear();
            firstSeqSinceClear = nextSeq;
        }
    }

    // ---- durability ----

    /**
     * Whether every lbs-sized block of {@code [address, address + length)} holds a completed write that is durable:
     * its last write completed without error and went to a device without a volatile cache, was FUA, or was
     * followed by a completed flush submitted after it completed. A block no write ever completed on is not
     * durable: there is nothing of the caller's there ({@link #notDurable} says which blocks and why).
     */
    public boolean isDurable(long address, long length) {
        return notDurable(address, length).isEmpty();
    }

    /** The blocks of the range that {@link #isDurable} refuses, each with why; empty when it is durable. */
    public String notDurable(long address, long length) {
        int lbs = capabilities().logicalBlockSize();
        StringBuilder why = new StringBuilder();
        synchronized (lock) {
            for (long b = address / lbs; b * lbs < address + length; b++) {
                Long index = volatileBlocks.get(b);
                String reason = index != null && index == FAILED_WRITE ? "its last write failed"
                        : !isSet(writtenBlocks, b) ? "never written"
                        : index == null ? null : "in the write cache (no flush since)";
                if (reason != null) {
                    why.append(why.isEmpty() ? "" : ", ").append("block ").append(b * lbs).append(": ")
                            .append(reason);
                }
            }
        }
        return why.toString();
    }

    /**
     * The lbs-sized blocks of the range that no write submitted since the last {@link #clearRecords()} completed on
     * without error, as a list of their addresses; empty when such writes cover the whole range.
     */
    public List<Long> notWrittenSinceClear(long address, long length) {
        int lbs = capabilities().logicalBlockSize();
        List<Long> missing = new ArrayList<>();
        synchronized (lock) {
            for (long b = address / lbs; b * lbs < address + length; b++) {
                if (!isSet(writtenSinceClear, b)) {
                    missing.add(b * lbs);
                }
            }
        }
        return missing;
    }

    private static boolean isSet(Map<Long, BitSet> blocks, long block) {
        BitSet chunk = blocks.get(block / CHUNK_BLOCKS);
        return chunk != null && chunk.get((int) (block % CHUNK_BLOCKS));
    }

    private static void set(Map<Long, BitSet> blocks, long block) {
        blocks.computeIfAbsent(block / CHUNK_BLOCKS, c -> new BitSet()).set((int) (block % CHUNK_BLOCKS));
    }

    private void onEnd(Watch w, int status) {
        BioRecord r = w.record;
        int lbs = capabilities().logicalBlockSize();
        synchronized (lock) {
            // A discard changes the content of its range like a write, and is as durable as one.
            boolean changes = r.op() == BioOp.WRITE || r.op() == BioOp.DISCARD;
            if (status != 0) {
                if (changes) {
                    for (long b = r.address() / lbs; b * lbs < r.end(); b++) {
                        volatileBlocks.put(b, FAILED_WRITE);
                    }
                }
                return;
            }
            if (changes) {
                long index = ++writeCompletions;
                DeviceCapabilities caps = capabilities();
                boolean stable = !caps.volatileWriteCache() || (r.fua() && caps.fua());
                for (long b = r.address() / lbs; b * lbs < r.end(); b++) {
                    set(writtenBlocks, b);
                    if (r.seq() >= firstSeqSinceClear) {
                        set(writtenSinceClear, b);
                    }
                    if (stable) {
                        volatileBlocks.remove(b);
                    } else {
                        volatileBlocks.put(b, index);
                    }
                }
            } else if (r.op() == BioOp.FLUSH) {
                long covers = w.flushCovers;
                volatileBlocks.values().removeIf(index -> index <= covers);
            }
        }
    }

    /** The tap's end callback for one submitted bio. */
    private final class Watch implements BioEndIo {
        final Bio bio;
        final BioEndIo originalEnd;
        final Object originalOwner;
        BioRecord record;
        /** For a flush: the writes completed before it was submitted, which it makes durable. */
        long flushCovers;

        Watch(Bio bio, BioEndIo originalEnd, Object originalOwner) {
            this.bio = bio;
            this.originalEnd = originalEnd;
            this.originalOwner = originalOwner;
        }

        @Override
        public void endIo(Bio b) {
            int status = b.status();
            b.setEndIo(originalEnd, originalOwner);
            onEnd(this, status);
            String thread = Thread.currentThread().getName();
            // After this call the submitter owns the bio again and may reuse it: read nothing from it afterwards.
            originalEnd.endIo(b);
            synchronized (lock) {
                if (record.seq() >= firstSeqSinceClear) {
                    completed.add(new BioCompletion(record.seq(), status, thread));
                }
                lock.notifyAll();
            }
        }
    }

    @Override
    public String toString() {
        return "tap(" + in.name() + ")";
    }
}
