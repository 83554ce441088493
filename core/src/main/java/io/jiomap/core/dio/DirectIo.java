package io.jiomap.core.dio;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.iomap.DioOps;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapOps;
import io.jiomap.api.iomap.IomapType;
import io.jiomap.core.completion.CompletionWorkqueue;
import io.jiomap.core.trace.CompletionContext;
import io.jiomap.core.trace.DioTrace;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.LockSupport;

/**
 * The generic direct-I/O path of one mounted filesystem ({@code iomap_dio_rw}, docs/dio-contract.md, "Flows"): it
 * iterates the filesystem's mappings, builds and submits bios (split at the device's max transfer), zeroes sub-block
 * heads and tails of new or unwritten blocks, chooses FUA for O_DSYNC overwrites, counts references, and leaves the
 * completion decision to the last reference ({@link Dio#endIo}).
 *
 * <p>Iteration is here, policy is in the filesystem's {@link IomapOps} and {@link DioOps}: the same split as the
 * kernel's {@code iomap_iter}.
 */
public final class DirectIo implements DirectIoEngine {
    /** The largest filesystem block the shared zero buffer can pad. */
    private static final int MAX_ZERO = 64 * 1024;
    /** The kernel's shared zero page: one per JVM, only ever read by devices, so every mount can use it. */
    private static final MemorySegment ZEROES = Arena.global().allocate(MAX_ZERO, 4096);

    final DioStats stats;
    final CompletionWorkqueue workqueue;
    private final BlockDevice device;
    private final DeviceCapabilities caps;
    private final int lbsMask;
    private final int dmaMask;
    private final int maxTransfer;
    volatile DioTrace trace;
    private volatile boolean shutdown;

    public DirectIo(BlockDevice device, CompletionWorkqueue workqueue, DioStats stats) {
        this.device = device;
        this.caps = device.capabilities();
        this.lbsMask = caps.logicalBlockSize() - 1;
        this.dmaMask = caps.dmaAlignment() - 1;
        this.maxTransfer = caps.maxTransferBytes();
        this.workqueue = workqueue;
        this.stats = stats;
    }

    /**
     * Refuses new direct I/O from now on (ESHUTDOWN), as an unmounting or shut-down filesystem must: unmount then
     * drains what is in flight, and nothing new can start behind the drain.
     */
    public void shutdown() {
        shutdown = true;
    }

    public void setTrace(DioTrace trace) {
        this.trace = trace;
    }

    public DioStats stats() {
        return stats;
    }

    /**
     * Why a request is misaligned, or null when it is aligned. Only called on the error path, so the message can
     * be built without cost to the hot path.
     */
    public String misalignment(long position, MemorySegment buffer, long bufferOffset, long length) {
        int lbs = caps.logicalBlockSize();
        if (position < 0) {
            return "offset " + position + " is negative";
        }
        if ((position & lbsMask) != 0) {
            return "offset " + position + " is not a multiple of the logical block size " + lbs + " of " + device.name();
        }
        if ((length & lbsMask) != 0) {
            return "length " + length + " is not a multiple of the logical block size " + lbs + " of " + device.name();
        }
        if (((buffer.address() + bufferOffset) & dmaMask) != 0) {
            return "buffer address 0x" + Long.toHexString(buffer.address() + bufferOffset)
                    + " is not aligned to the DMA alignment " + caps.dmaAlignment() + " of " + device.name();
        }
        if (bufferOffset < 0 || length < 0 || bufferOffset + length > buffer.byteSize()) {
            return "buffer range [" + bufferOffset + ", " + (bufferOffset + length) + ") is outside the "
                    + buffer.byteSize() + "-byte buffer";
        }
        return null;
    }

