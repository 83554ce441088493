package io.jiomap.fs.xfslike.file;

import io.jiomap.api.Errno;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapIter;
import io.jiomap.api.iomap.IomapOps;
import io.jiomap.api.iomap.IomapType;
import io.jiomap.fs.xfslike.meta.Extent;
import io.jiomap.fs.xfslike.meta.ExtentMap;
import io.jiomap.fs.xfslike.mount.MountState;

/** Mapping for direct reads (xfs_read_iomap_begin): MAPPED, UNWRITTEN or HOLE from the data fork. */
final class ReadMapping implements IomapOps {
    private final XfsLikeInode ip;

    ReadMapping(XfsLikeInode ip) {
        this.ip = ip;
    }

    @Override
    public int begin(IomapIter iter) {
        long pos = iter.pos();
        long length = iter.length();
        Iomap iomap = iter.iomap();
        MountState mount = ip.mount();
        if (iter.hasFlag(NOWAIT)) {
            if (!mount.tryLockMetadata()) {
                return -Errno.EAGAIN;
            }
        } else {
            mount.lockMetadata();
        }
        try {
            int shift = ip.shift();
            long fb = pos >>> shift;
            long last = (pos + length - 1) >>> shift;
            ExtentMap map = ip.core().data();
            long at = map.locate(fb);
            if (at < 0) {
                Extent next = map.nextFrom(fb);
                long end = next == null ? last + 1 : Math.min(next.startoff(), last + 1);
                iomap.set(fb << shift, (end - fb) << shift, Iomap.NULL_ADDRESS, IomapType.HOLE, 0);
            } else {
                // Read through the position, not an Extent: a mapping allocates nothing.
                long start = map.startoff(at);
                long end = Math.min(start + map.blockcount(at), last + 1);
                iomap.set(fb << shift, (end - fb) << shift, (map.startblock(at) + fb - start) << shift,
                        map.unwritten(at) ? IomapType.UNWRITTEN : IomapType.MAPPED, 0);
            }
            return 0;
        } finally {
            mount.unlockMetadata();
        }
    }
}
