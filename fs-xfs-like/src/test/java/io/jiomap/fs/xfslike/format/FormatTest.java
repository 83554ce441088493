package io.jiomap.fs.xfslike.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.fs.xfslike.checkpoint.Checkpoint;
import io.jiomap.fs.xfslike.meta.Extent;
import io.jiomap.fs.xfslike.meta.InodeCore;
import io.jiomap.fs.xfslike.meta.Metadata;
import io.jiomap.fs.xfslike.meta.InodeTally;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Encode/decode of the on-disk structures (FORMAT.md). */
class FormatTest {
    private static final Geometry G = new Geometry(4096, 16384, 4, 4096, 1, 256, 257, 769, 512);

    @Test
    void superblockRoundTripsAndRejectsABadChecksum() throws Exception {
        UUID uuid = UUID.randomUUID();
        Superblock sb = new Superblock(G, uuid, Superblock.FEATURE_REFLINK, 7, 1, 12, 5, 99, false);
        ByteBuffer b = sb.encode(512);
        assertThat(Superblock.decode(b.duplicate(), "test", 64L << 20, 512)).isEqualTo(sb);
        b.put(100, (byte) (b.get(100) ^ 1));
        assertThatThrownBy(() -> Superblock.decode(b, "test", 64L << 20, 512))
                .isInstanceOfSatisfying(JiomapException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EUCLEAN);
                    assertThat(e.getMessage()).contains("CRC32C mismatch");
                });
    }

    @Test
    void superblockThatDoesNotFitTheDeviceIsRefused() {
        Superblock sb = new Superblock(G, UUID.randomUUID(), 0, 1, 0, 2, 0, 1, true);
        assertThatThrownBy(() -> Superblock.decode(sb.encode(512), "test", 32L << 20, 512))
                .isInstanceOfSatisfying(JiomapException.class,
                        e -> assertThat(e.getMessage()).contains("does not fit the 33554432-byte device"));
    }

    @Test
    void extentRecordsPackIntoSixteenBytesLikeTheBmbt() {
        Extent e = new Extent((1L << 54) - 1, (1L << 52) - 1, Geometry.MAX_EXTENT_BLOCKS, true);
        assertThat(Extent.unpack(e.packedHigh(), e.packedLow())).isEqualTo(e);
        Extent small = new Extent(12, 34567, 89, false);
        assertThat(Extent.unpack(small.packedHigh(), small.packedLow())).isEqualTo(small);
        assertThat(small.packedHigh()).isPositive();
    }

    @Test
    void metadataBlocksCarryOwnerGenerationAndChecksum() throws Exception {
        UUID uuid = UUID.randomUUID();
        byte[] payload = new byte[100];
        byte[] block = MetaBlock.build(4096, BlockType.BMAP, 3, 42, 9, uuid, 5, payload, 100);
        ByteBuffer b = ByteBuffer.wrap(block);
        assertThat(MetaBlock.validate(b, 4096, uuid, 1000, BlockType.BMAP, 42, 3, 9).records()).isEqualTo(5);
        assertThatThrownBy(() -> MetaBlock.validate(b, 4096, uuid, 1000, BlockType.BMAP, 43, 3, 9))
                .hasMessageContaining("metadata block 1000 (extent map of inode 43): owner 42, expected 43");
        assertThatThrownBy(() -> MetaBlock.validate(b, 4096, uuid, 1000, BlockType.BMAP, 42, 3, 10))
                .hasMessageContaining("stale block");
        assertThatThrownBy(() -> MetaBlock.validate(b, 4096, UUID.randomUUID(), 1000, BlockType.BMAP, 42, 3, 9))
                .hasMessageContaining("belongs to filesystem " + uuid);
    }

    @Test
    void checkpointRoundTripsEveryStructureAndItsSizeIsBoundedBeforeEncoding() throws Exception {
        Metadata m = Metadata.empty(G);
        long root = m.chooseIno(0);
        m.createInode(root, FileKind.DIRECTORY, 0644, 0, 0, m.nextGeneration(), 1, null);
        m.setCore(root, 0, 3, 0, 0644, 0, 0, 1, 1, 1);
        m.setRootIno(root);
        long dir = m.chooseIno(1);
        m.createInode(dir, FileKind.DIRECTORY, 0644, 0, 0, m.nextGeneration(), 2, null);
        m.setCore(dir, 0, 2, 0, 0644, 0, 0, 2, 2, 2);
        m.addEntry(root, "sub", dir);
        long file = m.chooseIno(0);
        m.createInode(file, FileKind.REGULAR, 0644, 0, 0, m.nextGeneration(), 3, null);
        m.addEntry(dir, "file", file);
        m.setCore(file, 5000L * 4096, 1, InodeCore.FLAG_PREALLOC, 0640, 1000, 100, 4, 3, 3);
        m.setXattr(file, "user.small", new byte[] {1, 2, 3});
        m.setXattr(file, "user.big", new byte[70_000]);
        long link = m.chooseIno(0);
        m.createInode(link, FileKind.SYMLINK, 0777, 0, 0, m.nextGeneration(), 4, "x/".repeat(2047) + "y");
        m.addEntry(dir, "link", link);
        long block = G.agDataStart(1);
        for (int i = 0; i < 1000; i++) {
            // Every other block: 1000 extents that cannot merge, so the map goes to extent blocks.
            m.takeFree(block + 2L * i, 1);
            m.map(file, new Extent(i * 3L, block + 2L * i, 1, i % 2 == 0));
        }
        m.adjustRefcount(block, 1, 1);
        m.stageCow(block + 1, 1);
        m.takeFree(block + 1, 1);
        UUID uuid = UUID.randomUUID();
        byte[] encoded = Checkpoint.encode(m, uuid, 3, 77);
        assertThat(Checkpoint.blocksNeeded(m)).isBetween(encoded.length / 4096L, encoded.length / 4096L + 2);
        Disk disk = new Disk(io.jiomap.fs.xfslike.format.TestDisks.withContent(encoded), 4096);
        Checkpoint.Loaded l = Checkpoint.load(disk, G, uuid, 3, 0, encoded.length / 4096);
        Metadata back = l.metadata();
        assertThat(l.lastSeq()).isEqualTo(77);
        assertThat(back.rootIno()).isEqualTo(root);
        assertThat(back.tally().sameAs(m.tally())).as("tally after load %s, before %s", back.tally(), m.tally())
                .isTrue();
        assertThat(back.inode(file).data().all()).containsExactlyElementsOf(m.inode(file).data().all());
        assertThat(back.inode(file).size()).isEqualTo(5000L * 4096);
        assertThat(back.inode(dir).entries()).containsEntry("file", file);
        assertThat(back.inode(dir).parent()).isEqualTo(root);
        assertThat(back.inode(file).mode()).isEqualTo(0640);
        assertThat(back.inode(file).uid()).isEqualTo(1000);
        assertThat(back.inode(file).gid()).isEqualTo(100);
        assertThat(back.inode(file).atime()).isEqualTo(4);
        assertThat(back.inode(file).generation()).isEqualTo(m.inode(file).generation());
        assertThat(back.nextGeneration()).isEqualTo(m.nextGeneration());
        assertThat(back.inode(file).xattrs()).containsOnlyKeys("user.big", "user.small");
        assertThat(back.inode(file).xattrs().get("user.small")).containsExactly(1, 2, 3);
        assertThat(back.inode(file).xattrs().get("user.big")).hasSize(70_000);
        assertThat(back.inode(link).target()).isEqualTo("x/".repeat(2047) + "y");
        assertThat(back.inode(link).size()).isEqualTo(4095);
        assertThat(back.free(1).byBlock()).isEqualTo(m.free(1).byBlock());
        assertThat(back.refcount().staging()).isEqualTo(m.refcount().staging());
        assertThat(back.refcount().counts(block, 1).getFirst().count()).isEqualTo(2);
        assertThat(back.inobt(0)).isEqualTo(m.inobt(0));
    }

    @Test
    void theCheckpointBoundHoldsForManyInodesLongNamesAndExtentForksWithoutWalkingThem() {
        Metadata m = Metadata.empty(G);
        long root = m.chooseIno(0);
        m.createInode(root, FileKind.DIRECTORY, 0644, 0, 0, m.nextGeneration(), 1, null);
        m.setRootIno(root);
        Random random = new Random(7);
        List<Long> files = new ArrayList<>();
        long block = G.agDataStart(2);
        for (int step = 0; step < 20_000; step++) {
            int what = random.nextInt(10);
            if (what < 5 || files.isEmpty()) {
                long ino = m.chooseIno(random.nextInt(G.agCount()));
                m.createInode(ino, FileKind.REGULAR, 0644, 0, 0, m.nextGeneration(), step, null);
                // Names from 1 to 255 bytes: the directory bound must hold for the longest.
                m.addEntry(root, "f" + ino + "-".repeat(random.nextInt(254 - Long.toString(ino).length())), ino);
                files.add(ino);
            } else if (what < 9) {
                // Among the oldest files, so that some go past the inline extents to extent blocks of their own.
                long ino = files.get(random.nextInt(Math.min(20, files.size())));
                // Extents that never merge: every one lands two blocks after the previous.
                InodeCore c = m.inode(ino);
                m.map(ino, new Extent(2L * c.data().size(), block, 1, false));
                block = block + 2 < G.agEnd(2) ? block + 2 : G.agDataStart(2);
            } else {
                long ino = files.remove(random.nextInt(files.size()));
                InodeCore c = m.inode(ino);
                String name = m.inode(root).entries().entrySet().stream().filter(e -> e.getValue() == ino)
                        .findFirst().orElseThrow().getKey();
                m.removeEntry(root, name);
                if (!c.data().isEmpty()) {
                    m.unmap(ino, 0, Long.MAX_VALUE / 2);
                }
                m.freeInode(ino);
            }
            if (step % 5_000 == 4_999) {
                long exact = Checkpoint.encode(m, UUID.randomUUID(), 1, 1).length / 4096L;
                assertThat(Checkpoint.blocksNeeded(m)).as("after %d steps", step + 1)
                        .isGreaterThanOrEqualTo(exact).isLessThanOrEqualTo(exact + exact / 10 + 2);
                InodeTally kept = m.tally();
                assertThat(kept.forkInodes()).as("inodes with extent blocks").isPositive();
                String before = kept.toString();
                assertThat(m.recount().toString()).as("what the mutators kept").isEqualTo(before);
            }
        }
    }

    @Test
    void theCheckpointBoundChargesOnlyTheLargestRecordPresentSoShortNamesCostLittle() {
        Metadata m = Metadata.empty(G);
        long root = m.chooseIno(0);
        m.createInode(root, FileKind.DIRECTORY, 0644, 0, 0, m.nextGeneration(), 1, null);
        m.setRootIno(root);
        long block = G.agDataStart(1);
        for (int i = 0; i < 5_000; i++) {
            long ino = m.chooseIno(i % G.agCount());
            m.createInode(ino, FileKind.REGULAR, 0644, 0, 0, m.nextGeneration(), i, null);
            m.addEntry(root, "f" + i, ino);
            m.map(ino, new Extent(0, block + i, 1, false));
        }
        long exact = Checkpoint.encode(m, UUID.randomUUID(), 1, 1).length / 4096L;
        assertThat(m.tally().largestEntryRecord()).isEqualTo(InodeRecords.ENTRY_FIXED + "f4999".length());
        assertThat(m.tally().largestInodeRecord()).isEqualTo(InodeRecords.inodeBytes(1));
        assertThat(Checkpoint.blocksNeeded(m)).isGreaterThanOrEqualTo(exact).isLessThanOrEqualTo(exact + 2);
    }
}
