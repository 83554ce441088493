package io.jiomap.fs.ext4like;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.core.OpenFile;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FileSystemBasicsTest {
    private static final Map<String, String> SMALL = Map.of("blocks-per-group", "2048", "block-size", "4096");

    @Test
    void freshFilesystemMountsAndIsCleanForFsck() throws Exception {
        try (Ext4Env env = Ext4Env.memory("size=64m", Map.of())) {
            assertThat(env.mount.readdir("/")).isEmpty();
            env.unmount();
            FsckReport r = env.fsck();
            assertThat(r.problems()).isEmpty();
            assertThat(r.summary()).isNotEmpty();
        }
    }

    @Test
    void dataWrittenIsReadBackAfterRemount() throws Exception {
        try (Ext4Env env = Ext4Env.memory("size=64m", SMALL)) {
            OpenFile f = env.open("/a");
            assertThat(env.write(f, 0, 65536, 1)).isEqualTo(65536);
            assertThat(env.write(f, 1 << 20, 8192, 2)).isEqualTo(8192);
            assertThat(f.size()).isEqualTo((1 << 20) + 8192);
            env.remount();
            OpenFile g = env.open("/a");
            assertThat(g.size()).isEqualTo((1 << 20) + 8192);
            assertThat(env.read(g, 0, 65536)).isEqualTo(Ext4Env.bytes(env.pattern(65536, 1)));
            assertThat(env.read(g, 1 << 20, 8192)).isEqualTo(Ext4Env.bytes(env.pattern(8192, 2)));
            assertThat(env.read(g, 65536, 4096)).containsOnly(0);
            env.unmount();
            assertThat(env.fsck().problems()).isEmpty();
        }
    }

    @Test
    void aDeviceWith4096ByteSectorsHoldsTheFilesystemThoughItsSuperblockIsAt1024() throws Exception {
        // The superblock sits at byte 1024, inside the first sector of a 4Kn device: it must be read as that sector.
        try (Ext4Env env = Ext4Env.memory("size=64m,lbs=4096", Map.of())) {
            OpenFile f = env.open("/a");
            assertThat(env.write(f, 0, 16384, 3)).isEqualTo(16384);
            assertThat(Ext4Env.TYPE.probe(env.device)).isTrue();
            env.remount();
            assertThat(env.read(env.open("/a"), 0, 16384)).isEqualTo(Ext4Env.bytes(env.pattern(16384, 3)));
            env.unmount();
            assertThat(env.fsck().problems()).isEmpty();
        }
    }

    @Test
    void namespaceOperationsBuildAHierarchyThatSurvivesRemount() throws Exception {
        try (Ext4Env env = Ext4Env.memory("size=32m", SMALL)) {
            var fs = env.mount;
            fs.mkdir("/d");
            fs.mkdir("/d/e");
            env.open("/d/e/f");
            env.open("/d/g");
            fs.rename("/d/g", "/h");
            fs.rename("/d/e", "/x");
            assertThat(fs.readdir("/")).extracting(DirEntry::name).containsExactly("d", "h", "x");
            assertThat(fs.readdir("/x")).extracting(DirEntry::name).containsExactly("f");
            assertThat(fs.stat("/x").kind()).isEqualTo(FileKind.DIRECTORY);
            assertThat(fs.stat("/").links()).isEqualTo(4);
            assertThatThrownBy(() -> fs.rmdir("/x")).isInstanceOf(JiomapException.class)
                    .satisfies(e -> assertThat(((JiomapException) e).errno()).isEqualTo(Errno.ENOTEMPTY));
            fs.unlink("/x/f");
            fs.rmdir("/x");
            assertThatThrownBy(() -> fs.stat("/x")).isInstanceOf(JiomapException.class)
                    .satisfies(e -> assertThat(((JiomapException) e).errno()).isEqualTo(Errno.ENOENT));
            assertThatThrownBy(() -> env.mount.open("/h", OpenFile.CREATE | OpenFile.EXCLUSIVE))
                    .isInstanceOf(JiomapException.class);
            assertThatThrownBy(() -> fs.rename("/d", "/d/sub")).isInstanceOf(JiomapException.class)
                    .satisfies(e -> assertThat(((JiomapException) e).errno()).isEqualTo(Errno.EINVAL));
            for (int i = 0; i < 300; i++) {
                env.open("/d/file-with-a-rather-long-name-" + i);
            }
            env.remount();
            assertThat(env.mount.readdir("/d")).hasSize(300);
            assertThat(env.mount.readdir("/")).extracting(DirEntry::name).containsExactly("d", "h");
            env.unmount();
            assertThat(env.fsck().problems()).isEmpty();
        }
    }

    @Test
    void unknownMkfsOptionIsRefusedNamingIt() throws Exception {
        try (Ext4Env env = Ext4Env.memory("size=16m", Map.of())) {
            env.unmount();
            assertThatThrownBy(() -> Ext4Env.TYPE.mkfs(env.device, Map.of("colour", "blue")))
                    .isInstanceOf(JiomapException.class).hasMessageContaining("colour");
        }
    }
}
