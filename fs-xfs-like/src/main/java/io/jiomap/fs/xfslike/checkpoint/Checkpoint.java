package io.jiomap.fs.xfslike.checkpoint;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.fs.xfslike.format.BlockType;
import io.jiomap.fs.xfslike.format.Disk;
import io.jiomap.fs.xfslike.format.Geometry;
import io.jiomap.fs.xfslike.format.InodeRecords;
import io.jiomap.fs.xfslike.format.MetaBlock;
import io.jiomap.fs.xfslike.format.SegmentWriter;
import io.jiomap.fs.xfslike.meta.Extent;
import io.jiomap.fs.xfslike.meta.FreeSpace;
import io.jiomap.fs.xfslike.meta.InodeCore;
import io.jiomap.fs.xfslike.meta.InodeTally;
import io.jiomap.fs.xfslike.meta.Metadata;
import io.jiomap.fs.xfslike.meta.RefcountIndex;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Metadata written home (FORMAT.md "Checkpoint regions"): the whole metadata state as segments of typed blocks in
 * one of the two checkpoint regions. The superblock names the region that is current; a new checkpoint goes to
 * the other one and becomes current only when the superblock write that names it is stable, so a crash at any
 * point leaves one complete checkpoint plus the log written after it.
 */
public final class Checkpoint {
    static final int SUMMARY = 40;
    static final int ENTRY = 26;

    private Checkpoint() {
    }

    /** One segment of the table: {@code blocks} blocks from region block {@code first}. */
    public record Segment(BlockType type, long owner, int first, int blocks, long records) {
    }

