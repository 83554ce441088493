package io.jiomap.fs.ext4like;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.Inode;
import io.jiomap.core.OpenFile;
import io.jiomap.fs.ext4like.disk.Bytes;
import io.jiomap.fs.ext4like.disk.GroupDesc;
import io.jiomap.fs.ext4like.disk.InodeRecord;
import io.jiomap.fs.ext4like.disk.Superblock;
import io.jiomap.fs.ext4like.inode.Ext4Inode;
import io.jiomap.fs.ext4like.meta.BlockCache;
import io.jiomap.fs.ext4like.meta.SuperblockReader;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** fsck is clean on good images and names every corruption planted, one actionable sentence each. */
class FsckTest {
    private Ext4Env env;
    private Superblock sb;
    private long fileIno;
    private long dirIno;
    private long fastLinkIno;
    private long slowLinkIno;

    @BeforeEach
    void workload() throws Exception {
        env = Ext4Env.memory("size=32m", Map.of("block-size", "1024", "blocks-per-group", "4096"));
        env.mount.mkdir("/d");
        OpenFile f = env.open("/d/f");
        for (int i = 0; i < 400; i++) {
            env.write(f, i * 2048L, 1024, i);
        }
        f.fallocate(Inode.FALLOC_KEEP_SIZE, 1 << 20, 65536);
        f.fallocate(Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_KEEP_SIZE, 4096, 8192);
        env.open("/g").truncate(12345);
        fileIno = f.inode().ino();
        FileSystem fs = env.mount.fileSystem();
        dirIno = fs.lookup(fs.rootIno(), "d");
        fastLinkIno = fs.symlink(dirIno, "short", "f", 0, 0).ino();
        slowLinkIno = fs.symlink(dirIno, "long", "t/".repeat(700), 0, 0).ino();
        fs.setxattr(fileIno, "user.k", "v".getBytes(java.nio.charset.StandardCharsets.UTF_8), 0);
        env.unmount();
        sb = SuperblockReader.readSuperblock(env.device);
    }

    @AfterEach
    void close() throws Exception {
        env.close();
    }

    @Test
    void imageIsCleanAfterMkfsAndAfterAWorkloadWithADeepExtentTree() throws Exception {
        FsckReport r = env.fsck();
        assertThat(r.problems()).isEmpty();
        assertThat(r.summary()).anyMatch(s -> s.contains("inodes in use"));
        env.mount();
        assertThat(((Ext4Inode) env.open("/d/f").inode()).treeDepth()).as("the workload built index nodes")
                .isPositive();
    }

    private byte[] block(long b) {
        return BlockCache.readRaw(env.device, b, sb.blockSize);
    }

    private void put(long b, byte[] data) {
        BlockCache.writeRaw(env.device, b * sb.blockSize, data, 0);
    }

    private GroupDesc desc0() {
        return GroupDesc.decode(block(sb.superblockBlock(0) + 1), 0);
    }

    /** Changes inode {@code ino} and rewrites it with a valid checksum: a consistent-looking corruption. */
    private void editInode(long ino, Consumer<InodeRecord> edit) throws Exception {
        GroupDesc d = desc0();
        long index = ino - 1;
        long blk = d.inodeTable + index * Superblock.INODE_SIZE / sb.blockSize;
        int off = (int) (index * Superblock.INODE_SIZE % sb.blockSize);
        byte[] b = block(blk);
        InodeRecord r = InodeRecord.decode(ino, b, off, "test");
        edit.accept(r);
        r.encode(ino, b, off);
        put(blk, b);
    }

    @Test
    void wrongLinkCountIsReported() throws Exception {
        editInode(fileIno, r -> r.links = 3);
        assertThat(env.fsck().problems()).singleElement().asString()
                .contains("Inode " + fileIno).contains("link count 3").contains("1 directory entries");
    }

    @Test
    void badExtentHeaderMagicIsReported() throws Exception {
        editInode(fileIno, r -> Bytes.u16(r.iBlock, 0, 0x1234));
        assertThat(env.fsck().problems()).anyMatch(p -> p.contains("extent header magic 0x1234"));
    }

