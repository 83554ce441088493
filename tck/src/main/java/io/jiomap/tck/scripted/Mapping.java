package io.jiomap.tck.scripted;

import io.jiomap.api.Errno;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapOps;
import io.jiomap.api.iomap.IomapType;

/**
 * What the scripted filesystem's {@code iomap_begin} reports for a scripted file range: exactly this, nothing
 * inferred. Immutable; the {@code with...} methods return changed copies.
 *
 * @param type                 the mapping type reported
 * @param flags                {@link Iomap} flags reported (NEW, DIRTY, SHARED, ...)
 * @param addressShift         added to the device address, which is otherwise the file offset (plus the inode's
 *                             base address)
 * @param srcType              the copy-on-write source mapping's type, reported in {@code srcmap} at the same
 *                             address; HOLE for none
 * @param beginErrno           a positive errno {@code iomap_begin} returns instead of a mapping, or 0
 * @param errnoOnlyUnderNowait whether {@code beginErrno} is returned only for {@link IomapOps#NOWAIT} calls
 * @param maxLength            when positive, the mapping starts at the asked position and is at most this long,
 *                             so one request needs several mappings
 * @param allocateAs           for a HOLE: the type a write allocates (reported with {@link Iomap#F_NEW}, and
 *                             -EAGAIN under NOWAIT, as XFS does); null for a hole a write must not reach
 */
public record Mapping(IomapType type, int flags, long addressShift, IomapType srcType, int beginErrno,
                      boolean errnoOnlyUnderNowait, long maxLength, IomapType allocateAs) {

    public Mapping {
        if (type == null || srcType == null) {
            throw new IllegalArgumentException("a mapping needs a type");
        }
        if (beginErrno < 0 || maxLength < 0) {
            throw new IllegalArgumentException("errno and max length are positive: " + beginErrno + ", " + maxLength);
        }
        if (allocateAs != null && type != IomapType.HOLE) {
            throw new IllegalArgumentException("only a HOLE allocates on write, not " + type);
        }
    }

    /** Written blocks. */
    public static Mapping mapped() {
        return new Mapping(IomapType.MAPPED, 0, 0, IomapType.HOLE, 0, false, 0, null);
    }

    /** Allocated blocks that read as zeros until end_io converts them. */
    public static Mapping unwritten() {
        return mapped().withType(IomapType.UNWRITTEN);
    }

    /** No blocks, and a direct write reaching it is a filesystem bug (the engine fails it with EIO). */
    public static Mapping hole() {
        return mapped().withType(IomapType.HOLE);
    }

    /** No blocks; a write allocates blocks of {@code type} and reports them NEW (EAGAIN under NOWAIT). */
    public static Mapping holeAllocatingAs(IomapType type) {
        Mapping h = hole();
        return new Mapping(h.type, h.flags, h.addressShift, h.srcType, h.beginErrno, h.errnoOnlyUnderNowait,
                h.maxLength, type);
    }

    /** A buffered-write reservation (the engine fails direct I/O on it with EIO). */
    public static Mapping delalloc() {
        return mapped().withType(IomapType.DELALLOC);
    }

    /** Data in the inode. */
    public static Mapping inline() {
        return mapped().withType(IomapType.INLINE);
    }

    /** Reports {@code -Errno.ENOTBLK}: "do the rest buffered" (ext4 on an indirect-block file). */
    public static Mapping bufferedFallback() {
        return mapped().failingBegin(Errno.ENOTBLK);
    }

    public Mapping withType(IomapType t) {
        return new Mapping(t, flags, addressShift, srcType, beginErrno, errnoOnlyUnderNowait, maxLength,
                t == IomapType.HOLE ? allocateAs : null);
    }

    public Mapping withFlags(int f) {
        return new Mapping(type, f, addressShift, srcType, beginErrno, errnoOnlyUnderNowait, maxLength, allocateAs);
    }

    public Mapping withoutFlags(int f) {
        return withFlags(flags & ~f);
    }

    public Mapping shiftedBy(long shift) {
        return new Mapping(type, flags, shift, srcType, beginErrno, errnoOnlyUnderNowait, maxLength, allocateAs);
    }

    /** Reports a copy-on-write source of this type in {@code srcmap}. */
    public Mapping withSrcmap(IomapType src) {
        return new Mapping(type, flags, addressShift, src, beginErrno, errnoOnlyUnderNowait, maxLength, allocateAs);
    }

    /** {@code iomap_begin} returns {@code -errno} for this range. */
    public Mapping failingBegin(int errno) {
        return new Mapping(type, flags, addressShift, srcType, Math.abs(errno), false, maxLength, allocateAs);
    }

    /** {@code iomap_begin} returns {@code -errno} for this range when called with NOWAIT. */
    public Mapping failingBeginUnderNowait(int errno) {
        return new Mapping(type, flags, addressShift, srcType, Math.abs(errno), true, maxLength, allocateAs);
    }

    /** Mappings of this range start at the asked position and are at most {@code length} long. */
    public Mapping limitedTo(long length) {
        return new Mapping(type, flags, addressShift, srcType, beginErrno, errnoOnlyUnderNowait, length, allocateAs);
    }

    public boolean hasFlag(int f) {
        return (flags & f) != 0;
    }

    /** Whether the range has blocks on the device (so a device address). */
    public boolean hasBlocks() {
        return type == IomapType.MAPPED || type == IomapType.UNWRITTEN;
    }
}
