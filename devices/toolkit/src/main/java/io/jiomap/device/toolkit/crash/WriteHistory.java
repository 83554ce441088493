package io.jiomap.device.toolkit.crash;

import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.device.toolkit.record.Event;
import io.jiomap.device.toolkit.record.Recording;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A recording analysed once for crash-state generation: per write (numbered in submit order) its completion and the
 * sequence number from which it is durable, the barriers, the marks. Immutable and shared by every state.
 *
 * <p>Durability follows the device contract (docs/crash-consistency.md, "Durability"): a completed write is durable at
 * completion on a device without a volatile cache, or when it carried FUA on a device that honours FUA; otherwise once
 * a flush submitted after its completion has completed. A write's PREFLUSH is a flush submitted with it, which has
 * completed when the write has.
 */
final class WriteHistory {
    static final long NEVER = Long.MAX_VALUE;

    final Recording recording;
    final int blockSize;
    final long endSeq;
    final Event.WriteSubmit[] writes;
    final long[] completeSeq;
    final int[] status;
    /** The sequence number from which each write is durable, or {@link #NEVER}. */
    final long[] durableSeq;
    /** Whether a write can be applied at all: data recorded, aligned and inside the device. */
    final boolean[] applicable;
    /** Write numbers in the order their data is applied to an image: completion order, unfinished writes last. */
    final int[] applyOrder;
    /** The sequence numbers of the barriers, ascending. */
    final long[] barriers;
    final List<Event.Mark> marks;

    WriteHistory(Recording recording) {
        this.recording = recording;
        DeviceCapabilities caps = recording.capabilities();
        this.blockSize = caps.logicalBlockSize();
        List<Event> events = recording.events();
        this.endSeq = events.size() - 1;
        List<Event.WriteSubmit> writeList = recording.writes();
        int count = writeList.size();
        this.writes = writeList.toArray(Event.WriteSubmit[]::new);
        this.completeSeq = new long[count];
        this.status = new int[count];
        Arrays.fill(completeSeq, NEVER);
        Arrays.fill(status, -1);
        int[] writeAt = new int[events.size()];
        for (int w = 0; w < count; w++) {
            writeAt[(int) writes[w].seq()] = w;
        }
        List<long[]> flushes = new ArrayList<>();
        List<Long> barrierList = new ArrayList<>();
        for (Event event : events) {
            switch (event) {
                case Event.WriteComplete done -> {
                    int w = writeAt[(int) done.writeSeq()];
                    completeSeq[w] = done.seq();
                    status[w] = done.status();
                    Event.WriteSubmit write = writes[w];
                    if (done.status() == 0) {
                        if (write.preflush()) {
                            flushes.add(new long[] {write.seq(), done.seq()});
                        }
                        if (durableAtCompletion(write, caps) || write.preflush()) {
                            barrierList.add(done.seq());
                        }
                    }
                }
                case Event.FlushSubmit ignored -> { }
                case Event.FlushComplete done -> {
                    if (done.status() == 0) {
                        flushes.add(new long[] {done.flushSeq(), done.seq()});
                        barrierList.add(done.seq());
                    }
                }
                case Event.WriteSubmit ignored -> { }
                case Event.Mark ignored -> { }
            }
        }
        this.barriers = barrierList.stream().mapToLong(Long::longValue).sorted().toArray();
        this.marks = recording.marks();
        this.durableSeq = durableSeqs(flushes, caps);
        this.applicable = new boolean[count];
        long capacity = caps.capacityBytes();
        for (int w = 0; w < count; w++) {
            Event.WriteSubmit write = writes[w];
            applicable[w] = write.length() > 0 && write.payload().hasData()
                    && write.payload().length() == write.length()
                    && write.address() >= 0 && write.address() <= capacity - write.length()
                    && write.address() % blockSize == 0 && write.length() % blockSize == 0;
        }
        this.applyOrder = IntStream.range(0, count).boxed()
                .sorted(Comparator.<Integer>comparingLong(w -> completeSeq[w]).thenComparingLong(w -> writes[w].seq()))
                .mapToInt(Integer::intValue).toArray();
    }

    private static boolean durableAtCompletion(Event.WriteSubmit write, DeviceCapabilities caps) {
        return !caps.volatileWriteCache() || (caps.fua() && write.fua());
    }

    private long[] durableSeqs(List<long[]> flushes, DeviceCapabilities caps) {
        // Flushes by submission; suffixMin[i] = the earliest completion among flushes i.. (submitted no earlier).
        flushes.sort(Comparator.comparingLong(f -> f[0]));
        int n = flushes.size();
        long[] submitted = new long[n];
        long[] suffixMin = new long[n + 1];
        suffixMin[n] = NEVER;
        for (int i = n - 1; i >= 0; i--) {
            submitted[i] = flushes.get(i)[0];
            suffixMin[i] = Math.min(flushes.get(i)[1], suffixMin[i + 1]);
        }
        long[] result = new long[writes.length];
        for (int w = 0; w < writes.length; w++) {
            if (status[w] != 0) {
                result[w] = NEVER;
            } else if (durableAtCompletion(writes[w], caps)) {
                result[w] = completeSeq[w];
            } else {
                int first = firstAfter(submitted, completeSeq[w]);
                result[w] = suffixMin[first];
            }
        }
        return result;
    }

    /** The index of the first value greater than {@code key} in ascending {@code values}. */
    private static int firstAfter(long[] values, long key) {
        int lo = 0;
        int hi = values.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (values[mid] <= key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    int writeCount() {
        return writes.length;
    }

    /** D(t): the writes durable at {@code t}. */
    BitSet durableAt(long t) {
        BitSet set = new BitSet(writes.length);
        for (int w = 0; w < writes.length; w++) {
            if (applicable[w] && durableSeq[w] <= t) {
                set.set(w);
            }
        }
        return set;
    }

    /** The writes that completed successfully at or before {@code t}. */
    BitSet completedAt(long t) {
        BitSet set = new BitSet(writes.length);
        for (int w = 0; w < writes.length; w++) {
            if (applicable[w] && status[w] == 0 && completeSeq[w] <= t) {
                set.set(w);
            }
        }
        return set;
    }

    /** O(t): the writes submitted at or before {@code t} that are not durable at {@code t}. */
    BitSet optionalAt(long t) {
        BitSet set = new BitSet(writes.length);
        for (int w = 0; w < writes.length; w++) {
            if (applicable[w] && writes[w].seq() <= t && durableSeq[w] > t) {
                set.set(w);
            }
        }
        return set;
    }
}
