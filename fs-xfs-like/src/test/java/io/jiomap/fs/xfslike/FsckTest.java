package io.jiomap.fs.xfslike;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.api.vfs.Inode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.fs.xfslike.format.BlockType;
import io.jiomap.fs.xfslike.format.Disk;
import io.jiomap.fs.xfslike.format.Geometry;
import io.jiomap.fs.xfslike.format.MetaBlock;
import io.jiomap.fs.xfslike.format.Superblock;
import io.jiomap.fs.xfslike.checkpoint.Checkpoint;
import io.jiomap.fs.xfslike.mount.Superblocks;
import io.jiomap.fs.xfslike.meta.Extent;
import io.jiomap.fs.xfslike.meta.InodeCore;
import io.jiomap.fs.xfslike.meta.Metadata;
import io.jiomap.fs.xfslike.meta.RefcountIndex;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** fsck finds every class of corruption planted in a checked-clean image, and mount refuses corrupt images. */
class FsckTest {
    private static final int BS = 4096;

    /** A filesystem after a workload touching every structure: directories, data, prealloc, holes, reflink. */
    private static BlockDevice populated() throws Exception {
        BlockDevice dev = Devices.memory("size=32m,vwc=on,fua=on");
        try (Mount m = Devices.mkfsAndMount(dev); Arena arena = Arena.ofShared()) {
            m.mkdir("/dir");
            OpenFile a = m.open("/dir/a", OpenFile.CREATE);
            a.pwrite(Devices.pattern(arena, 128 * 1024, 1), 0, 128 * 1024, 0);
            a.fallocate(Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_KEEP_SIZE, 16 * 1024, 8 * 1024);
            a.fallocate(Inode.FALLOC_KEEP_SIZE, 256 * 1024, 64 * 1024);
            OpenFile b = m.open("/b", OpenFile.CREATE);
            b.cloneFrom(a, 0, 0, 64 * 1024);
            b.truncate(40 * 1024 + 100);
        }
        return dev;
    }

    @Test
    void imageIsCleanAfterMkfsAndAfterAWorkload() throws Exception {
        try (BlockDevice dev = populated()) {
            FsckReport r = Devices.TYPE.fsck(dev, Map.of());
            assertThat(r.problems()).isEmpty();
            assertThat(r.summary()).anyMatch(s -> s.contains("shared ranges")).anyMatch(s -> s.startsWith("superblocks, every checkpoint block"));
        }
    }

    /** Rewrites the current checkpoint (same generation, valid CRCs) after {@code change}: a consistent-looking lie. */
    private static void plant(BlockDevice dev, Consumer<Metadata> change) throws Exception {
        Superblock sb = Superblocks.read(dev);
        Geometry g = sb.geometry();
        Disk disk = new Disk(dev, g.blockSize());
        long region = g.metaStart(sb.activeSlot());
        Checkpoint.Loaded l = Checkpoint.load(disk, g, sb.uuid(), sb.generation(), region, sb.metaUsed());
        change.accept(l.metadata());
        byte[] home = Checkpoint.encode(l.metadata(), sb.uuid(), sb.generation(), l.lastSeq());
        disk.write(region, home, 0);
        Superblock next = sb.withCheckpoint(sb.generation(), sb.activeSlot(), home.length / g.blockSize(),
                sb.logTail(), sb.logTailSeq(), sb.clean());
        disk.writeBytes(0, next.encode(512).array(), 0, 512, Bio.FUA);
    }

    private static FsckReport plantAndCheck(Consumer<Metadata> change) throws Exception {
        try (BlockDevice dev = populated()) {
            plant(dev, change);
            FsckReport r = Devices.TYPE.fsck(dev, Map.of());
            assertThatThrownBy(() -> Devices.mount(dev).close()).as("mount refuses inconsistent metadata")
                    .isInstanceOfSatisfying(JiomapException.class,
                            e -> assertThat(e.errno()).isEqualTo(Errno.EUCLEAN));
            return r;
        }
    }

    private static InodeCore file(Metadata m, String name) {
        InodeCore root = m.inode(m.rootIno());
        Long ino = root.entries().get(name);
        if (ino == null) {
            ino = m.inode(root.entries().get("dir")).entries().get(name);
        }
        return m.inode(ino);
    }

