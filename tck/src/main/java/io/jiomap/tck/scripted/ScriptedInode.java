package io.jiomap.tck.scripted;

import io.jiomap.api.Errno;
import io.jiomap.api.block.SyncBio;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.vfs.SetAttr;
import io.jiomap.api.iomap.DioOps;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapIter;
import io.jiomap.api.iomap.IomapOps;
import io.jiomap.api.iomap.IomapType;
import io.jiomap.tck.observe.DioCallLog;
import io.jiomap.tck.observe.EndIoCall;
import io.jiomap.tck.observe.FsyncCall;
import io.jiomap.tck.observe.IomapCall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A file of the scripted filesystem. Its {@code iomap_begin} reports exactly what the test scripted for each range
 * ({@link #map}); by default every byte is MAPPED at device address = file offset (+ {@link #setBaseAddress}).
 *
 * <p>Locking follows XFS: direct reads and writes take the I/O lock shared for submission only (released when the
 * engine returns, even with {@code -EIOCBQUEUED}), NOWAIT ones only if it is free; truncate, fallocate and unmount
 * take it exclusively and drain direct I/O ({@link io.jiomap.api.vfs.InodeDio#waitForDrain()}) before changing
 * anything. {@code end_io} takes no I/O lock, because it may run on a thread that is draining (docs/design-rules.md,
 * "Rule 1").
 *
 * <p>Completion behaves like a real filesystem unless told otherwise: {@code end_io} converts written UNWRITTEN
 * ranges to MAPPED, ends copy-on-write (drops SHARED) and raises i_size to the end of a write past EOF, as XFS does.
 * Every {@code iomap_begin}/{@code iomap_end}/{@code end_io}, fsync and drain is recorded.
 */
public final class ScriptedInode extends Inode implements IomapOps, DioOps {
    /** Bytes of inline data an inode holds. */
    public static final int INLINE_CAPACITY = 64 * 1024;

    private final ScriptedFileSystem fs;
    private final long ino;
    private final String path;
    private final DirectIoEngine engine;
    private final ReentrantReadWriteLock iolock = new ReentrantReadWriteLock();
    /** Guards the script, the size and the records; never held across I/O or a drain. */
    private final Object meta = new Object();
    private final MappingScript script = new MappingScript();
    private final DioCallLog calls = new DioCallLog();
    private final List<FsyncCall> fsyncs = new ArrayList<>();
    private final List<DrainCall> drains = new ArrayList<>();
    /** What each begin, end and end_io found in the request's private slot, in call order (guarded by meta). */
    private final List<String> slotTrace = new ArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Object writePrivate;
    private final MemorySegment inline = Arena.ofAuto().allocate(INLINE_CAPACITY, 8);

    private volatile long size;
    private volatile long baseAddress;
    private volatile int endIoErrno;
    private volatile int fsyncErrno;
    private volatile int writeDioFlags;
    private volatile int readDioFlags;
    private volatile long doneBefore;
    private volatile boolean convertAtEndIo = true;
    private StaleMove staleMove;
    private volatile long staleAtEnd = -1;
    /** Non-null: drains do not claim deferred completions and give up after this long (the negative control). */
    private volatile Duration unclaimingDrainBound;
    private volatile AtomicInteger unclaimingDrainTimeouts;

    /** The attributes a create or setattr gave (the scripted filesystem keeps nothing else of an inode). */
    private volatile int mode;
    private volatile int uid;
    private volatile int gid;

    ScriptedInode(ScriptedFileSystem fs, long ino, String path, DirectIoEngine engine, int mode, int uid, int gid) {
        this.fs = fs;
        this.ino = ino;
        this.path = path;
        this.engine = engine;
        this.mode = mode;
        this.uid = uid;
        this.gid = gid;
    }

    /** Applies the mode, owner and group fields of {@code attr}. */
    void setOwnership(SetAttr attr) {
        if (attr.has(SetAttr.MODE)) {
            mode = attr.mode();
        }
        if (attr.has(SetAttr.UID)) {
            uid = attr.uid();
        }
        if (attr.has(SetAttr.GID)) {
            gid = attr.gid();
        }
    }

    // ---- scripting ----

    /** Scripts {@code [offset, offset + length)} to be reported as {@code mapping}. */
    public ScriptedInode map(long offset, long length, Mapping mapping) {
        if (mapping.type() == IomapType.INLINE && offset + length > INLINE_CAPACITY) {
            throw new IllegalArgumentException("inline data ends at " + INLINE_CAPACITY + ", asked ["
                    + offset + ", " + (offset + length) + ")");
        }
        synchronized (meta) {
            script.put(offset, offset + length, mapping);
        }
        return this;
    }

    /**
     * The next {@code iomap_begin} that maps a position in {@code [offset, offset+length)} finds its mapping moved
     * under it, as a filesystem whose extents a concurrent change (a defragmenter, a remap) moved after it looked
     * them up: it reports the old mapping {@link Iomap#F_STALE} and the range is then mapped {@code shift} bytes
     * further on the device, which the next {@code begin} reports.
     */
    public ScriptedInode goStaleOnNextMapping(long offset, long length, long shift) {
        synchronized (meta) {
            staleMove = new StaleMove(offset, offset + length, shift);
        }
        return this;
    }

    /**
     * The {@code iomap_end} of the next mapping that covers file position {@code pos} marks it
     * {@link Iomap#F_STALE}, after its I/O, as a filesystem that saw the mapping change while the I/O ran.
     */
    public ScriptedInode markStaleAtEnd(long pos) {
        staleAtEnd = pos;
        return this;
    }

    /** A range whose next mapping goes stale and moves (guarded by {@link #meta}). */
    private record StaleMove(long start, long end, long shift) {
    }

    /** What unscripted ranges report (MAPPED unless changed). */
    public ScriptedInode setDefaultMapping(Mapping mapping) {
        if (mapping.type() == IomapType.INLINE) {
            throw new IllegalArgumentException("inline data cannot be the default mapping");
        }
        synchronized (meta) {
            script.setDefault(mapping);
        }
        return this;
    }

    /** The mapping currently scripted at {@code pos} (after any allocation, conversion or COW end). */
    public Mapping mappingAt(long pos) {
        synchronized (meta) {
            return script.find(pos).mapping();
        }
    }

    /** Sets i_size directly, without draining: the test's arrangement, not a truncate. */
    public ScriptedInode setSize(long newSize) {
        if (newSize < 0) {
            throw new IllegalArgumentException("negative size " + newSize);
        }
        size = newSize;
        return this;
    }

    /** Device address of file offset 0 (default 0), so several files can share a device. */
    public ScriptedInode setBaseAddress(long address) {
        baseAddress = address;
        return this;
    }

    /** Makes every later {@code end_io} return {@code -errno} (0: succeed again). */
    public ScriptedInode failEndIo(int errno) {
        endIoErrno = Math.abs(errno);
        return this;
    }

    /**
     * The negative control of (docs/design-rules.md, "Rule 1"): from now on this inode's drains (truncate,
     * fallocate, unmount) wait for its direct I/O without claiming the deferred completions nobody reaps, as a drain without the rule would,
     * and fail with an {@link AssertionError} saying so after {@code bound} instead of hanging forever, counting
     * each such failure in {@code timeouts}.
     */
    public ScriptedInode drainWithoutClaiming(Duration bound, AtomicInteger timeouts) {
        unclaimingDrainTimeouts = timeouts;
        unclaimingDrainBound = bound;
        return this;
    }

    /** Makes every later fsync return {@code -errno} without flushing (0: succeed again). */
    public ScriptedInode failFsync(int errno) {
        fsyncErrno = Math.abs(errno);
        return this;
    }

    /** The {@link DirectIoEngine} flags (FORCE_WAIT, OVERWRITE_ONLY, PARTIAL) passed for every write. */
    public ScriptedInode setWriteDioFlags(int dioFlags) {
        writeDioFlags = dioFlags;
        return this;
    }

    /** The {@link DirectIoEngine} flags passed for every read. */
    public ScriptedInode setReadDioFlags(int dioFlags) {
        readDioFlags = dioFlags;
        return this;
    }

    /** The {@code doneBefore} passed for every write: bytes an earlier partial attempt already did. */
    public ScriptedInode setDoneBefore(long bytes) {
        doneBefore = bytes;
        return this;
    }

    /** Whether {@code end_io} converts UNWRITTEN to MAPPED and ends COW (default true, like a real filesystem). */
    public ScriptedInode setConvertAtEndIo(boolean convert) {
        convertAtEndIo = convert;
        return this;
    }

    /** The inode's inline data: byte {@code i} is file offset {@code i} of an INLINE range. */
    public MemorySegment inlineData() {
        return inline;
    }

    // ---- records ----

    /** Every {@code iomap_begin}, {@code iomap_end} and {@code end_io} call on this inode. */
    public DioCallLog calls() {
        return calls;
    }

    /**
     * What the iteration object's private slot held at each call, in call order: {@code "begin@POS:VALUE"},
     * {@code "end@POS:VALUE"}, {@code "end_io@IOCBPOS:VALUE"}. A begin that finds the slot empty fills it with
     * {@code "request N"}, N counting the requests of this inode from 1.
     */
    public List<String> slotTrace() {
        synchronized (meta) {
            return List.copyOf(slotTrace);
        }
    }

    /** What writes pass to the engine as the private slot's starting value ({@code rw}'s fsPrivate). */
    public ScriptedInode passToWrites(Object fsPrivate) {
        writePrivate = fsPrivate;
        return this;
    }

    private void traceSlot(String call, long pos, Object value) {
        synchronized (meta) {
            slotTrace.add(call + "@" + pos + ":" + value);
        }
    }

    public List<FsyncCall> fsyncCalls() {
        synchronized (meta) {
            return List.copyOf(fsyncs);
        }
    }

    public List<DrainCall> drainCalls() {
        synchronized (meta) {
            return List.copyOf(drains);
        }
    }

    public String path() {
        return path;
    }

    // ---- Inode ----

    @Override
    public FileSystem fileSystem() {
        return fs;
    }

    @Override
    public long ino() {
        return ino;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long read(Iocb iocb, MemorySegment buffer, long offset, long length) {
        Lock shared = iolock.readLock();
        if (!lock(shared, iocb)) {
            return -Errno.EAGAIN;
        }
        try {
            // No end_io for reads, as XFS and ext4 pass none.
            return engine.rw(iocb, buffer, offset, length, this, null, readDioFlags, null, 0);
        } finally {
            shared.unlock();
        }
    }

    @Override
    public long write(Iocb iocb, MemorySegment buffer, long offset, long length) {
        Lock shared = iolock.readLock();
        if (!lock(shared, iocb)) {
            return -Errno.EAGAIN;
        }
        try {
            return engine.rw(iocb, buffer, offset, length, this, this, writeDioFlags, writePrivate, doneBefore);
        } finally {
            shared.unlock();
        }
    }

    /** Takes the lock, or only tries under NOWAIT (lock contention gives EAGAIN: docs/dio-contract.md, "Row 13"). */
    private static boolean lock(Lock lock, Iocb iocb) {
        if (iocb.hasFlag(Iocb.NOWAIT)) {
            return lock.tryLock();
        }
        lock.lock();
        return true;
    }

    /** Flushes the device cache: the scripted filesystem has no metadata of its own to commit. */
    @Override
    public int fsync(long start, long end, boolean datasync) {
        int errno = fsyncErrno;
        int r = errno != 0 ? -errno : SyncBio.flush(fs.device());
        synchronized (meta) {
            fsyncs.add(new FsyncCall(ino, start, end, datasync, r, Thread.currentThread().getName()));
        }
        return r;
    }

    @Override
    public int truncate(long newSize) {
        if (newSize < 0) {
            return -Errno.EINVAL;
        }
        Lock exclusive = iolock.writeLock();
        exclusive.lock();
        try {
            drain("truncate");
            size = newSize;
            return 0;
        } finally {
            exclusive.unlock();
        }
    }

    /**
     * Allocates (mode 0 or KEEP_SIZE: holes become UNWRITTEN), punches (PUNCH_HOLE|KEEP_SIZE: the range becomes a
     * hole a write allocates again) or zeroes (ZERO_RANGE: the range becomes UNWRITTEN). Ranges are in whole
     * filesystem blocks; a scripted filesystem has no partial-block zeroing.
     */
    @Override
    public int fallocate(int mode, long offset, long length) {
        boolean keepSize = (mode & FALLOC_KEEP_SIZE) != 0;
        int kind = mode & ~FALLOC_KEEP_SIZE;
        if (kind != 0 && kind != FALLOC_ZERO_RANGE && !(kind == FALLOC_PUNCH_HOLE && keepSize)) {
            return -Errno.EOPNOTSUPP;
        }
        int bs = fs.blockSize();
        if (offset < 0 || length <= 0 || offset % bs != 0 || length % bs != 0) {
            return -Errno.EINVAL;
        }
        Lock exclusive = iolock.writeLock();
        exclusive.lock();
        try {
            drain("fallocate");
            synchronized (meta) {
                long end = offset + length;
                if (kind == FALLOC_PUNCH_HOLE) {
                    script.put(offset, end, Mapping.holeAllocatingAs(IomapType.MAPPED));
                } else if (kind == FALLOC_ZERO_RANGE) {
                    script.transform(offset, end, m -> m.hasBlocks() || m.type() == IomapType.HOLE
                            ? m.withType(IomapType.UNWRITTEN).withFlags(0) : m);
                } else {
                    script.transform(offset, end, m -> m.type() == IomapType.HOLE
                            ? m.withType(IomapType.UNWRITTEN) : m);
                }
                if (!keepSize && end > size) {
                    size = end;
                }
            }
            return 0;
        } finally {
            exclusive.unlock();
        }
    }

    /** Unmount: keep new direct I/O out and wait for the inode's direct I/O to drain. */
    void drainForUnmount() {
        Lock exclusive = iolock.writeLock();
        exclusive.lock();
        try {
            drain("unmount");
        } finally {
            exclusive.unlock();
        }
    }

    private void drain(String operation) {
        int before = dio().inFlight();
        Duration bound = unclaimingDrainBound;
        if (bound == null) {
            dio().waitForDrain();
        } else {
            waitWithoutClaiming(operation, bound);
        }
        int after = dio().inFlight();
        synchronized (meta) {
            drains.add(new DrainCall(operation, before, after, Thread.currentThread().getName()));
        }
    }

    private void waitWithoutClaiming(String operation, Duration bound) {
        try {
            Awaitility.await().atMost(bound).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                    .until(() -> dio().inFlight() == 0);
        } catch (ConditionTimeoutException e) {
            unclaimingDrainTimeouts.incrementAndGet();
            throw new AssertionError(operation + ": a drain that does not claim deferred completions still saw "
                    + dio().inFlight() + " direct I/O in flight after " + bound.toMillis() + " ms; without the claim"
                    + " rule it would wait forever", e);
        }
    }

    // ---- IomapOps ----

    @Override
    public int begin(IomapIter iter) {
        long pos = iter.pos();
        long length = iter.length();
        int flags = iter.flags();
        Iomap iomap = iter.iomap();
        Iomap srcmap = iter.srcmap();
        Object slot = iter.fsPrivate();
        traceSlot("begin", pos, slot);
        if (slot == null) {
            iter.setFsPrivate("request " + requests.incrementAndGet());
        }
        int r;
        synchronized (meta) {
            r = mapFor(pos, length, flags, iomap, srcmap);
        }
        calls.add(IomapCall.ofBegin(ino, pos, length, flags, r, iomap, srcmap));
        return r;
    }

    private int mapFor(long pos, long length, int flags, Iomap iomap, Iomap srcmap) {
        MappingScript.Extent e = script.find(pos);
        Mapping m = e.mapping();
        if (m.beginErrno() != 0 && (!m.errnoOnlyUnderNowait() || (flags & NOWAIT) != 0)) {
            return -m.beginErrno();
        }
        if ((flags & WRITE) != 0 && m.type() == IomapType.HOLE && m.allocateAs() != null) {
            if ((flags & NOWAIT) != 0) {
                // Allocation may block, so a NOWAIT write must be retried without it (XFS, docs/dio-contract.md,
                // "TV27").
                return -Errno.EAGAIN;
            }
            int bs = fs.blockSize();
            long start = Math.max(e.start(), Math.floorDiv(pos, bs) * bs);
            long end = Math.min(e.end(), Math.ceilDiv(pos + length, bs) * (long) bs);
            Mapping allocated = Mapping.mapped().withType(m.allocateAs()).shiftedBy(m.addressShift());
            script.put(start, end, allocated);
            fill(iomap, start, end, allocated);
            iomap.addFlags(Iomap.F_NEW);
            return 0;
        }
        long start = e.start();
        long end = e.end();
        if (m.maxLength() > 0) {
            start = Math.max(start, pos);
            end = Math.min(end, pos + m.maxLength());
        }
        fill(iomap, start, end, m);
        if (m.srcType() != IomapType.HOLE) {
            srcmap.set(start, end - start, addressOf(start, m), m.srcType(), 0);
        }
        StaleMove move = staleMove;
        if (move != null && pos >= move.start() && pos < move.end()) {
            staleMove = null;
            iomap.addFlags(Iomap.F_STALE);
            script.transform(move.start(), move.end(), old -> old.shiftedBy(old.addressShift() + move.shift()));
        }
        return 0;
    }

    private void fill(Iomap iomap, long start, long end, Mapping m) {
        iomap.set(start, end - start, m.hasBlocks() ? addressOf(start, m) : Iomap.NULL_ADDRESS, m.type(),
                m.flags());
        if (m.type() == IomapType.INLINE) {
            iomap.setInlineData(inline.asSlice(start, end - start));
        }
    }

    private long addressOf(long fileOffset, Mapping m) {
        return baseAddress + fileOffset + m.addressShift();
    }

    /**
     * An inline write's size change is the filesystem's to make once it knows what was written (docs/dio-contract.md,
     * "B1 step 9").
     */
    @Override
    public int end(IomapIter iter) {
        long pos = iter.pos();
        long length = iter.mappedLength();
        long written = iter.processed();
        int flags = iter.flags();
        Iomap iomap = iter.iomap();
        if ((flags & WRITE) != 0 && iomap.type() == IomapType.INLINE && written > 0) {
            raiseSize(pos + written);
        }
        traceSlot("end", pos, iter.fsPrivate());
        long stale = staleAtEnd;
        if (stale >= iomap.offset() && stale < iomap.end()) {
            staleAtEnd = -1;
            iomap.addFlags(Iomap.F_STALE);
        }
        calls.add(IomapCall.ofEnd(ino, pos, length, written, flags, 0, iomap));
        return 0;
    }

    // ---- DioOps ----

    /** XFS's {@code xfs_dio_write_end_io}: an error as is, else convert, end COW, raise the size. */
    @Override
    public long endIo(IomapIter iter, long bytes, int error, int flags) {
        long pos = iter.iocb().position();
        traceSlot("end_io", pos, iter.fsPrivate());
        long r = finishWrite(pos, bytes, error, flags);
        calls.add(new EndIoCall(ino, pos, bytes, error, flags, r, Thread.currentThread().getName()));
        return r;
    }

    private long finishWrite(long pos, long bytes, int error, int flags) {
        int injected = endIoErrno;
        if (injected != 0) {
            return -injected;
        }
        if (error != 0) {
            return -error;
        }
        if (bytes == 0) {
            return 0;
        }
        // Whole blocks, as XFS converts: the engine already zeroed the sub-block head and tail of the write.
        int bs = fs.blockSize();
        long start = Math.floorDiv(pos, bs) * bs;
        long end = Math.ceilDiv(pos + bytes, bs) * (long) bs;
        synchronized (meta) {
            if (convertAtEndIo && (flags & UNWRITTEN) != 0) {
                script.transform(start, end,
                        m -> m.type() == IomapType.UNWRITTEN ? m.withType(IomapType.MAPPED) : m);
            }
            if (convertAtEndIo && (flags & COW) != 0) {
                script.transform(start, end, m -> m.withoutFlags(Iomap.F_SHARED));
            }
        }
        raiseSize(pos + bytes);
        return 0;
    }

    private void raiseSize(long end) {
        synchronized (meta) {
            if (end > size) {
                size = end;
            }
        }
    }

    @Override
    public FileStat stat() {
        long n;
        synchronized (meta) {
            n = script.extents().size();
        }
        return new FileStat(ino, 0, FileKind.REGULAR, mode, uid, gid, 1, size, size, fs.blockSize(), n, 0, 0, 0);
    }

    /** The script as FIEMAP sees it, up to i_size: holes left out, UNWRITTEN, SHARED, DELALLOC and INLINE flagged. */
    @Override
    public List<FileExtent> fiemap(long start, long length) {
        long end = Math.min(size, start + length);
        List<FileExtent> out = new ArrayList<>();
        synchronized (meta) {
            for (long p = Math.max(0, start); p < end; ) {
                MappingScript.Extent e = script.find(p);
                long stop = Math.min(e.end(), end);
                Mapping m = e.mapping();
                int flags = switch (m.type()) {
                    case UNWRITTEN -> FileExtent.UNWRITTEN;
                    case DELALLOC -> FileExtent.DELALLOC | FileExtent.UNKNOWN;
                    case INLINE -> FileExtent.DATA_INLINE;
                    default -> 0;
                };
                if ((m.flags() & io.jiomap.api.iomap.Iomap.F_SHARED) != 0) {
                    flags |= FileExtent.SHARED;
                }
                if (m.type() != IomapType.HOLE) {
                    out.add(new FileExtent(p, baseAddress + p + m.addressShift(), stop - p, flags));
                }
                p = stop;
            }
        }
        if (!out.isEmpty()) {
            FileExtent last = out.removeLast();
            out.add(new FileExtent(last.logical(), last.physical(), last.length(), last.flags() | FileExtent.LAST));
        }
        return out;
    }

    @Override
    public String toString() {
        return "scripted inode " + ino + " (" + path + ", size " + size + ")";
    }
}
