package io.jiomap.tck.observe;

import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One bio as it was submitted to a device, copied out at submission (bios are reused, so a reference would change
 * under the test's feet).
 *
 * @param seq      submission order on this device, from 0
 * @param op       read, write or flush
 * @param flags    the {@link Bio} flags as the device got them (FUA, PREFLUSH, SYNC, IDLE, ...)
 * @param address  device byte address
 * @param length   bytes
 * @param allZeros for a write: whether the whole payload was zero bytes, which is how the engine's sub-block zeroing
 *                 bios are told apart from data (the contract's data patterns never contain a zero byte)
 * @param thread   the submitting thread's name
 */
public record BioRecord(long seq, BioOp op, int flags, long address, int length, boolean allZeros, String thread) {

    /** Copies what matters of {@code bio} now. */
    public static BioRecord of(long seq, Bio bio) {
        boolean zeros = bio.op() == BioOp.WRITE && isAllZeros(bio.segment(), bio.segmentOffset(), bio.length());
        return new BioRecord(seq, bio.op(), bio.flags(), bio.address(), bio.length(), zeros,
                Thread.currentThread().getName());
    }

    static boolean isAllZeros(MemorySegment segment, long offset, int length) {
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES) {
            if (segment.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + i) != 0) {
                return false;
            }
        }
        for (; i < length; i++) {
            if (segment.get(ValueLayout.JAVA_BYTE, offset + i) != 0) {
                return false;
            }
        }
        return true;
    }

    public boolean isWrite() {
        return op == BioOp.WRITE;
    }

    public boolean isRead() {
        return op == BioOp.READ;
    }

    public boolean isFlush() {
        return op == BioOp.FLUSH;
    }

    /** A discard: its range's content is no longer needed. */
    public boolean isDiscard() {
        return op == BioOp.DISCARD;
    }

    /** A write carrying data (not an all-zero sub-block zeroing write). */
    public boolean isDataWrite() {
        return op == BioOp.WRITE && !allZeros;
    }

    /** A zeroing write: all-zero payload. */
    public boolean isZeroWrite() {
        return op == BioOp.WRITE && allZeros;
    }

    public boolean fua() {
        return (flags & Bio.FUA) != 0;
    }

    public boolean preflush() {
        return (flags & Bio.PREFLUSH) != 0;
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    /** Device byte just past the bio. */
    public long end() {
        return address + length;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append('#').append(seq).append(' ').append(op);
        if (op != BioOp.FLUSH) {
            sb.append(" [").append(address).append(", ").append(end()).append(')');
        }
        if (fua()) sb.append(" FUA");
        if (preflush()) sb.append(" PREFLUSH");
        if (hasFlag(Bio.SYNC)) sb.append(" SYNC");
        if (hasFlag(Bio.IDLE)) sb.append(" IDLE");
        if (hasFlag(Bio.POLLED)) sb.append(" POLLED");
        if (allZeros) sb.append(" zeros");
        return sb.toString();
    }
}