    @Override
    public long rw(Iocb iocb, MemorySegment buffer, long bufferOffset, long length, IomapOps ops, DioOps dops,
                   int dioFlags, Object fsPrivate, long doneBefore) {
        if (shutdown) {
            return -Errno.ESHUTDOWN;
        }
        if (length == 0) {
            return 0;
        }
        long start = iocb.position();
        if (((start | length) & lbsMask) != 0 || ((buffer.address() + bufferOffset) & dmaMask) != 0
                || start < 0 || bufferOffset < 0 || bufferOffset + length > buffer.byteSize()) {
            return -Errno.EINVAL;
        }
        boolean write = iocb.isWrite();
        Inode inode = iocb.inode();
        if (!write && start >= inode.size()) {
            // A read at or past EOF returns 0 at once, with no dio and no in-flight count (docs/dio-contract.md,
            // "TV20").
            return 0;
        }
        Dio dio = dioFor(iocb);
        dio.start(iocb, dops, doneBefore);
        boolean wait = iocb.hasNoCompletion() || (dioFlags & FORCE_WAIT) != 0;
        int iomapFlags = IomapOps.DIRECT;
        if (!write) {
            dio.flags |= Dio.INLINE_COMP;
        } else {
            iomapFlags |= IomapOps.WRITE;
            dio.flags |= Dio.WRITE;
            if (iocb.hasFlag(Iocb.DIO_CALLER_COMP)) {
                dio.flags |= Dio.CALLER_COMP;
            } else if (iocb.hasFlag(Iocb.DIO_IRQ_COMP) && start + length <= dio.iSize) {
                // 6.19 forces the workqueue for pos + len > i_size (docs/dio-contract.md, "B4 later kernels").
                dio.flags |= Dio.IRQ_COMP;
            }
            if ((dioFlags & OVERWRITE_ONLY) != 0) {
                if (start >= dio.iSize || start + length > dio.iSize) {
                    return -Errno.EAGAIN;
                }
                iomapFlags |= IomapOps.OVERWRITE_ONLY;
            }
            if (iocb.isDsync()) {
                dio.flags |= Dio.NEED_SYNC;
                // Optimistic: FUA may be enough. Any mapping that cannot use FUA clears it (docs/dio-contract.md,
                // "B1 step 5").
                if (!iocb.hasFlag(Iocb.SYNC)) {
                    dio.flags |= Dio.WRITE_THROUGH;
                }
            }
        }
        if (iocb.hasFlag(Iocb.NOWAIT)) {
            iomapFlags |= IomapOps.NOWAIT;
        }
        // No page cache exists in jiomap (direct I/O only): nothing to write back or invalidate before the I/O.
        inode.dio().begin();

        long ret = iterate(dio, inode, start, length, buffer, bufferOffset, ops, iomapFlags, fsPrivate, write);

        if (ret == -Errno.ENOTBLK) {
            // The filesystem wants the rest done buffered: wait for what was submitted, report the partial count.
            wait = true;
            ret = 0;
        } else if (ret == -Errno.EFAULT && dio.size > 0 && (dioFlags & PARTIAL) != 0) {
            if (!iocb.hasFlag(Iocb.NOWAIT)) {
                wait = true;
            }
            ret = 0;
        }
        if (ret < 0) {
            dio.setError((int) -ret);
        }
        if (write && (dio.flags & Dio.WRITE_THROUGH) != 0) {
            // Every data bio carried FUA (or the device has no volatile cache): no sync at completion.
            dio.flags &= ~Dio.NEED_SYNC;
        }

        // docs/dio-contract.md, "B1 step 13", "B1 step 14": every flag is final before the submission reference goes.
        dio.waitForCompletion = wait;
        if (!dio.putRef()) {
            if (!wait) {
                DioTrace t = trace;
                if (t != null) {
                    t.submitted(iocb, dio.flags, -Errno.EIOCBQUEUED);
                }
                return -Errno.EIOCBQUEUED;
            }
            while (dio.waiter != null) {
                // A polled bio of a waiting submitter (FORCE_WAIT, or a wait forced after submission) is polled
                // here rather than left to the device's late missed-poll reaping. A blocking poll that reaps
                // nothing means the queue holds none of it any more: what is left completes by interrupt.
                Bio polled = iocb.polledBio();
                if (polled == null || polled.poll(BlockDevice.POLL_BLOCK) == 0) {
                    LockSupport.park(dio);
                }
            }
            stats.waiter.increment();
            long res = dio.complete();
            DioTrace t = trace;
            if (t != null) {
                t.submitted(iocb, dio.flags, res);
            }
            return res;
        }
        stats.submitter.increment();
        DioTrace t = trace;
        if (t != null) {
            t.completing(iocb, dio.flags, CompletionContext.SUBMITTER);
        }
        long res = dio.complete();
        if (t != null) {
            t.submitted(iocb, dio.flags, res);
        }
        return res;
    }

    private Dio dioFor(Iocb iocb) {
        Object state = iocb.engineState();
        if (state instanceof Dio d && d.engine == this) {
            return d;
        }
        Dio d = new Dio(this);
        iocb.setEngineState(d);
        return d;
    }