    /** Encodes {@code m} as checkpoint {@code generation}: the blocks to write from the region start. */
    public static byte[] encode(Metadata m, UUID uuid, long generation, long lastSeq) {
        Geometry g = m.geometry();
        int bs = g.blockSize();
        List<SegmentWriter> segs = new ArrayList<>();
        for (int ag = 0; ag < g.agCount(); ag++) {
            FreeSpace f = m.free(ag);
            SegmentWriter h = new SegmentWriter(bs, BlockType.AG_HEADER, ag, generation, uuid);
            long allocated = 0;
            long freeInodes = 0;
            for (long mask : m.inobt(ag).values()) {
                allocated += Metadata.CHUNK - Long.bitCount(mask);
                freeInodes += Long.bitCount(mask);
            }
            long agShared = 0;
            long agStaging = 0;
            for (RefcountIndex.Shared s : m.refcount().shared()) {
                agShared += g.agOf(s.start()) == ag ? 1 : 0;
            }
            for (long s : m.refcount().staging().keySet()) {
                agStaging += g.agOf(s) == ag ? 1 : 0;
            }
            h.record(56).putLong(f.freeBlocks()).putLong(f.extentCount()).putLong(f.longest()).putLong(allocated)
                    .putLong(freeInodes).putLong(agShared).putLong(agStaging);
            segs.add(h);
            SegmentWriter bno = new SegmentWriter(bs, BlockType.BNO, ag, generation, uuid);
            for (Map.Entry<Long, Long> e : f.byBlock().entrySet()) {
                bno.record(16).putLong(e.getKey()).putLong(e.getValue());
            }
            segs.add(bno);
            SegmentWriter cnt = new SegmentWriter(bs, BlockType.CNT, ag, generation, uuid);
            f.forEachBySize((len, start) -> {
                cnt.record(16).putLong(len).putLong(start);
                return 0;
            });
            segs.add(cnt);
            SegmentWriter ino = new SegmentWriter(bs, BlockType.INOBT, ag, generation, uuid);
            for (Map.Entry<Long, Long> e : m.inobt(ag).entrySet()) {
                ino.record(16).putLong(e.getKey()).putLong(e.getValue());
            }
            segs.add(ino);
            SegmentWriter ref = new SegmentWriter(bs, BlockType.REFCOUNT, ag, generation, uuid);
            for (RefcountIndex.Shared s : m.refcount().shared()) {
                if (g.agOf(s.start()) == ag) {
                    ref.record(24).putLong(s.start()).putLong(s.length()).putInt(s.count()).putInt(0);
                }
            }
            for (Map.Entry<Long, Long> s : m.refcount().staging().entrySet()) {
                if (g.agOf(s.getKey()) == ag) {
                    ref.record(24).putLong(s.getKey()).putLong(s.getValue()).putInt(1).putInt(1);
                }
            }
            segs.add(ref);
        }
        SegmentWriter inodes = new SegmentWriter(bs, BlockType.INODES, 0, generation, uuid);
        List<SegmentWriter> forks = new ArrayList<>();
        for (InodeCore c : m.inodes().values()) {
            int n = c.data().size();
            boolean inline = InodeRecords.isInline(n);
            ByteBuffer r = inodes.record(InodeRecords.inodeBytes(n));
            r.putLong(c.ino()).put((byte) c.kind().ordinal()).put((byte) (inline ? 0 : 1))
                    .putShort((short) c.flags()).putInt(c.nlink()).putLong(c.size()).putShort((short) c.mode())
                    .putInt(c.uid()).putInt(c.gid()).putLong(c.generation()).putLong(c.parent()).putLong(c.atime())
                    .putLong(c.mtime()).putLong(c.ctime()).putInt(n);
            if (inline) {
                for (Extent e : c.data().all()) {
                    r.putLong(e.packedHigh()).putLong(e.packedLow());
                }
            } else {
                SegmentWriter bm = new SegmentWriter(bs, BlockType.BMAP, c.ino(), generation, uuid);
                for (Extent e : c.data().all()) {
                    bm.record(16).putLong(e.packedHigh()).putLong(e.packedLow());
                }
                forks.add(bm);
            }
            if (c.isDir()) {
                SegmentWriter d = new SegmentWriter(bs, BlockType.DIR, c.ino(), generation, uuid);
                for (Map.Entry<String, Long> e : c.entries().entrySet()) {
                    byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
                    d.record(InodeRecords.ENTRY_FIXED + name.length).putLong(e.getValue())
                            .putShort((short) name.length).put(name);
                }
                forks.add(d);
            }
        }
        segs.add(inodes);
        segs.add(extras(m, bs, generation, uuid));
        segs.addAll(forks);

        List<List<byte[]>> blocks = new ArrayList<>();
        for (SegmentWriter s : segs) {
            blocks.add(s.finish());
        }
        int headerBlocks = (int) headerBlocks(bs, segs.size());
        List<Segment> table = new ArrayList<>();
        int at = headerBlocks;
        for (int i = 0; i < segs.size(); i++) {
            table.add(new Segment(segs.get(i).type(), segs.get(i).owner(), at, blocks.get(i).size(),
                    segs.get(i).records()));
            at += blocks.get(i).size();
        }
        SegmentWriter header = new SegmentWriter(bs, BlockType.CHECKPOINT, 0, generation, uuid);
        header.record(SUMMARY).putLong(m.rootIno()).putInt(segs.size()).putInt(headerBlocks).putLong(at)
                .putLong(lastSeq).putLong(m.nextGeneration());
        for (Segment s : table) {
            header.record(ENTRY).putShort((short) s.type().code()).putLong(s.owner()).putInt(s.first())
                    .putInt(s.blocks()).putLong(s.records());
        }
        List<byte[]> hb = header.finish();
        if (hb.size() != headerBlocks) {
            throw new IllegalStateException("checkpoint header took " + hb.size() + " blocks, planned "
                    + headerBlocks);
        }
        byte[] out = new byte[at * bs];
        int pos = 0;
        for (byte[] b : hb) {
            System.arraycopy(b, 0, out, pos, bs);
            pos += bs;
        }
        for (List<byte[]> l : blocks) {
            for (byte[] b : l) {
                System.arraycopy(b, 0, out, pos, bs);
                pos += bs;
            }
        }
        return out;
    }

