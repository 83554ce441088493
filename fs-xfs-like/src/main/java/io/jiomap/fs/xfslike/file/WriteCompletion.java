package io.jiomap.fs.xfslike.file;

import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.iomap.DioOps;
import io.jiomap.api.iomap.IomapIter;
import io.jiomap.fs.xfslike.log.LogItem;
import io.jiomap.fs.xfslike.log.Transaction;
import io.jiomap.fs.xfslike.meta.Extent;
import io.jiomap.fs.xfslike.meta.InodeCore;
import io.jiomap.fs.xfslike.mount.MountState;

/**
 * end_io of direct writes (xfs_dio_write_end_io; docs/filesystems.md, "xfs-like end_io"). Takes only the metadata
 * lock, never the I/O lock, so a drainer that runs a deferred completion never waits for itself.
 */
final class WriteCompletion implements DioOps {
    private final XfsLikeInode ip;

    WriteCompletion(XfsLikeInode ip) {
        this.ip = ip;
    }

    /**
     * On success converts the written unwritten blocks, ends copy-on-write (remap, old blocks lose a reference) and
     * raises the size, in one transaction whose room was reserved at begin; on error cancels the CoW staging of the
     * range.
     */
    @Override
    public long endIo(IomapIter iter, long size, int error, int flags) {
        Iocb iocb = iter.iocb();
        InodeCore core = ip.core();
        long pos = iocb.position();
        if (error == 0 && flags == 0 && pos + size <= core.size()) {
            WriteRequestState.releaseEndIoRoom(iter, ip.reservations());
            return 0;
        }
        MountState mount = ip.mount();
        mount.lockMetadata();
        try {
            if (ip.isRemoved() || size == 0) {
                return error != 0 ? -error : 0;
            }
            int shift = ip.shift();
            long fb = pos >>> shift;
            long blocks = ((pos + size + ip.blockSize() - 1) >>> shift) - fb;
            Transaction t = new Transaction(mount.metadata());
            if (error != 0) {
                if ((flags & COW) != 0) {
                    Reflink.cancelCowLocked(core, t, fb, blocks);
                    mount.log().commitLocked(t);
                }
                return -error;
            }
            if ((flags & COW) != 0) {
                Reflink.endCowLocked(ip, t, fb, blocks);
            }
            if ((flags & UNWRITTEN) != 0) {
                for (Extent e : core.data().overlapping(fb, blocks)) {
                    if (e.unwritten()) {
                        t.add(new LogItem.Unmap(core.ino(), e.startoff(), e.blockcount()));
                        t.add(new LogItem.Map(core.ino(), e.withUnwritten(false)));
                    }
                }
            }
            if (pos + size > core.size()) {
                // The write set mtime and ctime in memory when it started (lazytime); the size change logs them.
                t.add(LogItem.Core.of(core).size(pos + size));
            }
            mount.log().commitLocked(t);
            return 0;
        } finally {
            mount.unlockMetadata();
            WriteRequestState.releaseEndIoRoom(iter, ip.reservations());
        }
    }
}
