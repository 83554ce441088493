package io.jiomap.fs.xfslike.mount;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.fs.xfslike.checkpoint.Checkpoint;
import io.jiomap.fs.xfslike.format.Disk;
import io.jiomap.fs.xfslike.format.Geometry;
import io.jiomap.fs.xfslike.format.Superblock;
import io.jiomap.fs.xfslike.fsck.Checker;
import io.jiomap.fs.xfslike.log.Log;
import io.jiomap.fs.xfslike.log.LogItem;
import io.jiomap.fs.xfslike.log.Transaction;
import io.jiomap.fs.xfslike.meta.Allocator;
import io.jiomap.fs.xfslike.meta.Metadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A mounted filesystem's shared state (the kernel's {@code xfs_mount}): the device and its direct-I/O engine, the
 * in-memory metadata with its lock, the block allocator's busy state, and the {@linkplain MetadataLog log}. All
 * metadata is in memory; every change is a transaction whose items go to the log's CIL before the operation
 * returns (FORMAT.md).
 *
 * <p>Lock contract of the whole filesystem: a method whose name ends in {@code Locked} must be called with the
 * metadata lock ({@link #lockMetadata}) held. Locks are taken in the order: an inode's I/O lock, then the metadata
 * lock. Drains ({@code waitForDrain}) happen with only I/O locks held, never the metadata lock, and end_io takes
 * only the metadata lock, so a drain never waits for a completion that waits for the drainer
 * (docs/design-rules.md, "Rule 1").
 */
public final class MountState {
    private final BlockDevice device;
    private final DirectIoEngine directIo;
    private final Disk disk;
    private final Geometry geo;
    private final Metadata md;
    private final Allocator alloc;
    private final MetadataLog log;
    private final ReentrantLock metaLock = new ReentrantLock();
    private volatile boolean unmounted;

    private MountState(BlockDevice device, DirectIoEngine directIo, Disk disk, Superblock sb, Metadata md, Log log) {
        this.device = device;
        this.directIo = directIo;
        this.disk = disk;
        this.geo = sb.geometry();
        this.md = md;
        this.alloc = new Allocator(md);
        this.log = new MetadataLog(device, disk, md, alloc, log, sb);
    }

    /**
     * Mounts: reads the superblock and the current checkpoint (validating every block), replays the committed
     * transactions of the log, frees CoW staging extents a crash left behind, checks the result, and writes a new
     * checkpoint so the log starts empty in a new epoch.
     */
    public static MountState mount(BlockDevice device, DirectIoEngine directIo) throws JiomapException {
        Superblock sb;
        try {
            sb = Superblocks.read(device);
        } catch (JiomapException e) {
            if (e.errno() == Errno.EINVAL) {
                throw new JiomapException(Errno.EUCLEAN, "cannot mount " + device.name() + " as xfs-like: "
                        + e.getMessage().substring(e.getMessage().indexOf(' ') + 1));
            }
            throw e;
        }
        if (!sb.posix()) {
            throw new JiomapException(Errno.EINVAL, "cannot mount " + Superblock.predatesPosix(device.name()));
        }
        Geometry g = sb.geometry();
        Disk disk = new Disk(device, g.blockSize());
        Checkpoint.Loaded loaded = Checkpoint.load(disk, g, sb.uuid(), sb.generation(), g.metaStart(sb.activeSlot()),
                sb.metaUsed());
        Metadata md = loaded.metadata();
        Log.Scan scan = Log.scan(disk, g, sb.uuid(), sb.generation(), sb.logTail(), sb.logTailSeq());
        long lastSeq = loaded.lastSeq();
        for (Transaction.Committed c : scan.transactions()) {
            try {
                for (LogItem item : c.items()) {
                    item.apply(md);
                }
            } catch (RuntimeException e) {
                throw new JiomapException(Errno.EUCLEAN, "log transaction " + c.seq() + " does not apply to the "
                        + "checkpoint it follows: " + e.getMessage(), e);
            }
            lastSeq = Math.max(lastSeq, c.seq());
        }
        Log log = new Log(disk, g, sb.uuid());
        log.reset(sb.generation(), scan.head(), scan.nextSeq());
        log.setCommitted(lastSeq);
        MountState m = new MountState(device, directIo, disk, sb, md, log);
        m.lockMetadata();
        try {
            m.recoverCowLeftoversLocked();
            List<String> problems = Checker.checkState(md);
            if (!problems.isEmpty()) {
                throw new JiomapException(Errno.EUCLEAN, "cannot mount " + device.name() + ": the metadata is "
                        + "inconsistent (run fsck): " + String.join("; ", problems.subList(0,
                        Math.min(3, problems.size()))));
            }
            m.log.writeHomeLocked(false);
        } finally {
            m.unlockMetadata();
        }
        return m;
    }

    /** CoW staging extents at mount belong to no write any more (xfs_reflink_recover_cow): free them. */
    private void recoverCowLeftoversLocked() {
        Map<Long, Long> staged = md.refcount().staging();
        if (staged.isEmpty()) {
            return;
        }
        Transaction t = new Transaction(md);
        for (Map.Entry<Long, Long> e : new ArrayList<>(staged.entrySet())) {
            t.add(new LogItem.Unstage(e.getKey(), e.getValue())).add(new LogItem.Give(e.getKey(), e.getValue()));
        }
        log.commitLocked(t);
    }

    public BlockDevice device() {
        return device;
    }

    public DirectIoEngine directIo() {
        return directIo;
    }

    public Disk disk() {
        return disk;
    }

    public Geometry geometry() {
        return geo;
    }

    public int blockSize() {
        return geo.blockSize();
    }

    /** The in-memory metadata; read and changed only with the metadata lock held. */
    public Metadata metadata() {
        return md;
    }

    /** The allocator's plans and busy/unshared state; used only with the metadata lock held. */
    public Allocator allocator() {
        return alloc;
    }

    public MetadataLog log() {
        return log;
    }

    public void lockMetadata() {
        metaLock.lock();
    }

    /** Takes the metadata lock if it is free (NOWAIT paths); true when taken. */
    public boolean tryLockMetadata() {
        return metaLock.tryLock();
    }

    public void unlockMetadata() {
        metaLock.unlock();
    }

    public boolean isUnmounted() {
        return unmounted;
    }

    /** Marks the filesystem unmounted; false when it already was. */
    public boolean markUnmountedLocked() {
        if (unmounted) {
            return false;
        }
        unmounted = true;
        return true;
    }

    /** ENODEV once the filesystem is unmounted. */
    public void checkMounted() throws JiomapException {
        if (unmounted) {
            throw new JiomapException(Errno.ENODEV, "the xfs-like filesystem on " + device.name()
                    + " is unmounted");
        }
    }
}
