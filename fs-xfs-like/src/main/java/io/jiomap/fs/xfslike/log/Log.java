package io.jiomap.fs.xfslike.log;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.Bio;
import io.jiomap.fs.xfslike.format.BlockType;
import io.jiomap.fs.xfslike.format.Disk;
import io.jiomap.fs.xfslike.format.Geometry;
import io.jiomap.fs.xfslike.format.MetaBlock;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The metadata log (FORMAT.md "Log"): committed transactions gather in memory (the CIL), and a log force writes all
 * of them as one checkpoint of consecutive log blocks, the first write with PREFLUSH (data and earlier writes the
 * transactions depend on become stable first) and the commit block with FUA. A checkpoint counts only if every one
 * of its blocks is valid: a torn or unfinished one is where recovery stops. The log is circular between the tail
 * the superblock records and the head; a new checkpoint of metadata home moves the tail to the head and starts a new
 * epoch, so blocks of an older epoch are never mistaken for current ones.
 *
 * <p>Not thread-safe: the filesystem calls it under its metadata lock.
 */
public final class Log {
    /** What the caller must do when a checkpoint does not fit between head and tail: write metadata home. */
    public static final int NO_ROOM = 1;

    private final Disk disk;
    private final Geometry geometry;
    private final UUID uuid;
    private final int payloadPerBlock;
    private ByteArrayOutputStream cil = new ByteArrayOutputStream();
    private long lastCommitted;
    private volatile long stable;
    private long epoch;
    private long head;
    private long used;
    private long nextCheckpointSeq;

    public Log(Disk disk, Geometry geometry, UUID uuid) {
        this.disk = disk;
        this.geometry = geometry;
        this.uuid = uuid;
        this.payloadPerBlock = geometry.blockSize() - MetaBlock.HEADER;
    }

    /** Starts an epoch: the log is empty from {@code tail}, the next checkpoint has {@code seq}. */
    public void reset(long newEpoch, long tail, long seq) {
        this.epoch = newEpoch;
        this.head = tail;
        this.used = 0;
        this.nextCheckpointSeq = seq;
    }

    public long head() {
        return head;
    }

    public long nextCheckpointSeq() {
        return nextCheckpointSeq;
    }

    /** Sets the transaction sequence after mount: everything up to {@code seq} is stable. */
    public void setCommitted(long seq) {
        this.lastCommitted = seq;
        this.stable = seq;
    }

    /** Appends a transaction to the CIL; returns its sequence number. */
    public long commit(Transaction t) {
        long seq = ++lastCommitted;
        ByteBuffer b = ByteBuffer.allocate(t.encodedSize()).order(ByteOrder.LITTLE_ENDIAN);
        t.encode(b, seq);
        cil.write(b.array(), 0, b.position());
        return seq;
    }

    public long lastCommitted() {
        return lastCommitted;
    }

    /** The highest transaction sequence known to be on stable storage. */
    public long stable() {
        return stable;
    }

    public boolean cilEmpty() {
        return cil.size() == 0;
    }

    /** Blocks a checkpoint of the current CIL needs. */
    public long cilBlocks() {
        return (cil.size() + payloadPerBlock - 1) / payloadPerBlock;
    }