    /**
     * The mapping loop ({@code iomap_iter}, docs/dio-contract.md, "B1 step 9"): begin, one mapping's I/O, end, advance
     * by what was processed, until done, an error, or a mapping that processed nothing. A stale mapping
     * ({@link Iomap#F_STALE}) never ends the loop by itself: what it processed counts and the rest is mapped again.
     */
    private long iterate(Dio dio, Inode inode, long start, long length, MemorySegment buffer, long bufferOffset,
                         IomapOps ops, int iomapFlags, Object fsPrivate, boolean write) {
        Dio.Iter iter = dio.iter;
        iter.start(dio.iocb, inode, start, length, iomapFlags, fsPrivate);
        Iomap iomap = iter.iomap();
        while (iter.length() > 0) {
            iter.beforeBegin();
            int r = ops.begin(iter);
            if (r < 0) {
                return r;
            }
            long pos = iter.pos();
            if (iomap.offset() > pos || iomap.end() <= pos) {
                // A filesystem bug: the mapping must cover pos. Fail the I/O rather than write to the wrong place.
                ops.end(iter);
                return -Errno.EIO;
            }
            // A mapping begin already reports stale gets no I/O: end sees nothing processed, the same position again.
            long processed = iomap.hasFlag(Iomap.F_STALE) ? 0
                    : mapOne(dio, inode, pos, iter.mappedLength(), buffer, bufferOffset + (pos - start), write);
            iter.beforeEnd(Math.max(processed, 0));
            int e = ops.end(iter);
            // Only the first mapping can be polled (docs/dio-contract.md, "B1 step 9").
            dio.iocb.clearFlags(Iocb.HIPRI);
            if (processed < 0) {
                return processed;
            }
            if (e < 0 && processed == 0) {
                return e;
            }
            if (processed == 0 && (!iomap.hasFlag(Iomap.F_STALE) || dio.error() != 0)) {
                return 0;
            }
            iter.next(processed);
        }
        return 0;
    }

    /** One mapping: dispatch by type (docs/dio-contract.md, "B1 step 9"). */
    private long mapOne(Dio dio, Inode inode, long pos, long length, MemorySegment buffer, long bufferOffset,
                        boolean write) {
        Iomap iomap = dio.iter.iomap();
        IomapType type = iomap.type();
        switch (type) {
            case HOLE:
                if (write) {
                    // A filesystem must allocate before a direct write reaches a hole.
                    return -Errno.EIO;
                }
                buffer.asSlice(bufferOffset, length).fill((byte) 0);
                dio.size += length;
                return length;
            case UNWRITTEN:
                if (!write) {
                    buffer.asSlice(bufferOffset, length).fill((byte) 0);
                    dio.size += length;
                    return length;
                }
                return bioIter(dio, inode, pos, length, buffer, bufferOffset, true);
            case MAPPED:
                return bioIter(dio, inode, pos, length, buffer, bufferOffset, write);
            case INLINE:
                return inlineIter(dio, pos, length, buffer, bufferOffset, write);
            case DELALLOC:
            default:
                // Direct I/O colliding with buffered writes' delayed allocation.
                return -Errno.EIO;
        }
    }

    private long inlineIter(Dio dio, long pos, long length, MemorySegment buffer, long bufferOffset, boolean write) {
        Iomap iomap = dio.iter.iomap();
        MemorySegment data = iomap.inlineData();
        long at = pos - iomap.offset();
        if (at + length > data.byteSize()) {
            return -Errno.EIO;
        }
        if (write) {
            MemorySegment.copy(buffer, bufferOffset, data, at, length);
        } else {
            MemorySegment.copy(data, at, buffer, bufferOffset, length);
        }
        dio.size += length;
        return length;
    }

