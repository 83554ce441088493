package io.jiomap.fs.xfslike.file;

import io.jiomap.api.JiomapException;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapIter;
import io.jiomap.api.iomap.IomapType;
import io.jiomap.fs.xfslike.alloc.BlockAllocation;
import io.jiomap.fs.xfslike.log.LogItem;
import io.jiomap.fs.xfslike.log.Transaction;
import io.jiomap.fs.xfslike.meta.Allocator;
import io.jiomap.fs.xfslike.meta.Extent;
import io.jiomap.fs.xfslike.meta.InodeCore;
import io.jiomap.fs.xfslike.meta.Metadata;
import io.jiomap.fs.xfslike.meta.RefcountIndex;
import io.jiomap.fs.xfslike.mount.MountState;
import java.util.ArrayList;
import java.util.List;

/**
 * Allocating a file's data blocks (the kernel's {@code xfs_iomap_write_direct} and {@code xfs_alloc_file_space}):
 * always as unwritten extents, so a crash before the data is written shows zeros, never stale blocks; near the
 * file's previous extent; with the preallocation marker when blocks end past EOF; ENOSPC decided before anything is
 * allocated.
 */
final class FileAllocation {
    private FileAllocation() {
    }

    /** Blocks the write {@code [fb, last]} still needs: its holes and its shared blocks. */
    static long blocksNeededLocked(XfsLikeInode ip, long fb, long last) {
        RefcountIndex refcount = ip.mount().metadata().refcount();
        long need = 0;
        long off = fb;
        for (Extent e : ip.core().data().overlapping(fb, last + 1 - fb)) {
            need += e.startoff() - off;
            if (!e.unwritten()) {
                for (RefcountIndex.Shared s : refcount.counts(e.startblock(), e.blockcount())) {
                    need += s.count() >= 2 ? s.length() : 0;
                }
            }
            off = e.end();
        }
        return need + (last + 1 - off);
    }

    /**
     * A hole under a direct write: allocates unwritten extents for the hole's part of the write and reports
     * UNWRITTEN + NEW. ENOSPC is decided for the whole write before anything is allocated, and the request's end_io
     * room is reserved.
     */
    static int allocateHoleLocked(XfsLikeInode ip, IomapIter iter, long pos, long length, long fb, long last,
                                  Iomap iomap) throws JiomapException {
        MountState mount = ip.mount();
        BlockAllocation blocks = ip.blocks();
        InodeCore core = ip.core();
        int shift = ip.shift();
        Extent next = core.data().nextFrom(fb);
        long holeEnd = next == null ? last + 1 : Math.min(next.startoff(), last + 1);
        long count = holeEnd - fb;
        long total = blocksNeededLocked(ip, fb, last);
        int ag = Metadata.agOfIno(core.ino());
        blocks.prepareLocked(total, ag);
        ip.reservations().reserveMetadataLocked(Math.min(count, blocks.freeExtentCountLocked()) * 2 + 4);
        WriteRequestState.reserveEndIoRoomLocked(iter, ip.reservations());
        Transaction t = new Transaction(mount.metadata());
        List<Allocator.Piece> pieces = blocks.allocateLocked(t, ag, goalForLocked(core, fb), count);
        long off = fb;
        for (Allocator.Piece p : pieces) {
            t.add(new LogItem.Map(core.ino(), new Extent(off, p.start(), p.length(), true)));
            off += p.length();
        }
        markPreallocIfPastEofLocked(ip, t, holeEnd);
        mount.log().commitLocked(t);
        mount.log().pushIfLargeLocked();
        Allocator.Piece first = pieces.getFirst();
        iomap.set(fb << shift, first.length() << shift, first.start() << shift, IomapType.UNWRITTEN,
                Iomap.F_NEW | Iomap.F_DIRTY);
        return 0;
    }

    /** Allocates unwritten extents over the holes of file blocks {@code [fb, endBlock)}; ENOSPC before anything. */
    static void preallocateLocked(XfsLikeInode ip, long fb, long endBlock) throws JiomapException {
        InodeCore core = ip.core();
        List<long[]> holes = new ArrayList<>();
        long off = fb;
        for (Extent e : core.data().overlapping(fb, endBlock - fb)) {
            if (e.startoff() > off) {
                holes.add(new long[] {off, e.startoff() - off});
            }
            off = e.end();
        }
        if (off < endBlock) {
            holes.add(new long[] {off, endBlock - off});
        }
        long need = 0;
        for (long[] h : holes) {
            need += h[1];
        }
        if (need == 0) {
            return;
        }
        BlockAllocation blocks = ip.blocks();
        int ag = Metadata.agOfIno(core.ino());
        blocks.prepareLocked(need, ag);
        ip.reservations().reserveMetadataLocked(holes.size() * 4L + 8);
        Transaction t = new Transaction(ip.mount().metadata());
        for (long[] h : holes) {
            long at = h[0];
            for (Allocator.Piece p : blocks.allocateLocked(t, ag, goalForLocked(core, at), h[1])) {
                t.add(new LogItem.Map(core.ino(), new Extent(at, p.start(), p.length(), true)));
                at += p.length();
            }
        }
        markPreallocIfPastEofLocked(ip, t, endBlock);
        ip.mount().log().commitLocked(t);
    }

    /** The block right after the file's extent before {@code fb}: where an append continues contiguously. */
    private static long goalForLocked(InodeCore core, long fb) {
        // One lookup: listing every extent before fb made each allocating write cost O(extents in the file).
        Extent prev = core.data().lastBefore(fb);
        return prev == null ? -1 : prev.startblock() + prev.blockcount();
    }

    /** Blocks ending past the EOF block need the prealloc marker (fsck: blocks past EOF only with it). */
    private static void markPreallocIfPastEofLocked(XfsLikeInode ip, Transaction t, long endBlock) {
        InodeCore core = ip.core();
        long eofBlocks = (core.size() + ip.blockSize() - 1) >>> ip.shift();
        if (endBlock > eofBlocks && !core.hasFlag(InodeCore.FLAG_PREALLOC)) {
            t.add(LogItem.Core.of(core).flags(core.flags() | InodeCore.FLAG_PREALLOC));
        }
    }
}
