package io.jiomap.tck.observe;

import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapOps;
import io.jiomap.api.iomap.IomapType;

/**
 * One call of a filesystem's {@code iomap_begin} or {@code iomap_end}, with the mapping as it was after the call.
 *
 * @param begin        true for {@code begin}, false for {@code end}
 * @param ino          the inode
 * @param pos          the file position asked for
 * @param length       the length asked for
 * @param iomapFlags   {@link IomapOps} flags (WRITE, DIRECT, NOWAIT, OVERWRITE_ONLY, ...)
 * @param written      for {@code end}: bytes processed in the mapping; -1 for {@code begin}
 * @param result       what the call returned (0 or a negative errno)
 * @param type         the mapping's type
 * @param mapFlags     the mapping's {@link Iomap} flags (NEW, DIRTY, SHARED, ...)
 * @param mapOffset    the mapping's file offset
 * @param mapLength    the mapping's length
 * @param mapAddress   the mapping's device address, or {@link Iomap#NULL_ADDRESS}
 * @param srcType      the copy-on-write source mapping's type (HOLE when unused)
 * @param thread       the calling thread's name
 */
public record IomapCall(boolean begin, long ino, long pos, long length, int iomapFlags, long written, int result,
                        IomapType type, int mapFlags, long mapOffset, long mapLength, long mapAddress,
                        IomapType srcType, String thread) {

    /** Snapshot of a {@code begin} call. */
    public static IomapCall ofBegin(long ino, long pos, long length, int flags, int result, Iomap iomap,
                                    Iomap srcmap) {
        return new IomapCall(true, ino, pos, length, flags, -1, result, iomap.type(), iomap.flags(), iomap.offset(),
                iomap.length(), iomap.address(), srcmap == null ? IomapType.HOLE : srcmap.type(),
                Thread.currentThread().getName());
    }

    /** Snapshot of an {@code end} call. */
    public static IomapCall ofEnd(long ino, long pos, long length, long written, int flags, int result,
                                  Iomap iomap) {
        return new IomapCall(false, ino, pos, length, flags, written, result, iomap.type(), iomap.flags(),
                iomap.offset(), iomap.length(), iomap.address(), IomapType.HOLE, Thread.currentThread().getName());
    }

    public boolean hasMapFlag(int flag) {
        return (mapFlags & flag) != 0;
    }

    public boolean hasIomapFlag(int flag) {
        return (iomapFlags & flag) != 0;
    }

    /** Whether the mapping covers file position {@code p}. */
    public boolean covers(long p) {
        return p >= mapOffset && p < mapOffset + mapLength;
    }

    /** Device address of file position {@code p} inside the mapping. */
    public long addressOf(long p) {
        return mapAddress + (p - mapOffset);
    }

    @Override
    public String toString() {
        return (begin ? "begin" : "end") + "(ino " + ino + ", " + pos + "+" + length
                + (begin ? "" : ", written " + written) + ") = " + result + " -> " + type + "[" + mapOffset + "+"
                + mapLength + (mapAddress == Iomap.NULL_ADDRESS ? "" : " @" + mapAddress) + " flags " + mapFlags
                + "]";
    }
}
