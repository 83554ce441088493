package io.jiomap.fs.ext4like.meta;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.fs.ext4like.disk.Bytes;
import io.jiomap.fs.ext4like.disk.JournalBlock;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A jbd2-like journal of whole metadata blocks in ordered mode (FORMAT.md section 7; docs/filesystems.md,
 * "ext4-like journal").
 *
 * <p>Every metadata change happens inside a {@link Handle}, which holds the metadata lock: a commit snapshots the
 * running transaction under the same lock, so it never sees half an operation. A commit writes revoke blocks,
 * descriptor blocks with tags and the block copies (escaping the magic), then the commit block with
 * PREFLUSH+FUA: the flush makes the direct-I/O data that completed before it durable first (ordered mode), the FUA
 * makes the commit durable. Committed copies go home only at a checkpoint, which writes them, flushes and marks
 * the journal empty. Blocks freed in a transaction stay busy until it commits (as ext4's mballoc keeps them), so no
 * freed block is reused while an older committed transaction could still describe it.
 *
 * <p>Credits (docs/design-rules.md, "Rule 5"): a handle, or a direct write for its later end_io, reserves journal
 * blocks first; the running transaction plus all reservations never exceed {@link #maxTransaction()}, and a commit
 * first checkpoints when the journal could not take a full transaction, so neither a commit nor an end_io can fail
 * for lack of journal space.
 */
public final class Journal {
    private final BlockCache cache;
    private final int blockSize;
    private final long first;
    private final long length;
    private final ReentrantLock meta = new ReentrantLock();
    private final Condition creditsFreed = meta.newCondition();
    private final ReentrantLock commitLock = new ReentrantLock();
    private final Consumer<List<long[]>> onFreedCommitted;
    private final int maxTxn;
    private Txn running;
    private long reserved;
    private volatile long committedTid;
    private final Map<Long, byte[]> checkpoint = new LinkedHashMap<>();
    private long head;
    private boolean empty = true;
    private volatile int aborted;

    private static final class Txn {
        final long tid;
        final LinkedHashSet<Long> dirty = new LinkedHashSet<>();
        final LinkedHashSet<Long> revoked = new LinkedHashSet<>();
        final List<long[]> freed = new ArrayList<>();

        Txn(long tid) {
            this.tid = tid;
        }

        int cost() {
            return dirty.size() + revoked.size();
        }
    }

    /**
     * @param first            the journal superblock's block; transactions follow it
     * @param length           journal blocks, superblock included
     * @param nextTid          the sequence of the first transaction to write
     * @param onFreedCommitted told (under the metadata lock) which freed extents became reusable
     */
    public Journal(BlockCache cache, long first, long length, long nextTid, Consumer<List<long[]>> onFreedCommitted) {
        this.cache = cache;
        this.blockSize = cache.blockSize();
        this.first = first;
        this.length = length;
        this.onFreedCommitted = onFreedCommitted;
        this.running = new Txn(nextTid);
        this.committedTid = nextTid - 1;
        this.head = 1;
        // A transaction of n blocks needs n/tags descriptors, n/revokes revoke blocks and a commit block: half the
        // journal always holds one after a checkpoint.
        this.maxTxn = (int) Math.max(8, (length - 1) / 2 - 2);
    }

    /** The largest transaction, in metadata blocks (and revokes) a commit can write in one go. */
    public int maxTransaction() {
        return maxTxn;
    }

    public ReentrantLock metaLock() {
        return meta;
    }

    /** The transaction changes made now belong to. */
    public long runningTid() {
        return running.tid;
    }

    public long committedTid() {
        return committedTid;
    }

    /** A handle: journal credits reserved and the metadata lock held until {@link #close}. */
    public final class Handle implements AutoCloseable {
        private final int credits;

        private Handle(int credits) {
            this.credits = credits;
        }

        public long tid() {
            return running.tid;
        }

        @Override
        public void close() {
            reserved -= credits;
            creditsFreed.signalAll();
            meta.unlock();
        }
    }

    /**
     * Turns credits reserved earlier with {@link #reserve} into a handle (taking the metadata lock without waiting
     * for journal space): how end_io uses what its write reserved before the I/O (docs/design-rules.md, "Rule 5").
     */
    public Handle adopt(int credits) {
        meta.lock();
        return new Handle(credits);
    }

    /**
     * A handle for end_io work beyond what its write reserved (a write across several unwritten extents): it
     * commits the running transaction to make room but never waits for other writes' reservations, since their
     * end_io may be queued behind this one on the same workqueue. The overdraft is bounded by the threads running
     * end_io at once, and half the journal is kept beyond {@link #maxTransaction()} for it.
     */
    public Handle startOverdraft(int credits) {
        while (true) {
            checkAborted();
            meta.lock();
            if (running.cost() == 0 || running.cost() + reserved + credits <= maxTxn) {
                reserved += credits;
                return new Handle(credits);
            }
            meta.unlock();
            int r = commit();
            if (r < 0) {
                throw new FsError(-r, "committing the journal to make room");
            }
        }
    }

    /** Reserves credits and takes the metadata lock. @throws FsError EIO once the journal aborted */
    public Handle start(int credits) {
        if (!reserve(credits, false)) {
            throw new FsError(Errno.EAGAIN, "journal full");
        }
        meta.lock();
        return new Handle(credits);
    }

    /**
     * Reserves credits for later use (an end_io), committing or waiting for other reservations as needed.
     *
     * @param nowait give up (false) instead of committing or waiting
     */
    public boolean reserve(int credits, boolean nowait) {
        if (credits > maxTxn) {
            throw new FsError(Errno.ENOSPC, "an operation needs " + credits + " journal blocks, more than the "
                    + maxTxn + " a transaction of this journal can hold");
        }
        while (true) {
            checkAborted();
            boolean commitNeeded;
            meta.lock();
            try {
                if (running.cost() + reserved + credits <= maxTxn) {
                    reserved += credits;
                    return true;
                }
                if (nowait) {
                    return false;
                }
                commitNeeded = running.cost() > 0;
                if (!commitNeeded) {
                    // Only other reservations are in the way: their end_io releases them (device I/O only).
                    creditsFreed.await(10, TimeUnit.MILLISECONDS);
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FsError(Errno.EINTR, "interrupted waiting for journal space");
            } finally {
                meta.unlock();
            }
            int r = commit();
            if (r < 0) {
                throw new FsError(-r, "committing the journal to make room");
            }
        }
    }

    /** Credits reserved now: by open handles and for end_io work not yet done. */
    public long reservedCredits() {
        meta.lock();
        try {
            return reserved;
        } finally {
            meta.unlock();
        }
    }

    /** Gives back credits reserved with {@link #reserve}. */
    public void release(int credits) {
        meta.lock();
        try {
            reserved -= credits;
            creditsFreed.signalAll();
        } finally {
            meta.unlock();
        }
    }

    /** Marks a cached metadata block changed in the running transaction. */
    public void dirtyLocked(long block) {
        running.dirty.add(block);
        running.revoked.remove(block);
    }

    /**
     * Records that a metadata block is freed: older copies in the journal must not be replayed over whatever the
     * block holds next (a revoke record), and the cached copy goes.
     */
    public void revokeLocked(long block) {
        running.dirty.remove(block);
        running.revoked.add(block);
        cache.forget(block);
    }

    /** Extents freed in the running transaction: they become allocatable when it commits. */
    public void freedLocked(long start, long count) {
        running.freed.add(new long[] {start, count});
    }

    private void checkAborted() {
        if (aborted != 0) {
            throw new FsError(Errno.EIO, "the journal aborted after a write error; unmount and mount again");
        }
    }

    /**
     * Commits the running transaction (if it changed anything).
     *
     * @return 1 if a commit block was written, 0 if there was nothing to commit, or a negative errno
     */
    public int commit() {
        commitLock.lock();
        try {
            if (aborted != 0) {
                return -aborted;
            }
            Txn t;
            Map<Long, byte[]> copies = new LinkedHashMap<>();
            meta.lock();
            try {
                t = running;
                if (t.dirty.isEmpty() && t.revoked.isEmpty() && t.freed.isEmpty()) {
                    return 0;
                }
                for (long b : t.dirty) {
                    copies.put(b, cache.get(b).clone());
                }
                running = new Txn(t.tid + 1);
            } finally {
                meta.unlock();
            }
            try {
                write(t, copies);
            } catch (FsError e) {
                aborted = e.errno();
                return -e.errno();
            }
            meta.lock();
            try {
                for (long b : t.revoked) {
                    checkpoint.remove(b);
                }
                checkpoint.putAll(copies);
                committedTid = t.tid;
                onFreedCommitted.accept(t.freed);
                creditsFreed.signalAll();
            } finally {
                meta.unlock();
            }
            return 1;
        } finally {
            commitLock.unlock();
        }
    }

    private void write(Txn t, Map<Long, byte[]> copies) {
        int perDesc = JournalBlock.tagsPerDescriptor(blockSize);
        int perRevoke = JournalBlock.revokesPerBlock(blockSize);
        int revokeBlocks = (t.revoked.size() + perRevoke - 1) / perRevoke;
        int descBlocks = (copies.size() + perDesc - 1) / perDesc;
        long needed = revokeBlocks + descBlocks + copies.size() + 1;
        if (head + needed > length) {
            checkpointLocked();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Long> revokes = new ArrayList<>(t.revoked);
        for (int i = 0; i < revokeBlocks; i++) {
            byte[] b = new byte[blockSize];
            JournalBlock.header(b, JournalBlock.REVOKE, t.tid);
            List<Long> part = revokes.subList(i * perRevoke, Math.min(revokes.size(), (i + 1) * perRevoke));
            Bytes.be32(b, 12, part.size());
            for (int k = 0; k < part.size(); k++) {
                Bytes.be32(b, 16 + 4 * k, part.get(k));
            }
            JournalBlock.sealTail(b);
            out.writeBytes(b);
        }
        List<Map.Entry<Long, byte[]>> entries = new ArrayList<>(copies.entrySet());
        for (int i = 0; i < entries.size(); i += perDesc) {
            List<Map.Entry<Long, byte[]>> part = entries.subList(i, Math.min(entries.size(), i + perDesc));
            byte[] desc = new byte[blockSize];
            JournalBlock.header(desc, JournalBlock.DESCRIPTOR, t.tid);
            List<byte[]> data = new ArrayList<>();
            for (int k = 0; k < part.size(); k++) {
                byte[] copy = part.get(k).getValue().clone();
                int flags = k == part.size() - 1 ? JournalBlock.TAG_LAST : 0;
                if (Bytes.be32(copy, 0) == JournalBlock.MAGIC) {
                    // A copy that starts like a journal block would confuse the scan: store it escaped.
                    Bytes.be32(copy, 0, 0);
                    flags |= JournalBlock.TAG_ESCAPE;
                }
                int p = JournalBlock.HEADER + k * JournalBlock.TAG_SIZE;
                Bytes.be32(desc, p, part.get(k).getKey());
                Bytes.be32(desc, p + 4, flags);
                Bytes.be32(desc, p + 8, Bytes.crc(0, copy, 0, copy.length) & 0xFFFFFFFFL);
                data.add(copy);
            }
            JournalBlock.sealTail(desc);
            out.writeBytes(desc);
            data.forEach(out::writeBytes);
        }
        byte[] body = out.toByteArray();
        long start = head;
        if (body.length > 0) {
            cache.writeRaw(first + start, body, 0);
        }
        if (empty) {
            byte[] sb = new byte[blockSize];
            JournalBlock.encodeSuper(sb, blockSize, length, t.tid, start);
            cache.writeRaw(first, sb, 0);
        }
        byte[] commit = new byte[blockSize];
        JournalBlock.header(commit, JournalBlock.COMMIT, t.tid);
        Bytes.be32(commit, 12, Bytes.crc(t.tid, body, 0, body.length) & 0xFFFFFFFFL);
        Bytes.be32(commit, 16, body.length / blockSize);
        Bytes.be32(commit, 20, Bytes.crc(0, commit, 0, 20) & 0xFFFFFFFFL);
        // PREFLUSH: everything completed before (journal blocks, ordered data) is durable before the commit is.
        cache.writeRaw(first + start + body.length / blockSize, commit, Bio.PREFLUSH | Bio.FUA);
        head = start + body.length / blockSize + 1;
        empty = false;
    }

    /** Writes every committed copy home and empties the journal (after committing what runs). */
    public int checkpoint() {
        int r = commit();
        if (r < 0) {
            return r;
        }
        commitLock.lock();
        try {
            if (aborted != 0) {
                return -aborted;
            }
            checkpointLocked();
            return 0;
        } catch (FsError e) {
            aborted = e.errno();
            return -e.errno();
        } finally {
            commitLock.unlock();
        }
    }

    private void checkpointLocked() {
        Map<Long, byte[]> pending;
        meta.lock();
        try {
            pending = new LinkedHashMap<>(checkpoint);
        } finally {
            meta.unlock();
        }
        if (empty && pending.isEmpty()) {
            return;
        }
        pending.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> cache.writeRaw(e.getKey(), e.getValue(), 0));
        cache.flush();
        byte[] sb = new byte[blockSize];
        JournalBlock.encodeSuper(sb, blockSize, length, committedTid + 1, 0);
        cache.writeRaw(first, sb, Bio.FUA);
        meta.lock();
        try {
            pending.forEach((k, v) -> checkpoint.remove(k, v));
        } finally {
            meta.unlock();
        }
        head = 1;
        empty = true;
    }

    /** Whether a commit is needed for everything changed so far to be durable. */
    public boolean hasUncommitted() {
        meta.lock();
        try {
            return running.cost() > 0 || !running.freed.isEmpty();
        } finally {
            meta.unlock();
        }
    }
}