    /**
     * Writes the CIL as one checkpoint. @return 0, or {@link #NO_ROOM} when it does not fit between head and tail
     * (the CIL is kept; the caller writes metadata home, which makes the CIL stable and empties it)
     */
    public int force() throws JiomapException {
        if (cil.size() == 0) {
            return 0;
        }
        byte[] payload = cil.toByteArray();
        int n = (payload.length + payloadPerBlock - 1) / payloadPerBlock;
        if (used + n > geometry.logBlocks()) {
            return NO_ROOM;
        }
        long seq = nextCheckpointSeq;
        byte[] all = new byte[n * geometry.blockSize()];
        for (int i = 0; i < n; i++) {
            int off = i * payloadPerBlock;
            int len = Math.min(payloadPerBlock, payload.length - off);
            byte[] chunk = new byte[payloadPerBlock];
            System.arraycopy(payload, off, chunk, 0, len);
            byte[] block = MetaBlock.build(geometry.blockSize(), BlockType.LOG, i, seq, epoch, uuid, n, chunk, len);
            System.arraycopy(block, 0, all, i * geometry.blockSize(), block.length);
        }
        long first = Math.min(n, geometry.logBlocks() - head);
        int bs = geometry.blockSize();
        if (first == n) {
            disk.writeBytes(geometry.byteOf(geometry.logStart() + head), all, 0, all.length,
                    Bio.PREFLUSH | Bio.FUA);
        } else {
            // Wrapping: the first part flushes what came before, the commit part is FUA and flushes the first.
            disk.writeBytes(geometry.byteOf(geometry.logStart() + head), all, 0, (int) first * bs, Bio.PREFLUSH);
            disk.writeBytes(geometry.byteOf(geometry.logStart()), all, (int) first * bs, (int) (n - first) * bs,
                    Bio.PREFLUSH | Bio.FUA);
        }
        head = (head + n) % geometry.logBlocks();
        used += n;
        nextCheckpointSeq++;
        cil = new ByteArrayOutputStream();
        stable = lastCommitted;
        return 0;
    }

    /** Metadata went home with everything committed: the CIL is stable and empty. */
    public void checkpointed() {
        cil = new ByteArrayOutputStream();
        stable = lastCommitted;
    }

    /**
     * What recovery found between tail and head.
     *
     * @param transactions committed transactions in log order
     * @param checkpoints  complete checkpoints found
     * @param head         log block index after the last complete checkpoint
     */
    public record Scan(List<Transaction.Committed> transactions, int checkpoints, long head, long nextSeq) {
    }

    /** Finds the head by walking checkpoints from the tail until one is missing, torn or of another epoch. */
    public static Scan scan(Disk disk, Geometry g, UUID uuid, long epoch, long tail, long tailSeq)
            throws JiomapException {
        List<Transaction.Committed> txns = new ArrayList<>();
        long pos = tail;
        long seq = tailSeq;
        long used = 0;
        int checkpoints = 0;
        int bs = g.blockSize();
        while (used < g.logBlocks()) {
            ByteBuffer first = ByteBuffer.wrap(disk.read(g.logStart() + pos, 1));
            if (!isBlockOf(first, bs, uuid, epoch, seq, 0)) {
                break;
            }
            int n = MetaBlock.peek(first).records();
            if (n < 1 || used + n > g.logBlocks()) {
                break;
            }
            ByteArrayOutputStream payload = new ByteArrayOutputStream();
            boolean complete = true;
            for (int i = 0; i < n; i++) {
                ByteBuffer b = i == 0 ? first : ByteBuffer.wrap(disk.read(g.logStart() + (pos + i) % g.logBlocks(), 1));
                if (!isBlockOf(b, bs, uuid, epoch, seq, i) || MetaBlock.peek(b).records() != n) {
                    complete = false;
                    break;
                }
                ByteBuffer p = MetaBlock.payload(b);
                byte[] chunk = new byte[p.remaining()];
                p.get(chunk);
                payload.write(chunk, 0, chunk.length);
            }
            if (!complete) {
                break;
            }
            ByteBuffer p = ByteBuffer.wrap(payload.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
            List<Transaction.Committed> found = new ArrayList<>();
            try {
                while (p.hasRemaining()) {
                    found.add(Transaction.decode(p));
                }
            } catch (RuntimeException e) {
                throw new JiomapException(io.jiomap.api.Errno.EUCLEAN, "log checkpoint " + seq + " at log block "
                        + pos + " has valid checksums but undecodable transactions: " + e.getMessage(), e);
            }
            txns.addAll(found);
            checkpoints++;
            pos = (pos + n) % g.logBlocks();
            used += n;
            seq++;
        }
        return new Scan(txns, checkpoints, pos, seq);
    }

    private static boolean isBlockOf(ByteBuffer b, int bs, UUID uuid, long epoch, long seq, int index) {
        if (MetaBlock.invalidity(b, bs, uuid) != null) {
            return false;
        }
        MetaBlock.Header h = MetaBlock.peek(b);
        return h.type() == BlockType.LOG && h.generation() == epoch && h.owner() == seq && h.index() == index;
    }
}
