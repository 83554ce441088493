package io.jiomap.fs.xfslike.file;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapIter;
import io.jiomap.api.iomap.IomapOps;
import io.jiomap.api.iomap.IomapType;
import io.jiomap.fs.xfslike.meta.ExtentMap;
import io.jiomap.fs.xfslike.meta.InodeCore;
import io.jiomap.fs.xfslike.meta.RefcountIndex;
import io.jiomap.fs.xfslike.mount.MountState;
import java.util.List;

/**
 * Mapping for direct writes: what xfs_direct_write_iomap_begin reports (docs/filesystems.md, "xfs-like direct-write
 * mappings"). A hole is allocated unwritten ({@link FileAllocation}), shared blocks get copy-on-write staging
 * ({@link Reflink}), and a write whose end_io will change metadata reserves that end_io's room here.
 */
final class WriteMapping implements IomapOps {
    private final XfsLikeInode ip;

    WriteMapping(XfsLikeInode ip) {
        this.ip = ip;
    }

    @Override
    public int begin(IomapIter iter) {
        long pos = iter.pos();
        long length = iter.length();
        Iomap iomap = iter.iomap();
        MountState mount = ip.mount();
        boolean nowait = iter.hasFlag(NOWAIT);
        boolean overwriteOnly = iter.hasFlag(OVERWRITE_ONLY);
        if (nowait) {
            if (!mount.tryLockMetadata()) {
                return -Errno.EAGAIN;
            }
        } else {
            mount.lockMetadata();
        }
        try {
            if (ip.isRemoved()) {
                return -Errno.ENOENT;
            }
            int shift = ip.shift();
            int bs = ip.blockSize();
            InodeCore core = ip.core();
            long fb = pos >>> shift;
            long last = (pos + length - 1) >>> shift;
            ExtentMap map = core.data();
            long at = map.locate(fb);
            if (at < 0) {
                if (nowait || overwriteOnly) {
                    return -Errno.EAGAIN;
                }
                return FileAllocation.allocateHoleLocked(ip, iter, pos, length, fb, last, iomap);
            }
            // Read through the position, not an Extent: an overwrite's mapping allocates nothing.
            boolean unwritten = map.unwritten(at);
            long block = map.startblock(at) + fb - map.startoff(at);
            long runEnd = Math.min(map.startoff(at) + map.blockcount(at), last + 1);
            RefcountIndex refcount = mount.metadata().refcount();
            if (!unwritten && refcount.sharedCount() > 0) {
                List<RefcountIndex.Shared> counts = refcount.counts(block, runEnd - fb);
                RefcountIndex.Shared firstPiece = counts.getFirst();
                if (firstPiece.count() >= 2) {
                    if (nowait || overwriteOnly) {
                        return -Errno.EAGAIN;
                    }
                    return Reflink.copyOnWriteLocked(ip, iter, pos, length, fb, firstPiece.length(), block,
                            iomap, iter.srcmap());
                }
                runEnd = fb + firstPiece.length();
            } else if (unwritten && overwriteOnly && ((pos | length) & (bs - 1)) != 0) {
                return -Errno.EAGAIN;
            }
            if (overwriteOnly && runEnd << shift < pos + length) {
                // One mapping must cover the whole overwrite-only write: a refusal after a submitted mapping
                // would fail the write asynchronously instead of sending it to the exclusive path.
                return -Errno.EAGAIN;
            }
            if (!unwritten && mount.allocator().isRecentlyUnshared(block, runEnd - fb)) {
                // Another file may still map these blocks on disk: make the unsharing stable first.
                if (nowait) {
                    return -Errno.EAGAIN;
                }
                mount.log().forceLogLocked();
            }
            boolean extending = pos + length > core.size();
            if (unwritten || extending) {
                WriteRequestState.reserveEndIoRoomLocked(iter, ip.reservations());
            }
            int dirty = mount.log().dataDirtyLocked(core) || extending ? Iomap.F_DIRTY : 0;
            iomap.set(fb << shift, (runEnd - fb) << shift, block << shift,
                    unwritten ? IomapType.UNWRITTEN : IomapType.MAPPED, dirty);
            return 0;
        } catch (JiomapException ex) {
            return -ex.errno();
        } finally {
            mount.unlockMetadata();
        }
    }
}