    @Test
    void leakedBlocksAreReported() throws Exception {
        FsckReport r = plantAndCheck(m -> {
            long start = m.free(1).byBlock().firstKey();
            m.free(1).take(start, 3);
        });
        assertThat(r.problems()).anyMatch(p -> p.contains("neither free nor used (leaked)"));
    }

    @Test
    void aBlockClaimedByAFileAndTheFreeSpaceIsReported() throws Exception {
        FsckReport r = plantAndCheck(m -> {
            long free = m.free(2).byBlock().firstKey();
            InodeCore b = file(m, "b");
            b.data().insert(new Extent(1000, free, 2, false));
            b.loadCore(b.nlink(), 1000L * BS + 2 * BS, b.flags(), b.mtime(), b.ctime());
        });
        assertThat(r.problems()).anyMatch(p -> p.contains("claimed 2 times") && p.contains("free space of AG 2"));
    }

    @Test
    void aReferenceCountThatDisagreesWithTheSharingIsReported() throws Exception {
        FsckReport r = plantAndCheck(m -> {
            RefcountIndex.Shared s = m.refcount().shared().iterator().next();
            m.refcount().adjust(s.start(), s.length(), -1);
        });
        assertThat(r.problems()).anyMatch(p -> p.contains("mapped 2 times") && p.contains("refcount index says 1"));
    }

    @Test
    void aWrongLinkCountIsReported() throws Exception {
        FsckReport r = plantAndCheck(m -> {
            InodeCore a = file(m, "a");
            a.loadCore(2, a.size(), a.flags(), a.mtime(), a.ctime());
        });
        assertThat(r.problems()).anyMatch(p -> p.contains("link count 2, expected 1"));
    }

    @Test
    void modeBitsOutside07777AreReported() throws Exception {
        FsckReport r = plantAndCheck(m -> {
            InodeCore a = file(m, "a");
            a.loadAttributes(0100644, a.uid(), a.gid(), a.generation(), a.parent(), a.atime());
        });
        assertThat(r.problems()).anyMatch(p -> p.contains("has mode 0100644"));
    }

    @Test
    void aSymbolicLinkWhoseSizeIsNotItsTargetsLengthIsReported() throws Exception {
        FsckReport r = plantAndCheck(m -> {
            long ino = m.chooseIno(0);
            m.createInode(ino, FileKind.SYMLINK, 0777, 0, 0, m.nextGeneration(), 1, "target");
            m.addEntry(m.rootIno(), "s", ino);
            InodeCore s = m.inode(ino);
            s.loadCore(1, 99, 0, 1, 1);
        });
        assertThat(r.problems()).anyMatch(p -> p.contains("has size 99 but a target of 6 bytes"));
    }

    @Test
    void aDirectoryWhoseParentIsNotTheDirectoryNamingItIsReported() throws Exception {
        FsckReport r = plantAndCheck(m -> {
            InodeCore d = m.inode(m.inode(m.rootIno()).entries().get("dir"));
            d.loadAttributes(d.mode(), d.uid(), d.gid(), d.generation(), 12345, d.atime());
        });
        assertThat(r.problems()).anyMatch(p -> p.contains("records parent 12345 but is named in directory"));
    }

    @Test
    void anOrphanThatStillHasLinksIsReported() throws Exception {
        FsckReport r = plantAndCheck(m -> {
            InodeCore a = file(m, "a");
            a.loadCore(a.nlink(), a.size(), a.flags() | InodeCore.FLAG_ORPHAN, a.mtime(), a.ctime());
        });
        assertThat(r.problems()).anyMatch(p -> p.contains("is marked an orphan") && p.contains("link count 1"));
    }

    @Test
    void extendedAttributesOverTheInodesAttributeSpaceAreReported() throws Exception {
        FsckReport r = plantAndCheck(m -> m.setXattr(file(m, "a").ino(), "user.huge", new byte[140_000]));
        assertThat(r.problems()).anyMatch(p -> p.contains("attribute space"));
    }

    @Test
    void aDirectoryEntryNamingNoInodeIsReported() throws Exception {
        FsckReport r = plantAndCheck(m -> m.inode(m.rootIno()).loadEntry("ghost", 987654L));
        assertThat(r.problems()).anyMatch(p -> p.contains("'ghost' names inode 987654, which does not exist"));
    }

    @Test
    void blocksPastEofWithoutThePreallocationMarkerAreReported() throws Exception {
        FsckReport r = plantAndCheck(m -> {
            InodeCore a = file(m, "a");
            a.loadCore(a.nlink(), a.size(), 0, a.mtime(), a.ctime());
        });
        assertThat(r.problems()).anyMatch(p -> p.contains("past its EOF block") && p.contains("preallocation"));
    }

