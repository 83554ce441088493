package io.jiomap.api.iomap;

import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.Iocb;

/**
 * One request's walk over a file's mappings (the kernel's {@code struct iomap_iter}), owned by the core: the core
 * creates it, fills it, runs the loop and hands it to {@link IomapOps#begin}, {@link IomapOps#end} and
 * {@link DioOps#endIo}. A filesystem reads the position, length and flags, fills {@link #iomap()} (and
 * {@link #srcmap()}) in {@code begin}, and keeps its own per-request state in the {@linkplain #fsPrivate() private
 * slot} (docs/dio-contract.md, "The iteration object").
 *
 * <p>A <em>request</em> is one call of {@link DirectIoEngine#rw}. The core keeps one iteration object per iocb and
 * reuses it for that iocb's next request, so iterating allocates nothing.
 *
 * <h2>The private slot</h2>
 * <ul>
 *   <li>When a request starts, before its first {@code begin}, the core sets it to the {@code fsPrivate} argument
 *       of {@link DirectIoEngine#rw} (usually {@code null}); nothing of a previous request is ever visible.</li>
 *   <li>The filesystem may set it in any {@code begin} or {@code end} of the request. The core never reads it.</li>
 *   <li>Every later {@code begin} and {@code end} of the request, and the request's {@link DioOps#endIo}, see the
 *       value last set: end_io sees the slot of the request it completes, on whatever thread it runs, after the
 *       request's last {@code end}.</li>
 *   <li>End_io (when the filesystem passed a {@link DioOps}) runs at most once per request, and exactly once for a
 *       request for which {@code rw} returned {@code -EIOCBQUEUED}. When {@code rw} returns anything else the
 *       request is over: end_io has run or never will, so the filesystem's write path can release there whatever
 *       end_io did not consume.</li>
 *   <li>The slot belongs to the request from its start until its end_io returns (or until {@code rw} returns, if
 *       that is later). After that the value is dead: the core keeps the reference until the same iocb starts its
 *       next request, so nothing may depend on it being dropped.</li>
 *   <li>What a filesystem keeps there is its own (a reservation, the mapping it handed out, copy-on-write staging);
 *       it must not keep anything that pins another request, and must release what it reserved by end_io at the
 *       latest.</li>
 * </ul>
 *
 * <p>Threads: {@code begin} and {@code end} run on the submitting thread; end_io may run on another thread, after
 * every {@code end} of the request (the core's reference count orders them), so the slot needs no synchronisation.
 */
public abstract class IomapIter {
    private final Iomap iomap = new Iomap();
    private final Iomap srcmap = new Iomap();
    private Iocb iocb;
    private Inode inode;
    private long pos;
    private long length;
    private int flags;
    private long processed;
    private Object fsPrivate;

    /** The request's iocb: never {@code null}, the core iterates only for direct I/O. */
    public final Iocb iocb() {
        return iocb;
    }

    public final Inode inode() {
        return inode;
    }

    /** The file position the current mapping is for: where the next {@code begin} must map from. */
    public final long pos() {
        return pos;
    }

    /** Bytes of the request still to do from {@link #pos()}. */
    public final long length() {
        return length;
    }

    /** {@link IomapOps} flags of the request (WRITE, DIRECT, NOWAIT, OVERWRITE_ONLY). */
    public final int flags() {
        return flags;
    }

    public final boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    /** The mapping {@code begin} fills; cleared to an empty hole by the core before each {@code begin}. */
    public final Iomap iomap() {
        return iomap;
    }

    /** The copy-on-write read source {@code begin} may fill; cleared with {@link #iomap()}. */
    public final Iomap srcmap() {
        return srcmap;
    }

    /**
     * Bytes of the request the current mapping covers ({@code iomap_length}): from {@link #pos()} to the end of
     * {@link #iomap()}, at most {@link #length()}; 0 when the mapping does not cover {@link #pos()}.
     */
    public final long mappedLength() {
        if (iomap.offset() > pos || iomap.end() <= pos) {
            return 0;
        }
        return Math.min(length, iomap.end() - pos);
    }

    /** Bytes the core processed in the current mapping: what {@code end} commits; 0 during {@code begin}. */
    public final long processed() {
        return processed;
    }

    /** The filesystem's per-request state (class comment, "The private slot"), or {@code null}. */
    public final Object fsPrivate() {
        return fsPrivate;
    }

    public final void setFsPrivate(Object state) {
        this.fsPrivate = state;
    }

    // ---- for the core, which owns the loop ----

    /** Starts a request: the whole range, no mapping, nothing processed, the private slot set to {@code fsPrivate}. */
    protected final void startRequest(Iocb iocb, Inode inode, long pos, long length, int flags, Object fsPrivate) {
        this.iocb = iocb;
        this.inode = inode;
        this.pos = pos;
        this.length = length;
        this.flags = flags;
        this.processed = 0;
        this.fsPrivate = fsPrivate;
        iomap.clear();
        srcmap.clear();
    }

    /** Before a {@code begin}: an empty mapping and nothing processed. */
    protected final void startMapping() {
        processed = 0;
        iomap.clear();
        srcmap.clear();
    }

    /** Before an {@code end}: what the core did with the current mapping. */
    protected final void setProcessed(long bytes) {
        this.processed = bytes;
    }

    /** After an {@code end}: moves past {@code bytes} done ({@code iomap_iter_advance}). */
    protected final void advance(long bytes) {
        pos += bytes;
        length -= bytes;
    }
}
