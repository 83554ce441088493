package io.jiomap.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.SyncBio;
import io.jiomap.core.block.BlockLayer;
import io.jiomap.core.dio.DioStats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class BlockLayerTest {
    private final MemorySegment buf = Arena.ofAuto().allocate(4096, 4096);

    @Test
    void withoutAVolatileCacheFuaIsStrippedAndFlushesNeverReachTheDevice() {
        TestDevice device = new TestDevice(1 << 20, false, false, true);
        DioStats stats = new DioStats();
        BlockLayer layer = new BlockLayer(device, stats);

        assertThat(SyncBio.write(layer, 0, buf, 0, 4096, Bio.FUA | Bio.PREFLUSH)).isZero();
        assertThat(SyncBio.flush(layer)).isZero();

        assertThat(device.bios).containsExactly(new TestDevice.Recorded(BioOp.WRITE, Bio.SYNC, 0, 4096));
        assertThat(stats.snapshot().flushes()).isZero();
        assertThat(stats.snapshot().fuaWrites()).isZero();
    }

    @Test
    void aCacheWithoutFuaTurnsAFuaWriteIntoWriteThenFlush() {
        TestDevice device = new TestDevice(1 << 20, true, false, false);
        DioStats stats = new DioStats();
        BlockLayer layer = new BlockLayer(device, stats);

        assertThat(SyncBio.write(layer, 4096, buf, 0, 4096, Bio.FUA)).isZero();

        assertThat(device.bios).extracting(TestDevice.Recorded::op).containsExactly(BioOp.WRITE, BioOp.FLUSH);
        assertThat(device.bios.get(0).flags() & Bio.FUA).isZero();
        assertThat(stats.snapshot().flushes()).isEqualTo(1);
        assertThat(stats.snapshot().fuaWrites()).isZero();
        device.close();
    }

    @Test
    void aCacheWithFuaPassesFuaThroughAndPreflushComesFirst() {
        TestDevice device = new TestDevice(1 << 20, true, true, true);
        DioStats stats = new DioStats();
        BlockLayer layer = new BlockLayer(device, stats);

        assertThat(SyncBio.write(layer, 0, buf, 0, 4096, Bio.FUA | Bio.PREFLUSH)).isZero();

        assertThat(device.bios).extracting(TestDevice.Recorded::op).containsExactly(BioOp.FLUSH, BioOp.WRITE);
        assertThat(device.bios.get(1).flags() & (Bio.FUA | Bio.PREFLUSH)).isEqualTo(Bio.FUA);
        assertThat(stats.snapshot().flushes()).isEqualTo(1);
        assertThat(stats.snapshot().fuaWrites()).isEqualTo(1);
    }
}