    @Test
    void anInodeMarkedFreeInTheInodeIndexIsReported() throws Exception {
        FsckReport r = plantAndCheck(m -> {
            InodeCore b = file(m, "b");
            int ag = Metadata.agOfIno(b.ino());
            long agino = b.ino() & 0xffffffffL;
            long chunk = agino - agino % Metadata.CHUNK;
            m.inobt(ag).put(chunk, m.inobt(ag).get(chunk) | 1L << (agino - chunk));
        });
        assertThat(r.problems()).anyMatch(p -> p.contains("has a record but is marked free in the inode index"));
    }

    @Test
    void copyOnWriteStagingLeftOverIsReported() throws Exception {
        try (BlockDevice dev = populated()) {
            plant(dev, m -> {
                long start = m.free(3).byBlock().firstKey();
                m.free(3).take(start, 2);
                m.refcount().stage(start, 2);
            });
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).anyMatch(p -> p.contains("CoW staging extent"));
            try (Mount m = Devices.mount(dev)) {
                assertThat(m.readdir("/")).isNotEmpty();
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).as("mount freed the staging").isEmpty();
        }
    }

    @Test
    void dataExtentsOnADirectoryAreReported() throws Exception {
        FsckReport r = plantAndCheck(m -> {
            long free = m.free(1).byBlock().firstKey();
            m.free(1).take(free, 1);
            m.inode(m.rootIno()).data().insert(new Extent(0, free, 1, true));
        });
        assertThat(r.problems()).anyMatch(p -> p.contains("directory inode") && p.contains("data extents"));
    }

    /** Changes one stored record of a segment and reseals the block's CRC: the indexes then disagree on disk. */
    private static void rewriteRecord(BlockDevice dev, BlockType type, long owner, int recordOffset, long value)
            throws Exception {
        Superblock sb = Superblocks.read(dev);
        Geometry g = sb.geometry();
        Disk disk = new Disk(dev, g.blockSize());
        long region = g.metaStart(sb.activeSlot());
        Checkpoint.Loaded l = Checkpoint.load(disk, g, sb.uuid(), sb.generation(), region, sb.metaUsed());
        Checkpoint.Segment seg = l.segments().stream().filter(s -> s.type() == type && s.owner() == owner)
                .findFirst().orElseThrow();
        long blockNo = region + seg.first();
        ByteBuffer b = ByteBuffer.wrap(disk.read(blockNo, 1)).order(ByteOrder.LITTLE_ENDIAN);
        MetaBlock.Header h = MetaBlock.peek(b);
        byte[] payload = new byte[g.blockSize() - MetaBlock.HEADER];
        b.get(MetaBlock.HEADER, payload, 0, h.payloadLen());
        ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).putLong(recordOffset, value);
        disk.write(blockNo, MetaBlock.build(g.blockSize(), type, h.index(), owner, h.generation(), sb.uuid(),
                h.records(), payload, h.payloadLen()), 0);
    }

    @Test
    void freeSpaceIndexesThatDisagreeAreReported() throws Exception {
        try (BlockDevice dev = populated()) {
            rewriteRecord(dev, BlockType.CNT, 1, 0, 7);
            FsckReport r = Devices.TYPE.fsck(dev, Map.of());
            assertThat(r.problems()).anyMatch(p -> p.contains("AG 1: free extent") && p.contains("by-size index"));
        }
    }

    @Test
    void anAgCounterThatDisagreesWithItsIndexIsReported() throws Exception {
        try (BlockDevice dev = populated()) {
            rewriteRecord(dev, BlockType.AG_HEADER, 2, 0, 12345);
            FsckReport r = Devices.TYPE.fsck(dev, Map.of());
            assertThat(r.problems()).contains("AG 2 header free block count is 12345, but the indexes give "
                    + freeOfAg(dev, 2));
        }
    }

    private static long freeOfAg(BlockDevice dev, int ag) throws Exception {
        Superblock sb = Superblocks.read(dev);
        Geometry g = sb.geometry();
        return Checkpoint.load(new Disk(dev, g.blockSize()), g, sb.uuid(), sb.generation(),
                g.metaStart(sb.activeSlot()), sb.metaUsed()).metadata().free(ag).freeBlocks();
    }

    @Test
    void aCorruptMetadataBlockIsNamedByFsckAndRefusedByMount() throws Exception {
        try (BlockDevice dev = populated()) {
            Superblock sb = Superblocks.read(dev);
            Geometry g = sb.geometry();
            Disk disk = new Disk(dev, g.blockSize());
            long block = g.metaStart(sb.activeSlot()) + 2;
            byte[] data = disk.read(block, 1);
            data[200] ^= 0x40;
            disk.write(block, data, 0);
            FsckReport r = Devices.TYPE.fsck(dev, Map.of());
            assertThat(r.problems()).singleElement().asString()
                    .startsWith("metadata block " + block + " (").contains("CRC32C mismatch");
            assertThatThrownBy(() -> Devices.mount(dev)).isInstanceOfSatisfying(JiomapException.class, e -> {
                assertThat(e.errno()).isEqualTo(Errno.EUCLEAN);
                assertThat(e.getMessage()).contains("metadata block " + block).contains("CRC32C mismatch");
            });
        }
    }

    @Test
    void aForeignOrBlankDeviceIsRefused() throws Exception {
        try (BlockDevice dev = Devices.memory("size=8m")) {
            assertThat(Devices.TYPE.probe(dev)).isFalse();
            assertThatThrownBy(() -> Devices.mount(dev)).isInstanceOfSatisfying(JiomapException.class, e -> {
                assertThat(e.errno()).isEqualTo(Errno.EUCLEAN);
                assertThat(e.getMessage()).contains("no xfs-like superblock");
            });
            assertThatThrownBy(() -> Devices.TYPE.fsck(dev, Map.of())).isInstanceOfSatisfying(JiomapException.class,
                    e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        }
    }

    @Test
    void aSuperblockWithABadChecksumIsRefused() throws Exception {
        try (BlockDevice dev = populated()) {
            Disk disk = new Disk(dev, 512);
            byte[] sb = disk.readBytes(0, 512);
            sb[40] ^= 1;
            disk.writeBytes(0, sb, 0, 512, 0);
            assertThatThrownBy(() -> Devices.mount(dev)).isInstanceOfSatisfying(JiomapException.class,
                    e -> assertThat(e.getMessage()).contains("superblock").contains("CRC32C mismatch"));
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).singleElement().asString()
                    .contains("CRC32C mismatch");
        }
    }

    @Test
    void unknownOptionsAreRefusedByName() throws Exception {
        try (BlockDevice dev = Devices.memory("size=8m")) {
            assertThatThrownBy(() -> Mount.mkfs(Devices.TYPE, dev, Map.of("colour", "blue")))
                    .isInstanceOfSatisfying(JiomapException.class, e -> {
                        assertThat(e.errno()).isEqualTo(Errno.EINVAL);
                        assertThat(e.getMessage()).contains("colour");
                    });
            assertThatThrownBy(() -> Mount.mkfs(Devices.TYPE, dev, Map.of("block-size", "256")))
                    .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
            assertThatThrownBy(() -> Devices.TYPE.fsck(dev, Map.of("repair", "yes")))
                    .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.getMessage()).contains("repair"));
        }
    }

    @Test
    void mkfsOptionsShapeTheGeometry() throws Exception {
        try (BlockDevice dev = Devices.memory("size=16m")) {
            Mount.mkfs(Devices.TYPE, dev, Map.of("block-size", "1024", "ag-count", "2", "log-size", "128k",
                    "reflink", "off"));
            Superblock sb = Superblocks.read(dev);
            assertThat(sb.geometry().blockSize()).isEqualTo(1024);
            assertThat(sb.geometry().agCount()).isEqualTo(2);
            assertThat(sb.geometry().logBlocks()).isEqualTo(128);
            assertThat(sb.reflink()).isFalse();
            try (Mount m = Devices.mount(dev)) {
                OpenFile a = m.open("/a", OpenFile.CREATE);
                a.fallocate(0, 0, 4096);
                OpenFile b = m.open("/b", OpenFile.CREATE);
                assertThatThrownBy(() -> b.cloneFrom(a, 0, 0, 4096)).isInstanceOfSatisfying(JiomapException.class,
                        e -> assertThat(e.errno()).isEqualTo(Errno.EOPNOTSUPP));
                assertThat(m.stat("/").kind()).isEqualTo(FileKind.DIRECTORY);
            }
        }
    }
}