    @Test
    void extentDepthBeyondFiveIsReported() throws Exception {
        editInode(fileIno, r -> Bytes.u16(r.iBlock, 6, 6));
        assertThat(env.fsck().problems()).anyMatch(p -> p.contains("depth 6 exceeds 5"));
    }

    @Test
    void blockMarkedFreeButInUseIsReportedWithTheFreeCount() throws Exception {
        GroupDesc d = desc0();
        byte[] bitmap = block(d.blockBitmap);
        long used = d.inodeTable - sb.groupFirstBlock(0);
        bitmap[(int) (used >>> 3)] &= (byte) ~(1 << (used & 7));
        put(d.blockBitmap, bitmap);
        d.blockBitmapCsum = GroupDesc.bitmapChecksum(0, bitmap);
        byte[] gdt = block(sb.superblockBlock(0) + 1);
        d.encode(0, gdt, 0);
        put(sb.superblockBlock(0) + 1, gdt);
        assertThat(env.fsck().problems())
                .anyMatch(p -> p.contains("blocks in use are free in the bitmap") && p.contains(d.inodeTable + ""))
                .anyMatch(p -> p.contains("free blocks, the bitmap has"));
    }

    @Test
    void corruptGroupDescriptorIsReportedAndRefusedAtMountNamingTheBlock() throws Exception {
        long blk = sb.superblockBlock(0) + 1;
        byte[] gdt = block(blk);
        gdt[12] ^= 1;
        put(blk, gdt);
        assertThat(env.fsck().problems()).anyMatch(p -> p.contains("Group descriptor 0 (block " + blk + ")"));
        assertThatThrownBy(env::mount).isInstanceOfSatisfying(JiomapException.class, e -> {
            assertThat(e.errno()).isEqualTo(Errno.EUCLEAN);
            assertThat(e.getMessage()).contains("group descriptor 0 (block " + blk + ")").contains("checksum");
        });
    }

    @Test
    void corruptSuperblockIsReportedAndRefusedAtMount() throws Exception {
        byte[] b = new byte[Superblock.SIZE];
        BlockCache.readRaw(env.device, Superblock.OFFSET, b);
        b[0x10] ^= 8;
        BlockCache.writeRaw(env.device, Superblock.OFFSET, b, 0);
        assertThat(env.fsck().problems()).singleElement().asString().contains("superblock checksum");
        assertThatThrownBy(env::mount).isInstanceOfSatisfying(JiomapException.class,
                e -> assertThat(e.getMessage()).contains("EUCLEAN").contains("byte 1024").contains("checksum"));
    }

    @Test
    void backupSuperblockDamageIsReported() throws Exception {
        put(sb.superblockBlock(1), new byte[sb.blockSize]);
        assertThat(env.fsck().problems()).anyMatch(p -> p.contains("group 1") && p.contains("rewrite it"));
    }

    @Test
    void writtenBlocksPastEndOfFileAreReported() throws Exception {
        editInode(fileIno, r -> r.size = 4096);
        assertThat(env.fsck().problems()).anyMatch(p -> p.contains("written blocks past its end of file"));
    }

    @Test
    void nonEmptyOrphanListIsReported() throws Exception {
        byte[] b = new byte[Superblock.SIZE];
        BlockCache.readRaw(env.device, Superblock.OFFSET, b);
        Superblock s = Superblock.decode(b, 0, env.device.capabilities().capacityBytes(), "test");
        s.lastOrphan = fileIno;
        s.encode(b, 0);
        BlockCache.writeRaw(env.device, Superblock.OFFSET, b, 0);
        assertThat(env.fsck().problems()).anyMatch(p -> p.contains("orphan list is not empty"));
    }

    @Test
    void directoryEntryPointingAtAFreeInodeIsReported() throws Exception {
        editInode(fileIno, r -> r.mode = 0);
        assertThat(env.fsck().problems()).anyMatch(p -> p.contains("points at inode " + fileIno)
                && p.contains("not in use"));
    }

