package io.jiomap.fs.ext4like.meta;

import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.fs.ext4like.disk.Bytes;
import io.jiomap.fs.ext4like.disk.FormatException;
import io.jiomap.fs.ext4like.disk.JournalBlock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Journal recovery as jbd2 does it (docs/filesystems.md, "ext4-like"): SCAN from the journal superblock's start for the
 * last transaction with a valid commit block, collect REVOKE records, REPLAY the block copies of committed
 * transactions (skipping revoked ones), then write the replayed blocks home, flush and mark the journal empty.
 * Replaying is idempotent: a crash during recovery leaves the journal as it was, and the next mount replays again.
 */
public final class Recovery {
    /** What a scan found. */
    public record Scan(long sequence, long start, List<Long> committed, Map<Long, byte[]> replay) {
        public boolean needed() {
            return start != 0;
        }

        /** The sequence the next transaction written gets. */
        public long nextTid() {
            return committed.isEmpty() ? sequence : committed.getLast() + 1;
        }
    }

    private Recovery() {
    }

    /** Reads the journal superblock and, if the journal is not empty, scans it. */
    public static Scan scan(BlockDevice device, int blockSize, long first, long length) throws FormatException {
        byte[] sbBlock = BlockCache.readRaw(device, first, blockSize);
        long[] js = JournalBlock.decodeSuper(sbBlock, "journal superblock (block " + first + ")");
        if (js[0] != blockSize || js[1] != length) {
            throw new FormatException("journal superblock (block " + first + "): block size " + js[0] + " and length "
                    + js[1] + " do not match the filesystem's " + blockSize + " and " + length);
        }
        long sequence = js[3];
        long start = js[4];
        List<Long> committed = new ArrayList<>();
        Map<Long, byte[]> replay = new LinkedHashMap<>();
        if (start == 0) {
            return new Scan(sequence, 0, committed, replay);
        }
        if (start >= length) {
            throw new FormatException("journal superblock (block " + first + "): start " + start
                    + " lies outside the journal of " + length + " blocks");
        }
        // SCAN: transactions in order until one is incomplete.
        record Copy(long home, byte[] data) {
        }
        List<List<Copy>> txnCopies = new ArrayList<>();
        Map<Long, Long> revokedAt = new HashMap<>();
        long pos = start;
        long expect = sequence;
        scan:
        while (pos < length) {
            List<Copy> copies = new ArrayList<>();
            List<Long> revokes = new ArrayList<>();
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            while (true) {
                if (pos >= length) {
                    break scan;
                }
                byte[] b = BlockCache.readRaw(device, first + pos, blockSize);
                if (!JournalBlock.isJournalBlock(b) || JournalBlock.sequence(b) != expect) {
                    break scan;
                }
                int type = JournalBlock.type(b);
                if (type == JournalBlock.REVOKE) {
                    if (!JournalBlock.tailValid(b)) {
                        break scan;
                    }
                    long n = Bytes.be32(b, 12);
                    for (int k = 0; k < n && 16 + 4 * k < blockSize - 4; k++) {
                        revokes.add(Bytes.be32(b, 16 + 4 * k));
                    }
                    body.writeBytes(b);
                    pos++;
                } else if (type == JournalBlock.DESCRIPTOR) {
                    if (!JournalBlock.tailValid(b)) {
                        break scan;
                    }
                    body.writeBytes(b);
                    pos++;
                    int per = JournalBlock.tagsPerDescriptor(blockSize);
                    for (int k = 0; k < per; k++) {
                        int p = JournalBlock.HEADER + k * JournalBlock.TAG_SIZE;
                        long home = Bytes.be32(b, p);
                        long flags = Bytes.be32(b, p + 4);
                        long crc = Bytes.be32(b, p + 8);
                        if (pos >= length) {
                            break scan;
                        }
                        byte[] data = BlockCache.readRaw(device, first + pos, blockSize);
                        body.writeBytes(data);
                        pos++;
                        if ((Bytes.crc(0, data, 0, blockSize) & 0xFFFFFFFFL) != crc) {
                            // A torn or lost copy: its transaction cannot have committed.
                            break scan;
                        }
                        if ((flags & JournalBlock.TAG_ESCAPE) != 0) {
                            Bytes.be32(data, 0, JournalBlock.MAGIC);
                        }
                        copies.add(new Copy(home, data));
                        if ((flags & JournalBlock.TAG_LAST) != 0) {
                            break;
                        }
                    }
                } else if (type == JournalBlock.COMMIT) {
                    byte[] all = body.toByteArray();
                    boolean valid = Bytes.be32(b, 20) == (Bytes.crc(0, b, 0, 20) & 0xFFFFFFFFL)
                            && Bytes.be32(b, 12) == (Bytes.crc(expect, all, 0, all.length) & 0xFFFFFFFFL)
                            && Bytes.be32(b, 16) == all.length / blockSize;
                    if (!valid) {
                        break scan;
                    }
                    pos++;
                    for (long r : revokes) {
                        revokedAt.merge(r, expect, Math::max);
                    }
                    txnCopies.add(copies);
                    committed.add(expect);
                    expect++;
                    continue scan;
                } else {
                    break scan;
                }
            }
        }
        // REPLAY, in transaction order; a block revoked by the same or a later transaction is skipped.
        for (int i = 0; i < txnCopies.size(); i++) {
            long tid = committed.get(i);
            for (Copy c : txnCopies.get(i)) {
                Long rev = revokedAt.get(c.home());
                if (rev != null && rev >= tid) {
                    continue;
                }
                replay.put(c.home(), c.data());
            }
        }
        return new Scan(sequence, start, committed, replay);
    }

    /** Writes the replayed blocks home, flushes, and marks the journal empty. @return the next transaction id */
    public static long replay(BlockDevice device, int blockSize, long first, long length, Scan scan) {
        if (!scan.needed()) {
            return scan.sequence();
        }
        scan.replay().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> BlockCache.writeRaw(device, e.getKey() * blockSize, e.getValue(), 0));
        int r = io.jiomap.api.block.SyncBio.flush(device);
        if (r < 0) {
            throw new FsError(-r, "flushing after journal replay");
        }
        byte[] sb = new byte[blockSize];
        // One past the next free sequence: blocks of a transaction that never committed carry that sequence and
        // must never be taken for part of a later one.
        long next = scan.nextTid() + 1;
        JournalBlock.encodeSuper(sb, blockSize, length, next, 0);
        BlockCache.writeRaw(device, first * blockSize, sb, Bio.FUA);
        return next;
    }
}