    /**
     * {@code iomap_dio_bio_iter} (docs/dio-contract.md, "B2"): zeroing, FUA choice, the caller-completion clear rules,
     * the bios.
     */
    private long bioIter(Dio dio, Inode inode, long pos, long length, MemorySegment buffer, long bufferOffset,
                         boolean write) {
        Iomap iomap = dio.iter.iomap();
        int fsBlock = inode.fileSystem().blockSize();
        boolean needZero = false;
        boolean useFua = false;
        if (write) {
            boolean unwritten = iomap.type() == IomapType.UNWRITTEN;
            boolean shared = iomap.hasFlag(Iomap.F_SHARED);
            if (unwritten) {
                dio.flags |= DioOps.UNWRITTEN;
            }
            if (shared) {
                dio.flags |= DioOps.COW;
            }
            // docs/dio-contract.md, "B2 step 2c": new blocks are zeroed around the write and never FUA.
            needZero = unwritten || iomap.hasFlag(Iomap.F_NEW);
            useFua = !iomap.hasFlag(Iomap.F_NEW) && iomap.type() == IomapType.MAPPED && canUseFua(iomap, dio);
            completionWorkRule(dio, needZero, (dio.flags & Dio.NEED_SYNC) != 0 && !useFua, shared,
                    pos >= inode.size());
        }
        if ((dio.flags & (Dio.INLINE_COMP | Dio.CALLER_COMP)) == 0) {
            // Polling only where completion could run in task context anyway (docs/dio-contract.md, "B2 step 4").
            dio.iocb.clearFlags(Iocb.HIPRI);
        }
        if (needZero && fsBlock <= MAX_ZERO) {
            long head = pos & (fsBlock - 1);
            if (head != 0) {
                zero(dio, iomap.addressOf(pos - head), (int) head);
            }
        }
        int opFlags;
        BioOp op;
        // Under NOWAIT a full device queue must fail the bio with EAGAIN rather than make the submitter wait.
        int nowait = dio.iocb.hasFlag(Iocb.NOWAIT) ? Bio.NOWAIT : 0;
        if (write) {
            op = BioOp.WRITE;
            opFlags = Bio.SYNC | Bio.IDLE | nowait;
            if (useFua) {
                opFlags |= Bio.FUA;
            } else {
                dio.flags &= ~Dio.WRITE_THROUGH;
            }
        } else {
            op = BioOp.READ;
            opFlags = nowait;
        }
        long done = 0;
        while (done < length) {
            if (dio.error() != 0) {
                // An earlier bio failed: stop issuing, the request fails with the first error.
                return 0;
            }
            int n = (int) Math.min(length - done, maxTransfer);
            if (done + n < length) {
                // Only single-bio I/O can be polled (docs/dio-contract.md, "B2 step 7").
                dio.iocb.clearFlags(Iocb.HIPRI);
            }
            Bio bio = dio.nextBio();
            int bioFlags = opFlags;
            if (dio.iocb.hasFlag(Iocb.HIPRI) && !dio.iocb.hasNoCompletion() && caps.polling()) {
                // The one polled bio of the request, recorded in the iocb for the issuer to poll (the kernel's
                // iocb->private, daa99c5a3319). A device that cannot poll is never asked to.
                bioFlags |= Bio.POLLED;
                dio.iocb.setPolledBio(bio);
            }
            bio.set(op, bioFlags, iomap.addressOf(pos + done), buffer, bufferOffset + done, n, dio, dio);
            dio.size += n;
            stats.dataBios.increment();
            dio.getRef();
            device.submit(bio);
            done += n;
        }
        long end = pos + length;
        if ((needZero || (write && end >= inode.size())) && fsBlock <= MAX_ZERO) {
            long pad = end & (fsBlock - 1);
            if (pad != 0) {
                zero(dio, iomap.addressOf(end), (int) (fsBlock - pad));
            }
        }
        return length;
    }

    /**
     * The completion-work rule (docs/dio-contract.md, "B2 step 2d"): a write mapping whose completion has work to do
     * takes the completion away from the contexts that must not do it. Caller completion is kept only by an overwrite
     * of written blocks that starts inside EOF with no sync left after the I/O: zeroing means an unwritten conversion
     * or new blocks, a sync means journal or flush I/O, a start past EOF a size update, none of which may run on the
     * issuer's thread. The IRQ-overwrite mode ("B4 later kernels") gives up the same, and a copy-on-write remap
     * too; a write ending past EOF never had it ("B1 step 3").
     */
    private static void completionWorkRule(Dio dio, boolean needZero, boolean syncLeft, boolean shared,
                                           boolean fromEof) {
        if (needZero || syncLeft || fromEof) {
            dio.flags &= ~Dio.CALLER_COMP;
        }
        if (needZero || syncLeft || shared) {
            dio.flags &= ~Dio.IRQ_COMP;
        }
    }

    private boolean canUseFua(Iomap iomap, Dio dio) {
        return !iomap.hasFlag(Iomap.F_SHARED) && !iomap.hasFlag(Iomap.F_DIRTY)
                && (dio.flags & Dio.WRITE_THROUGH) != 0 && caps.writeThroughByFua();
    }

    /** A zeroing write of the shared zero buffer, never FUA (docs/dio-contract.md, "Zeroing bios"). */
    private void zero(Dio dio, long address, int length) {
        Bio bio = dio.nextBio();
        int nowait = dio.iocb.hasFlag(Iocb.NOWAIT) ? Bio.NOWAIT : 0;
        bio.set(BioOp.WRITE, Bio.SYNC | Bio.IDLE | nowait, address, ZEROES, 0, length, dio, dio);
        stats.zeroingBios.increment();
        dio.getRef();
        device.submit(bio);
    }

    /** {@code generic_write_sync}: fsync the written range; a failed sync replaces the byte count. */
    long writeSync(Iocb iocb, long count) {
        long end = iocb.position();
        boolean datasync = !iocb.hasFlag(Iocb.SYNC);
        int err = iocb.inode().fsync(end - count, end - 1, datasync);
        DioTrace t = trace;
        if (t != null) {
            t.synced(iocb, end - count, end - 1, datasync, err);
        }
        return err < 0 ? err : count;
    }
}