    @Test
    void extentOutsideTheFilesystemIsReportedAndRefusedWhenTheFileIsOpened() throws Exception {
        editInode(fileIno, r -> {
            r.iBlock[6] = 0;
            Bytes.u16(r.iBlock, 2, 1);
            Bytes.u32(r.iBlock, 12, 0);
            Bytes.u16(r.iBlock, 16, 4);
            Bytes.u32(r.iBlock, 20, sb.blocksCount + 10);
        });
        assertThat(env.fsck().problems()).anyMatch(p -> p.contains("outside the filesystem"));
        env.mount();
        assertThatThrownBy(() -> env.open("/d/f")).isInstanceOfSatisfying(JiomapException.class, e -> {
            assertThat(e.errno()).isEqualTo(Errno.EUCLEAN);
            assertThat(e.getMessage()).contains("inode " + fileIno).contains("outside the filesystem");
        });
    }

    @Test
    void foreignDeviceIsNotProbedAndRefusedByFsck() throws Exception {
        byte[] b = new byte[Superblock.SIZE];
        BlockCache.writeRaw(env.device, Superblock.OFFSET, b, 0);
        assertThat(Ext4Env.TYPE.probe(env.device)).isFalse();
        assertThatThrownBy(env::fsck).isInstanceOfSatisfying(JiomapException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        assertThatThrownBy(env::mount).isInstanceOfSatisfying(JiomapException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EUCLEAN));
    }

    @Test
    void directoryLinkCountOtherThanTwoPlusSubdirectoriesIsReported() throws Exception {
        editInode(dirIno, r -> r.links = 5);
        assertThat(env.fsck().problems()).singleElement().asString()
                .contains("Inode " + dirIno).contains("link count 5").contains("2 directory entries");
    }

    @Test
    void fastSymlinkWithASizePastItsTargetIsReported() throws Exception {
        editInode(fastLinkIno, r -> r.size = 70);
        assertThat(env.fsck().problems()).singleElement().asString()
                .contains("Fast symbolic link inode " + fastLinkIno).contains("size 70");
    }

    @Test
    void symlinkInBlocksWithASizeItsBlocksDoNotCoverIsReported() throws Exception {
        editInode(slowLinkIno, r -> r.size = 3000);
        assertThat(env.fsck().problems()).singleElement().asString()
                .contains("Symbolic link inode " + slowLinkIno).contains("maps 2 of its 3 blocks");
    }

    @Test
    void corruptXattrBlockIsReported() throws Exception {
        long[] block = {0};
        editInode(fileIno, r -> block[0] = r.xattrBlock);
        byte[] b = block(block[0]);
        b[9] ^= 1;
        put(block[0], b);
        assertThat(env.fsck().problems()).singleElement().asString()
                .contains("xattr block checksum of inode " + fileIno);
    }

    @Test
    void imageWithoutThePosixFeatureIsRefusedAtMountSayingHowToMakeANewOne() throws Exception {
        byte[] b = new byte[Superblock.SIZE];
        BlockCache.readRaw(env.device, Superblock.OFFSET, b);
        Bytes.u32(b, Superblock.INCOMPAT_OFFSET, 0);
        Bytes.u32(b, 0x3FC, Bytes.crc(0, b, 0, 0x3FC) & 0xFFFFFFFFL);
        BlockCache.writeRaw(env.device, Superblock.OFFSET, b, 0);
        assertThatThrownBy(env::mount).isInstanceOfSatisfying(JiomapException.class, e -> {
            assertThat(e.errno()).isEqualTo(Errno.EUCLEAN);
            assertThat(e.getMessage()).contains("predates POSIX metadata").contains("jiomap mkfs --fs ext4-like");
        });
        assertThat(env.fsck().problems()).anyMatch(p -> p.contains("predates POSIX metadata"));
    }

    @Test
    void inodeWithAFileTypeOtherThanFileDirectoryOrSymlinkIsReported() throws Exception {
        editInode(fileIno, r -> r.mode = 0x1000 | 0644);
        assertThat(env.fsck().problems()).anyMatch(p -> p.contains("inode " + fileIno)
                && p.contains("unknown file type 0x1000"));
    }
}
