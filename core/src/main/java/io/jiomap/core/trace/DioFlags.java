package io.jiomap.core.trace;

import io.jiomap.api.iomap.DioOps;

/**
 * The flags of one direct I/O as the engine tracks them (the kernel's {@code dio->flags}), published to
 * {@link DioTrace} so tests and tools can see the decisions the contract describes (docs/dio-contract.md,
 * "The dio and its flags").
 */
public final class DioFlags {
    /** Part of the write went to unwritten extents (passed to end_io). */
    public static final int UNWRITTEN = DioOps.UNWRITTEN;
    /** Part of the write went to copy-on-write extents (passed to end_io). */
    public static final int COW = DioOps.COW;
    /** jiomap: the Linux 6.19 rule, a pure overwrite may complete in the device context (cleared like COMP_WORK). */
    public static final int IRQ_COMP = 1 << 25;
    /** The completion is handed back to the issuer (IOMAP_DIO_CALLER_COMP). */
    public static final int CALLER_COMP = 1 << 26;
    /** The completion runs in the device completion context: reads (IOMAP_DIO_INLINE_COMP). */
    public static final int INLINE_COMP = 1 << 27;
    /** O_DSYNC may be satisfied by FUA on every data bio (IOMAP_DIO_WRITE_THROUGH). */
    public static final int WRITE_THROUGH = 1 << 28;
    /** Completion must call the filesystem's fsync (IOMAP_DIO_NEED_SYNC). */
    public static final int NEED_SYNC = 1 << 29;
    /** The I/O writes (IOMAP_DIO_WRITE). */
    public static final int WRITE = 1 << 30;

    private DioFlags() {
    }

    public static boolean has(int flags, int flag) {
        return (flags & flag) != 0;
    }

    public static String describe(int flags) {
        StringBuilder sb = new StringBuilder();
        if (has(flags, UNWRITTEN)) sb.append("UNWRITTEN|");
        if (has(flags, COW)) sb.append("COW|");
        if (has(flags, IRQ_COMP)) sb.append("IRQ_COMP|");
        if (has(flags, CALLER_COMP)) sb.append("CALLER_COMP|");
        if (has(flags, INLINE_COMP)) sb.append("INLINE_COMP|");
        if (has(flags, WRITE_THROUGH)) sb.append("WRITE_THROUGH|");
        if (has(flags, NEED_SYNC)) sb.append("NEED_SYNC|");
        if (has(flags, WRITE)) sb.append("WRITE|");
        return sb.isEmpty() ? "0" : sb.substring(0, sb.length() - 1);
    }
}
