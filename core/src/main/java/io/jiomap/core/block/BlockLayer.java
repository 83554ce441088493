package io.jiomap.core.block;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioEndIo;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.api.block.FilterBlockDevice;
import io.jiomap.core.dio.DioStats;

/**
 * What sits between a filesystem and its device, as the kernel's block layer does: the flush policy of
 * {@code blk-flush} and the accounting of FUA writes and flushes.
 *
 * <ul>
 *   <li>No volatile write cache: FUA and PREFLUSH are stripped and a FLUSH completes at once, because every
 *       completed write is already stable.</li>
 *   <li>A write cache without FUA: a FUA write becomes the write followed by a flush, completed when the flush is.</li>
 *   <li>PREFLUSH: a flush first, then the write.</li>
 *   <li>DISCARD: to a device that cannot discard it ends with EOPNOTSUPP, and when its range is not aligned to the
 *       device's discard granularity or is larger than the device's largest discard, with EINVAL, before it reaches
 *       the device; FUA and PREFLUSH mean nothing to it and are stripped (a discard is made durable by a flush, like
 *       a write).</li>
 * </ul>
 * Filesystems see this object as their {@link BlockDevice}, so the same rules hold for their metadata I/O.
 */
public final class BlockLayer extends FilterBlockDevice {
    private final DioStats stats;

    /** The caller's own bios reach the device (a FUA emulation only chains their end), so polling is forwarded. */
    public BlockLayer(BlockDevice device, DioStats stats) {
        super(device, Polling.FORWARDED);
        this.stats = stats;
    }

    @Override
    public void submit(Bio bio) {
        DeviceCapabilities caps = capabilities();
        if (bio.op() == BioOp.DISCARD) {
            submitDiscard(bio, caps);
            return;
        }
        if (!caps.volatileWriteCache()) {
            if (bio.op() == BioOp.FLUSH) {
                bio.complete(0);
                return;
            }
            if ((bio.flags() & (Bio.FUA | Bio.PREFLUSH)) != 0) {
                bio.setFlags(bio.flags() & ~(Bio.FUA | Bio.PREFLUSH));
            }
            in.submit(bio);
            return;
        }
        if (bio.op() == BioOp.FLUSH) {
            stats.countFlush();
            in.submit(bio);
            return;
        }
        if (bio.hasFlag(Bio.PREFLUSH)) {
            bio.setFlags(bio.flags() & ~Bio.PREFLUSH);
            new PreFlush(bio).start();
            return;
        }
        submitData(bio);
    }

    private void submitDiscard(Bio bio, DeviceCapabilities caps) {
        if (!caps.canDiscard()) {
            bio.complete(Errno.EOPNOTSUPP);
            return;
        }
        if (caps.discard().problem(bio.address(), bio.length()) != null) {
            bio.complete(Errno.EINVAL);
            return;
        }
        if ((bio.flags() & (Bio.FUA | Bio.PREFLUSH)) != 0) {
            bio.setFlags(bio.flags() & ~(Bio.FUA | Bio.PREFLUSH));
        }
        in.submit(bio);
    }

    private void submitData(Bio bio) {
        if (bio.hasFlag(Bio.FUA)) {
            if (capabilities().fua()) {
                stats.countFuaWrite();
            } else {
                bio.setFlags(bio.flags() & ~Bio.FUA);
                new PostFlush(bio).start();
                return;
            }
        }
        in.submit(bio);
    }

    /** Closing the block layer closes nothing: the device belongs to whoever opened it. */
    @Override
    public void close() {
    }

    /** PREFLUSH: flush, then submit the write (which may itself need FUA handling). */
    private final class PreFlush implements BioEndIo {
        private final Bio write;
        private final Bio flush = new Bio();

        PreFlush(Bio write) {
            this.write = write;
        }

        void start() {
            stats.countFlush();
            in.submit(flush.setFlush(Bio.SYNC, this, null));
        }

        @Override
        public void endIo(Bio f) {
            if (f.status() != 0) {
                write.complete(f.status());
            } else {
                submitData(write);
            }
        }
    }

    /** FUA emulation on a cached device without FUA: the write, then a flush; the write completes with the flush. */
    private final class PostFlush implements BioEndIo {
        private final Bio write;
        private final BioEndIo originalEnd;
        private final Object originalOwner;
        private final Bio flush = new Bio();

        PostFlush(Bio write) {
            this.write = write;
            this.originalEnd = write.endIo();
            this.originalOwner = write.owner();
        }

        void start() {
            write.setEndIo(this, null);
            in.submit(write);
        }

        @Override
        public void endIo(Bio b) {
            if (b == write) {
                if (write.status() != 0) {
                    finish(write.status());
                } else {
                    stats.countFlush();
                    in.submit(flush.setFlush(Bio.SYNC, this, null));
                }
            } else {
                finish(flush.status());
            }
        }

        private void finish(int status) {
            write.setEndIo(originalEnd, originalOwner);
            write.complete(status == 0 ? 0 : (status > 0 ? status : Errno.EIO));
        }
    }
}
