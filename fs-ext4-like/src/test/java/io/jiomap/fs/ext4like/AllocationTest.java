package io.jiomap.fs.ext4like;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.api.vfs.Inode;
import io.jiomap.core.OpenFile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The goal-directed allocator and ENOSPC: exactly at the limit, and nothing half-done. */
class AllocationTest {
    @Test
    void blocksAreAllocatedAtTheGoalAfterThePreviousExtentSoTheFileStaysContiguous() throws Exception {
        try (Ext4Env env = Ext4Env.memory("size=32m", Map.of())) {
            OpenFile a = env.open("/a");
            env.write(a, 0, 32768, 1);
            env.write(a, 65536, 32768, 2);
            List<FileExtent> two = a.fiemap(0, 1 << 20);
            assertThat(two).hasSize(2);
            assertThat(two.get(1).physical() - two.get(0).physical()).as("goal: previous extent's end + the gap")
                    .isEqualTo(65536);
            env.write(a, 32768, 32768, 4);
            assertThat(a.fiemap(0, 1 << 20)).as("the hole filled at its goal: one physical run").singleElement()
                    .satisfies(e -> assertThat(e.length()).isEqualTo(98304));
        }
    }

    @Test
    void onAFullFilesystemWritesIntoUnwrittenSpaceFailBeforeTheirIoOrConvertNeverAtCompletion() throws Exception {
        // docs/design-rules.md, "Rule 5": every random write into a preallocated file that fills the disk splits an
        // unwritten extent, so the tree keeps growing; the room for that is reserved before the I/O, so a write either
        // fails with ENOSPC before it moves data or is converted and reads back, never "written but still zeros".
        try (Ext4Env env = Ext4Env.memory("size=16m", Map.of("blocks-per-group", "2048"))) {
            OpenFile f = env.open("/f");
            int bs = env.mount.fileSystem().blockSize();
            long blocks = env.mount.fileSystem().statfs().freeBlocks();
            f.fallocate(0, 0, blocks * bs);
            java.util.Random rnd = new java.util.Random(11);
            java.util.Map<Long, Long> written = new java.util.HashMap<>();
            int refused = 0;
            for (int i = 0; i < 3000; i++) {
                long block = rnd.nextLong(blocks);
                long bios = env.mount.counters().dataBios();
                try {
                    assertThat(env.write(f, block * bs, bs, i)).isEqualTo(bs);
                    written.put(block, (long) i);
                } catch (JiomapException e) {
                    assertThat(e.errno()).as("the only failure allowed").isEqualTo(Errno.ENOSPC);
                    assertThat(env.mount.counters().dataBios()).as("a refused write moved no data").isEqualTo(bios);
                    refused++;
                }
            }
            env.remount();
            OpenFile g = env.open("/f");
            for (var w : written.entrySet()) {
                assertThat(env.read(g, w.getKey() * bs, bs)).as("block %d", w.getKey())
                        .isEqualTo(Ext4Env.bytes(env.pattern(bs, w.getValue())));
            }
            assertThat(written.size() + refused).isPositive();
            env.unmount();
            assertThat(env.fsck().problems()).isEmpty();
        }
    }

    @Test
    void fallocateTakesExactlyTheFreeSpaceAndOneBlockMoreIsEnospcWithNothingChanged() throws Exception {
        try (Ext4Env env = Ext4Env.memory("size=16m", Map.of("blocks-per-group", "2048"))) {
            OpenFile f = env.open("/f");
            FsStat st = env.mount.fileSystem().statfs();
            long free = st.freeBlocks();
            assertThat(free).isPositive();
            f.fallocate(0, 0, free * st.blockSize());
            assertThat(env.mount.fileSystem().statfs().freeBlocks()).isZero();
            OpenFile g = env.open("/g");
            assertThatThrownBy(() -> g.fallocate(0, 0, st.blockSize()))
                    .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSPC));
            assertThat(g.size()).isZero();
            assertThat(g.fiemap(0, 1 << 30)).isEmpty();
            assertThatThrownBy(() -> env.write(g, 0, 4096, 1))
                    .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSPC));
            assertThat(g.size()).as("a failed extending write leaves the size").isZero();
            f.fallocate(Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_KEEP_SIZE, 0, 8L * st.blockSize());
            env.mount.fileSystem().sync();
            assertThat(env.write(g, 0, 4096, 1)).as("space punched out is reusable once committed").isEqualTo(4096);
            env.unmount();
            assertThat(env.fsck().problems()).isEmpty();
        }
    }

    @Test
    void blocksFreedByAnUncommittedTransactionAreReusedOnlyAfterItCommits() throws Exception {
        try (Ext4Env env = Ext4Env.memory("size=16m", Map.of())) {
            OpenFile f = env.open("/f");
            env.write(f, 0, 65536, 1);
            f.fsync(false);
            long first = f.fiemap(0, 65536).getFirst().physical();
            f.truncate(0);
            OpenFile g = env.open("/g");
            env.write(g, 0, 65536, 2);
            assertThat(g.fiemap(0, 65536).getFirst().physical()).as("busy until the truncate commits")
                    .isNotEqualTo(first);
        }
    }
}