    /**
     * The extras segment: each inode with a symlink target or extended attributes has one extras record (target
     * length 2, target, attribute count 2, then per attribute name length 1, name, value length 4, value), cut into
     * chunk records (inode 8, offset 4, length 2, bytes) that fill each block, so a record of any size fits.
     */
    private static SegmentWriter extras(Metadata m, int bs, long generation, UUID uuid) {
        SegmentWriter w = new SegmentWriter(bs, BlockType.EXTRAS, 0, generation, uuid);
        int fixed = InodeRecords.EXTRAS_CHUNK_FIXED;
        for (InodeCore c : m.inodes().values()) {
            if (c.extraBytes() == 0) {
                continue;
            }
            byte[] rec = extrasRecord(c);
            int off = 0;
            while (off < rec.length) {
                int room = w.room() > fixed ? w.room() - fixed : w.payloadBytes() - fixed;
                int len = Math.min(rec.length - off, room);
                w.record(fixed + len).putLong(c.ino()).putInt(off).putShort((short) len).put(rec, off, len);
                off += len;
            }
        }
        return w;
    }

    private static byte[] extrasRecord(InodeCore c) {
        ByteBuffer b = ByteBuffer.allocate(c.extraBytes()).order(ByteOrder.LITTLE_ENDIAN);
        byte[] t = c.target() == null ? new byte[0] : c.target().getBytes(StandardCharsets.UTF_8);
        b.putShort((short) t.length).put(t).putShort((short) c.xattrs().size());
        for (Map.Entry<String, byte[]> e : c.xattrs().entrySet()) {
            byte[] n = e.getKey().getBytes(StandardCharsets.UTF_8);
            b.put((byte) n.length).put(n).putInt(e.getValue().length).put(e.getValue());
        }
        if (b.hasRemaining()) {
            throw new IllegalStateException("inode " + c.ino() + " extras: " + b.position() + " bytes encoded, "
                    + c.extraBytes() + " counted");
        }
        return b.array();
    }

