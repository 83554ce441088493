package io.jiomap.device.toolkit.record;

import io.jiomap.api.block.Bio;

/**
 * One entry of a {@link Recording}. Every event carries its place in the device's single global sequence
 * ({@link #seq()}, from 0), so submit order, completion order and how they interleave with flushes and marks are all
 * kept (dm-log-writes keeps only completion order).
 */
public sealed interface Event {
    /** The event's position in the global sequence. */
    long seq();

    /**
     * A write was submitted; it is identified by this event's {@code seq} from now on.
     *
     * @param flags   the bio's flags; {@link Bio#FUA} and {@link Bio#PREFLUSH} matter for durability
     * @param payload the data submitted, or only its CRC32C
     */
    record WriteSubmit(long seq, long address, int length, int flags, Payload payload) implements Event {
        public boolean fua() {
            return (flags & Bio.FUA) != 0;
        }

        public boolean preflush() {
            return (flags & Bio.PREFLUSH) != 0;
        }

        /** Device bytes {@code [address, address + length)}. */
        public long end() {
            return address + length;
        }
    }

    /**
     * The write submitted at {@code writeSeq} completed.
     *
     * @param status 0 or the positive errno it ended with
     */
    record WriteComplete(long seq, long writeSeq, int status) implements Event {
    }

    /** A cache flush was submitted; it is identified by this event's {@code seq}. */
    record FlushSubmit(long seq, int flags) implements Event {
    }

    /**
     * The flush submitted at {@code flushSeq} completed.
     *
     * @param status 0 or the positive errno it ended with
     */
    record FlushComplete(long seq, long flushSeq, int status) implements Event {
    }

    /**
     * A persistence point the workload declared with {@link RecordingDevice#mark}: an fsync, fdatasync or O_DSYNC
     * write had returned, so what it promised must survive a crash from here on.
     */
    record Mark(long seq, String label) implements Event {
    }
}
