package io.jiomap.api.block;

import java.lang.foreign.MemorySegment;

/**
 * One block I/O request (the kernel's {@code struct bio}): an operation on a byte range of a device, with the memory
 * it reads into or writes from, and the callback that ends it.
 *
 * <p>Bios are mutable and meant to be reused: the submitter owns a bio until it hands it to
 * {@link BlockDevice#submit(Bio)}; the device owns it until it calls {@link #complete(int)}; after that the
 * submitter owns it again. No allocation is needed per I/O.
 *
 * <p>The data is addressed as {@code (segment, segmentOffset, length)} instead of a slice, because slicing a
 * {@link MemorySegment} allocates.
 */
public final class Bio {
    /** Force unit access: the write is durable when it completes (REQ_FUA). */
    public static final int FUA = 1;
    /** Flush the volatile cache before this write (REQ_PREFLUSH). */
    public static final int PREFLUSH = 1 << 1;
    /** Synchronous request: someone waits for it (REQ_SYNC). */
    public static final int SYNC = 1 << 2;
    /** More I/O is not expected right after this one (REQ_IDLE). */
    public static final int IDLE = 1 << 3;
    /**
     * The submitter will poll for the completion (REQ_POLLED). A device that queues the bio on a poll queue records
     * that queue on it ({@link #setPollQueue}); one that cannot poll clears the flag and completes the bio by
     * interrupt as usual, as the kernel does when {@code nvme.poll_queues} is 0.
     */
    public static final int POLLED = 1 << 4;
    /** {@link #pollCookie()} of a bio that sits on no poll queue (the kernel's BLK_QC_T_NONE). */
    public static final int NO_POLL_QUEUE = -1;
    /** Do not wait for a free queue slot: fail with EAGAIN instead (REQ_NOWAIT). */
    public static final int NOWAIT = 1 << 5;

    private BioOp op = BioOp.READ;
    private int flags;
    private long address;
    private MemorySegment segment = MemorySegment.NULL;
    private long segmentOffset;
    private int length;
    private BioEndIo endIo;
    private Object owner;
    private int status;
    private BlockDevice pollDevice;
    private int pollCookie = NO_POLL_QUEUE;

    /** Prepares this bio for a read or write of {@code length} bytes at device byte {@code address}. */
    public Bio set(BioOp op, int flags, long address, MemorySegment segment, long segmentOffset, int length,
                   BioEndIo endIo, Object owner) {
        this.op = op;
        this.flags = flags;
        this.address = address;
        this.segment = segment;
        this.segmentOffset = segmentOffset;
        this.length = length;
        this.endIo = endIo;
        this.owner = owner;
        this.status = 0;
        this.pollDevice = null;
        this.pollCookie = NO_POLL_QUEUE;
        return this;
    }

    /** Prepares this bio as a cache flush. */
    public Bio setFlush(int flags, BioEndIo endIo, Object owner) {
        return set(BioOp.FLUSH, flags, 0, MemorySegment.NULL, 0, 0, endIo, owner);
    }

    /**
     * Prepares this bio as a discard of {@code length} bytes at device byte {@code address}; it carries no memory.
     *
     * @since 1.3
     */
    public Bio setDiscard(int flags, long address, int length, BioEndIo endIo, Object owner) {
        return set(BioOp.DISCARD, flags, address, MemorySegment.NULL, 0, length, endIo, owner);
    }

    public BioOp op() {
        return op;
    }

    public int flags() {
        return flags;
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    /** Replaces the flags; the block layer uses this to strip FUA and PREFLUSH on a device without a write cache. */
    public void setFlags(int flags) {
        this.flags = flags;
    }

    /** Byte offset on the device. Always a multiple of the logical block size. */
    public long address() {
        return address;
    }

    public MemorySegment segment() {
        return segment;
    }

    public long segmentOffset() {
        return segmentOffset;
    }

    public int length() {
        return length;
    }

    /** The submitter's own context object (the kernel's bi_private). */
    public Object owner() {
        return owner;
    }

    /** 0 on success, else a positive errno. Valid once the bio completed. */
    public int status() {
        return status;
    }

    /** Redirects this bio's end to another callback; the block layer uses it to chain a post-flush. */
    public BioEndIo endIo() {
        return endIo;
    }

    public void setEndIo(BioEndIo endIo, Object owner) {
        this.endIo = endIo;
        this.owner = owner;
    }

    /**
     * Called by a device, in {@link BlockDevice#submit}, when it put this {@link #POLLED} bio on a poll queue: the
     * completion then waits there until someone calls {@link BlockDevice#poll} (the kernel's bio cookie,
     * {@code bi_cookie}, plus {@code bi_bdev}). Written by the submitting thread before the bio is handed to the
     * device's queue, so the submitter reads it back without synchronisation.
     *
     * @param device the device whose {@link BlockDevice#poll} reaps the queue
     * @param cookie the device's own name for the queue, {@code >= 0}
     */
    public void setPollQueue(BlockDevice device, int cookie) {
        this.pollDevice = device;
        this.pollCookie = cookie;
    }

    /** The device whose poll queue holds this bio, or {@code null} when it completes by interrupt. */
    public BlockDevice pollDevice() {
        return pollDevice;
    }

    /** The poll queue the device put this bio on, or {@link #NO_POLL_QUEUE}. */
    public int pollCookie() {
        return pollCookie;
    }

    /**
     * {@code bio_poll}: reaps the completions of the poll queue this bio went to, on the calling thread. Harmless on
     * a bio that has completed already (it reaps whatever else is there) or that sits on no poll queue (0).
     *
     * @param flags {@link BlockDevice#POLL_BLOCK} or 0
     * @return the bios completed by this call
     */
    public int poll(int flags) {
        BlockDevice d = pollDevice;
        return d == null ? 0 : d.poll(this, flags);
    }

    /**
     * Ends the bio: called by the device exactly once. After this returns the device must not touch the bio.
     *
     * @param errno 0 on success, else a positive errno (EIO, ENODEV, ...)
     */
    public void complete(int errno) {
        this.status = Math.abs(errno);
        endIo.endIo(this);
    }

    @Override
    public String toString() {
        return op + "@" + address + "+" + length + (hasFlag(FUA) ? " FUA" : "") + (hasFlag(PREFLUSH) ? " PREFLUSH" : "")
                + (hasFlag(POLLED) ? " POLLED" : "");
    }
}