    /** Decodes one inode's extras record into it. */
    private static void loadExtras(InodeCore c, byte[] rec) {
        ByteBuffer b = ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN);
        byte[] t = new byte[b.getShort() & 0xffff];
        b.get(t);
        int count = b.getShort() & 0xffff;
        Map<String, byte[]> attrs = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            byte[] n = new byte[b.get() & 0xff];
            b.get(n);
            byte[] v = new byte[b.getInt()];
            b.get(v);
            attrs.put(new String(n, StandardCharsets.UTF_8), v);
        }
        if (b.hasRemaining()) {
            throw new IllegalArgumentException("extras record of inode " + c.ino() + " has " + b.remaining()
                    + " bytes after its last attribute");
        }
        if (c.isSymlink() != (t.length > 0)) {
            throw new IllegalArgumentException("inode " + c.ino() + " is a " + c.kind() + " with a target of "
                    + t.length + " bytes");
        }
        c.loadExtras(c.isSymlink() ? new String(t, StandardCharsets.UTF_8) : null, attrs);
    }

    private static long headerBlocks(int bs, long segments) {
        int per = bs - MetaBlock.HEADER;
        int firstPer = (per - SUMMARY) / ENTRY;
        if (segments <= firstPer) {
            return 1;
        }
        return 1 + (segments - firstPer + per / ENTRY - 1) / (per / ENTRY);
    }

    /**
     * At least as many blocks as {@link #encode} produces for {@code m}: the room a checkpoint needs, in time
     * independent of the number of inodes (the inode and directory parts come from {@link Metadata#tally()}). Exact
     * for the fixed-size segments; the inode records and directory entries are bounded, not packed: each block is
     * charged the waste of the largest record present (short names and few inline extents waste little).
     */
    public static long blocksNeeded(Metadata m) {
        Geometry g = m.geometry();
        int per = g.blockSize() - MetaBlock.HEADER;
        long blocks = 0;
        long segments = 0;
        long sharedPer = m.refcount().sharedCount() + m.refcount().staging().size();
        for (int ag = 0; ag < g.agCount(); ag++) {
            FreeSpace f = m.free(ag);
            blocks += 1 + 2 * InodeRecords.fixedBlocks(f.extentCount(), 16, per)
                    + InodeRecords.fixedBlocks(m.inobt(ag).size(), 16, per);
            // Shared records are split by AG; counting them all per AG is an upper bound.
            blocks += InodeRecords.fixedBlocks(sharedPer, 24, per);
            segments += 5;
        }
        InodeTally t = m.tally();
        blocks += InodeRecords.packedBlocksBound(t.inodeBytes(), t.largestInodeRecord(), per);
        blocks += t.forkBlocks();
        segments += t.forkInodes();
        // Each directory is a segment of at least one block; together they hold dirBytes, packed as the inodes are.
        blocks += t.dirs() + t.dirBytes() / (per - t.largestEntryRecord() + 1);
        segments += t.dirs();
        // Extras: chunks fill every block but the last to within one chunk header, and each block boundary adds at
        // most one chunk: B blocks hold E bytes in at most N + B chunks, so B <= 1 + (c + E + cN) / (per - 2c).
        int chunk = InodeRecords.EXTRAS_CHUNK_FIXED;
        blocks += 1 + (chunk + t.extraBytes() + chunk * t.extraInodes()) / (per - 2 * chunk);
        segments += 2;
        return blocks + headerBlocks(g.blockSize(), segments);
    }

    /** What a checkpoint decoded to. */
    public record Loaded(Metadata metadata, long lastSeq, List<Segment> segments) {
    }

    /**
     * Reads and validates the checkpoint of {@code generation} at {@code regionStart}: every block's magic, CRC,
     * UUID, type, owner, index and generation, then the records.
     *
     * @throws JiomapException EUCLEAN naming the block and what is wrong
     */
    public static Loaded load(Disk disk, Geometry g, UUID uuid, long generation, long regionStart, long usedBlocks)
            throws JiomapException {
        int bs = g.blockSize();
        byte[] all = disk.read(regionStart, (int) usedBlocks);
        ByteBuffer first = block(all, 0, bs);
        MetaBlock.validate(first, bs, uuid, regionStart, BlockType.CHECKPOINT, 0, 0, generation);
        ByteBuffer sum = MetaBlock.payload(first);
        long root = sum.getLong();
        int segCount = sum.getInt();
        int headerBlocks = sum.getInt();
        long total = sum.getLong();
        long lastSeq = sum.getLong();
        long nextGeneration = sum.getLong();
        if (total != usedBlocks || headerBlocks < 1 || headerBlocks > usedBlocks || segCount < 0) {
            throw corrupt(regionStart, BlockType.CHECKPOINT, 0, "says it is " + total + " blocks with "
                    + headerBlocks + " header blocks and " + segCount + " segments; the superblock says "
                    + usedBlocks + " blocks");
        }
        List<Segment> table = new ArrayList<>();
        ByteBuffer p = sum;
        for (int hbIndex = 0; table.size() < segCount; ) {
            if (!p.hasRemaining()) {
                hbIndex++;
                if (hbIndex >= headerBlocks) {
                    throw corrupt(regionStart, BlockType.CHECKPOINT, 0, "lists " + table.size() + " of "
                            + segCount + " segments");
                }
                ByteBuffer b = block(all, hbIndex, bs);
                MetaBlock.validate(b, bs, uuid, regionStart + hbIndex, BlockType.CHECKPOINT, 0, hbIndex, generation);
                p = MetaBlock.payload(b);
                continue;
            }
            BlockType t = BlockType.of(p.getShort() & 0xffff);
            long owner = p.getLong();
            int firstBlock = p.getInt();
            int blocks = p.getInt();
            long records = p.getLong();
            if (t == null || firstBlock < headerBlocks || blocks < 1 || firstBlock + (long) blocks > usedBlocks) {
                throw corrupt(regionStart, BlockType.CHECKPOINT, 0, "segment " + table.size() + " ("
                        + t + " of " + owner + ") at blocks [" + firstBlock + "+" + blocks
                        + ") lies outside the checkpoint");
            }
            table.add(new Segment(t, owner, firstBlock, blocks, records));
        }
        Metadata m = new Metadata(g);
        m.setRootIno(root);
        m.setNextGeneration(nextGeneration);
        Map<Long, ByteArrayOutputStream> extras = new HashMap<>();
        for (Segment s : table) {
            for (int i = 0; i < s.blocks(); i++) {
                long blockNo = regionStart + s.first() + i;
                ByteBuffer b = block(all, s.first() + i, bs);
                MetaBlock.validate(b, bs, uuid, blockNo, s.type(), s.owner(), i, generation);
                try {
                    decodeRecords(m, s, MetaBlock.payload(b), extras);
                } catch (RuntimeException e) {
                    throw corrupt(blockNo, s.type(), s.owner(), "records do not decode: " + e.getMessage());
                }
            }
        }
        for (Map.Entry<Long, ByteArrayOutputStream> e : extras.entrySet()) {
            try {
                InodeCore c = m.inode(e.getKey());
                if (c == null) {
                    throw new IllegalArgumentException("extras of inode " + e.getKey() + ", which has no inode record");
                }
                loadExtras(c, e.getValue().toByteArray());
            } catch (RuntimeException ex) {
                throw corrupt(regionStart, BlockType.EXTRAS, 0, "records do not decode: " + ex.getMessage());
            }
        }
        // The records went straight into the inodes, past the mutators that keep the tally.
        m.recount();
        return new Loaded(m, lastSeq, table);
    }

    private static void decodeRecords(Metadata m, Segment s, ByteBuffer p,
                                      Map<Long, ByteArrayOutputStream> extras) {
        Geometry g = m.geometry();
        while (p.hasRemaining()) {
            switch (s.type()) {
                case AG_HEADER -> p.position(p.position() + 56);
                case BNO -> {
                    long start = p.getLong();
                    long len = p.getLong();
                    if (g.agOf(start) != s.owner() || !g.isDataRange(start, len)) {
                        throw new IllegalArgumentException("free extent [" + start + "+" + len
                                + ") is not data space of AG " + s.owner());
                    }
                    m.free((int) s.owner()).load(start, len);
                }
                case CNT -> p.position(p.position() + 16);
                case INOBT -> m.inobt((int) s.owner()).put(p.getLong(), p.getLong());
                case REFCOUNT -> {
                    long start = p.getLong();
                    long len = p.getLong();
                    int count = p.getInt();
                    int domain = p.getInt();
                    if (domain == 1) {
                        m.refcount().loadStaging(start, len);
                    } else {
                        m.refcount().loadShared(new RefcountIndex.Shared(start, len, count));
                    }
                }
                case INODES -> {
                    long ino = p.getLong();
                    int kind = p.get();
                    int format = p.get();
                    int flags = p.getShort() & 0xffff;
                    int nlink = p.getInt();
                    long size = p.getLong();
                    int mode = p.getShort() & 0xffff;
                    int uid = p.getInt();
                    int gid = p.getInt();
                    long generation = p.getLong();
                    long parent = p.getLong();
                    long atime = p.getLong();
                    long mtime = p.getLong();
                    long ctime = p.getLong();
                    int n = p.getInt();
                    if (kind < 0 || kind >= FileKind.values().length || m.inodes().containsKey(ino)) {
                        throw new IllegalArgumentException("inode " + ino + " has kind " + kind
                                + " or is listed twice");
                    }
                    InodeCore c = new InodeCore(ino, FileKind.values()[kind], mtime);
                    c.loadCore(nlink, size, flags, mtime, ctime);
                    c.loadAttributes(mode, uid, gid, generation, parent, atime);
                    m.inodes().put(ino, c);
                    if (format == 0) {
                        for (int i = 0; i < n; i++) {
                            c.data().load(Extent.unpack(p.getLong(), p.getLong()));
                        }
                    }
                }
                case BMAP -> {
                    InodeCore c = m.inode(s.owner());
                    if (c == null) {
                        throw new IllegalArgumentException("extent block of inode " + s.owner()
                                + ", which has no inode record");
                    }
                    c.data().load(Extent.unpack(p.getLong(), p.getLong()));
                }
                case DIR -> {
                    InodeCore c = m.inode(s.owner());
                    if (c == null || !c.isDir()) {
                        throw new IllegalArgumentException("directory block of inode " + s.owner()
                                + ", which is not a directory");
                    }
                    long child = p.getLong();
                    int length = p.getShort() & 0xffff;
                    if (length == 0 || length > InodeRecords.NAME_MAX) {
                        throw new IllegalArgumentException("an entry name of " + length + " bytes (1 to "
                                + InodeRecords.NAME_MAX + " allowed)");
                    }
                    byte[] name = new byte[length];
                    p.get(name);
                    c.loadEntry(new String(name, StandardCharsets.UTF_8), child);
                }
                case EXTRAS -> {
                    long ino = p.getLong();
                    int off = p.getInt();
                    int len = p.getShort() & 0xffff;
                    byte[] chunk = new byte[len];
                    p.get(chunk);
                    ByteArrayOutputStream rec = extras.computeIfAbsent(ino,
                            k -> new ByteArrayOutputStream());
                    if (off != rec.size()) {
                        throw new IllegalArgumentException("extras chunk of inode " + ino + " at offset " + off
                                + ", expected " + rec.size());
                    }
                    rec.write(chunk, 0, len);
                }
                default -> throw new IllegalArgumentException("unexpected " + s.type() + " segment");
            }
        }
    }

    private static ByteBuffer block(byte[] all, int index, int bs) {
        return ByteBuffer.wrap(all, index * bs, bs).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static JiomapException corrupt(long blockNo, BlockType t, long owner, String what) {
        return new JiomapException(Errno.EUCLEAN, "metadata block " + blockNo + " (" + t.describe(owner) + "): "
                + what);
    }

    /** The stored by-size index of an AG, for the checker (the live index is rebuilt from the by-block one). */
    public static List<long[]> storedBySize(Disk disk, Geometry g, UUID uuid, long generation, long regionStart,
                                            List<Segment> table, int ag) throws JiomapException {
        return storedPairs(disk, g, uuid, generation, regionStart, table, BlockType.CNT, ag);
    }

    /** The stored AG header record: free blocks, free extents, longest, inodes, free inodes, shared, staging. */
    public static long[] storedAgHeader(Disk disk, Geometry g, UUID uuid, long generation, long regionStart,
                                        List<Segment> table, int ag) throws JiomapException {
        for (Segment s : table) {
            if (s.type() == BlockType.AG_HEADER && s.owner() == ag) {
                ByteBuffer b = ByteBuffer.wrap(disk.read(regionStart + s.first(), 1));
                ByteBuffer p = MetaBlock.payload(b);
                long[] out = new long[7];
                for (int i = 0; i < 7 && p.remaining() >= 8; i++) {
                    out[i] = p.getLong();
                }
                return out;
            }
        }
        return null;
    }

    private static List<long[]> storedPairs(Disk disk, Geometry g, UUID uuid, long generation, long regionStart,
                                            List<Segment> table, BlockType type, int ag) throws JiomapException {
        List<long[]> out = new ArrayList<>();
        for (Segment s : table) {
            if (s.type() == type && s.owner() == ag) {
                byte[] data = disk.read(regionStart + s.first(), s.blocks());
                for (int i = 0; i < s.blocks(); i++) {
                    ByteBuffer p = MetaBlock.payload(block(data, i, g.blockSize()));
                    while (p.remaining() >= 16) {
                        out.add(new long[] {p.getLong(), p.getLong()});
                    }
                }
            }
        }
        return out;
    }
}
