package io.jiomap.fs.xfslike;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MountAndNamespaceTest {
    @Test
    void freshFilesystemMountsWithAnEmptyRootAndChecksClean() throws Exception {
        try (BlockDevice dev = Devices.memory()) {
            try (Mount m = Devices.mkfsAndMount(dev)) {
                assertThat(m.readdir("/")).isEmpty();
                assertThat(m.stat("/").kind()).isEqualTo(FileKind.DIRECTORY);
                assertThat(m.fileSystem().blockSize()).isEqualTo(4096);
            }
            FsckReport r = Devices.TYPE.fsck(dev, Map.of());
            assertThat(r.problems()).isEmpty();
            assertThat(Devices.TYPE.probe(dev)).isTrue();
        }
    }

    @Test
    void namespaceOperationsPersistAcrossRemount() throws Exception {
        try (BlockDevice dev = Devices.memory(); Arena arena = Arena.ofShared()) {
            MemorySegment data = Devices.pattern(arena, 8192, 3);
            try (Mount m = Devices.mkfsAndMount(dev)) {
                m.mkdir("/a");
                m.mkdir("/a/b");
                OpenFile f = m.open("/a/b/file", OpenFile.CREATE);
                f.pwrite(data, 0, 8192, 0);
                m.open("/a/other", OpenFile.CREATE);
                m.rename("/a/other", "/moved");
                assertThatThrownBy(() -> m.rmdir("/a")).isInstanceOfSatisfying(JiomapException.class,
                        e -> assertThat(e.errno()).isEqualTo(Errno.ENOTEMPTY));
                assertThatThrownBy(() -> m.open("/a/b/file", OpenFile.CREATE | OpenFile.EXCLUSIVE))
                        .isInstanceOfSatisfying(JiomapException.class,
                                e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST));
                assertThatThrownBy(() -> m.open("/nope/x", 0)).isInstanceOfSatisfying(JiomapException.class,
                        e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
                assertThatThrownBy(() -> m.open("/moved/x", OpenFile.CREATE))
                        .isInstanceOfSatisfying(JiomapException.class,
                                e -> assertThat(e.errno()).isEqualTo(Errno.ENOTDIR));
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
            try (Mount m = Devices.mount(dev)) {
                FileSystem fs = m.fileSystem();
                assertThat(m.readdir("/")).extracting(DirEntry::name).containsExactly("a", "moved");
                assertThat(m.readdir("/a")).extracting(DirEntry::name).containsExactly("b");
                assertThat(m.stat("/a").links()).isEqualTo(3);
                OpenFile f = m.open("/a/b/file", 0);
                assertThat(f.size()).isEqualTo(8192);
                MemorySegment back = arena.allocate(8192, 4096);
                f.pread(back, 0, 8192, 0);
                assertThat(Devices.bytes(back)).isEqualTo(Devices.bytes(data));
                f.close();
                m.unlink("/a/b/file");
                m.rmdir("/a/b");
                m.unlink("/moved");
                assertThat(m.readdir("/a")).isEmpty();
                assertThat(fs.statfs().freeBlocks()).isEqualTo(fs.statfs().totalBlocks());
            }
            assertThat(Devices.TYPE.fsck(dev, Map.of()).problems()).isEmpty();
        }
    }
}
