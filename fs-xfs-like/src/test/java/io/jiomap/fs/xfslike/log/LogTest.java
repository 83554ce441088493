package io.jiomap.fs.xfslike.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.device.memory.MemoryDeviceProvider;
import io.jiomap.fs.xfslike.format.Disk;
import io.jiomap.fs.xfslike.format.Geometry;
import io.jiomap.fs.xfslike.meta.Metadata;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Checkpoints written by a log force are found by recovery; torn, stale or unwritten ones are not. */
class LogTest {
    private static final Geometry G = new Geometry(4096, 4096, 1, 4096, 1, 16, 17, 33, 16);
    private final UUID uuid = UUID.randomUUID();

    private static Transaction create(Metadata m, long ino) {
        return new Transaction(m).add(new LogItem.Create(ino, FileKind.REGULAR, 0644, 0, 0, 1, 5, null))
                .add(new LogItem.Core(ino, 4096, 1, 0, 0644, 0, 0, 5, 5, 5, false));
    }

    @Test
    void forcedCheckpointsReplayInOrderAndTheCilDoesNot() throws Exception {
        try (BlockDevice dev = new MemoryDeviceProvider().open(DeviceSpec.parse("memory:size=16m"))) {
            Disk disk = new Disk(dev, 4096);
            Metadata m = Metadata.empty(G);
            Log log = new Log(disk, G, uuid);
            log.reset(3, 14, 1);
            log.commit(create(m, 64));
            assertThat(log.force()).isZero();
            log.commit(create(m, 65));
            log.commit(new Transaction(m).add(new LogItem.Take(100, 5000 / 10)));
            assertThat(log.force()).isZero();
            assertThat(log.stable()).isEqualTo(3);
            log.commit(create(m, 66));

            Log.Scan scan = Log.scan(disk, G, uuid, 3, 14, 1);
            assertThat(scan.checkpoints()).isEqualTo(2);
            assertThat(scan.transactions()).extracting(Transaction.Committed::seq).containsExactly(1L, 2L, 3L);
            Metadata replayed = Metadata.empty(G);
            for (Transaction.Committed c : scan.transactions()) {
                c.items().forEach(i -> i.apply(replayed));
            }
            assertThat(replayed.inodes().keySet()).containsExactly(64L, 65L);
            assertThat(replayed.freeBlocks()).isEqualTo(m.freeBlocks());
            assertThat(Log.scan(disk, G, uuid, 3, 14, 1).transactions()).as("scanning twice: the same")
                    .hasSize(3);
            assertThat(Log.scan(disk, G, uuid, 4, 14, 1).checkpoints()).as("another epoch").isZero();
        }
    }

    @Test
    void aTornCheckpointEndsTheLog() throws Exception {
        try (BlockDevice dev = new MemoryDeviceProvider().open(DeviceSpec.parse("memory:size=16m"))) {
            Disk disk = new Disk(dev, 4096);
            Metadata m = Metadata.empty(G);
            Log log = new Log(disk, G, uuid);
            log.reset(1, 0, 1);
            log.commit(create(m, 64));
            log.force();
            Transaction big = new Transaction(m);
            for (int i = 0; i < 400; i++) {
                big.add(new LogItem.Take(200 + 2L * i, 1));
            }
            log.commit(big);
            log.force();
            assertThat(Log.scan(disk, G, uuid, 1, 0, 1).checkpoints()).isEqualTo(2);
            // Tear the second checkpoint: its last block never reached the media.
            long second = G.logStart() + 1;
            int blocks = io.jiomap.fs.xfslike.format.MetaBlock.peek(java.nio.ByteBuffer.wrap(disk.read(second, 1)))
                    .records();
            assertThat(blocks).isGreaterThan(1);
            disk.write(second + blocks - 1, new byte[4096], 0);
            Log.Scan scan = Log.scan(disk, G, uuid, 1, 0, 1);
            assertThat(scan.checkpoints()).isEqualTo(1);
            assertThat(scan.transactions()).hasSize(1);
            assertThat(scan.head()).isEqualTo(1);
        }
    }

    @Test
    void aCheckpointThatDoesNotFitAsksForMetadataToGoHome() throws Exception {
        try (BlockDevice dev = new MemoryDeviceProvider().open(DeviceSpec.parse("memory:size=16m"))) {
            Disk disk = new Disk(dev, 4096);
            Metadata m = Metadata.empty(G);
            Log log = new Log(disk, G, uuid);
            log.reset(1, 0, 1);
            Transaction big = create(m, 64);
            for (int i = 0; i < 2000; i++) {
                big.add(new LogItem.Core(64, i, 1, 0, 0644, 0, 0, i, i, i, false));
            }
            log.commit(big);
            assertThat(log.cilBlocks()).isGreaterThan(G.logBlocks());
            assertThat(log.force()).isEqualTo(Log.NO_ROOM);
            assertThat(log.cilEmpty()).as("kept for the checkpoint").isFalse();
        }
    }
}
