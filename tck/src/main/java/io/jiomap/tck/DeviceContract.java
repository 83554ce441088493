package io.jiomap.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.SyncBio;
import io.jiomap.tck.observe.BioRecord;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * The {@link BlockDevice} contract the engine relies on, checked on the device under test directly (bad bios end
 * with the right errno, a closed device refuses bios, data written is read back), and the block layer's flush
 * policy (spec, block layer terms), checked on the device as the filesystem sees it.
 */
public interface DeviceContract extends ContractBase {

    @Test
    default void bioPastTheEndOfTheDeviceFailsWithEio() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        BlockDevice device = env.device();
        long capacity = device.capabilities().capacityBytes();
        MemorySegment buf = env.patterned(8192, 1);
        int lbs = env.logicalBlockSize();
        assertThat(SyncBio.write(device, capacity, buf, 0, 4096, 0)).as("write at the end").isEqualTo(-Errno.EIO);
        assertThat(SyncBio.write(device, capacity - lbs, buf, 0, 2 * lbs, 0)).as("write across the end")
                .isEqualTo(-Errno.EIO);
        assertThat(SyncBio.read(device, capacity, buf, 0, 4096)).as("read at the end").isEqualTo(-Errno.EIO);
    }

    @Test
    default void misalignedBioFailsWithEinval() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        MemorySegment buf = env.patterned(8192, 1);
        assertThat(SyncBio.write(env.device(), 100, buf, 0, 4096, 0)).as("misaligned address")
                .isEqualTo(-Errno.EINVAL);
        assertThat(SyncBio.read(env.device(), 0, buf, 0, 100)).as("misaligned length").isEqualTo(-Errno.EINVAL);
    }

    @Test
    default void writtenDataIsReadBackAndSurvivesAFlush() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        BlockDevice device = env.device();
        MemorySegment out = env.patterned(8192, 5);
        MemorySegment in = env.buffer(8192);
        assertThat(SyncBio.write(device, MIB, out, 0, 8192, 0)).isZero();
        assertThat(SyncBio.flush(device)).isZero();
        assertThat(SyncBio.read(device, MIB, in, 0, 8192)).isZero();
        assertThat(in.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(Patterns.bytes(5, 8192));
    }

    @Test
    default void fuaWriteOnACacheWithoutFuaBecomesTheWriteThenAFlush() throws Exception {
        TckEnv env = tck().start(DeviceSetup.defaults().withWriteCache(true, false), DEFAULT_LAYOUT);
        BlockDevice asFsSeesIt = env.mount().fileSystem().device();
        assertThat(SyncBio.write(asFsSeesIt, MIB, env.patterned(4096, 3), 0, 4096, Bio.FUA)).isZero();
        assertThat(env.bios()).as("at the device").extracting(BioRecord::op, BioRecord::fua)
                .containsExactly(tuple(BioOp.WRITE, false), tuple(BioOp.FLUSH, false));
        assertThat(env.tap().isDurable(MIB, 4096)).as("durable when the FUA write completes").isTrue();
        assertThat(env.counters().flushes()).isEqualTo(1);
        assertThat(env.counters().fuaWrites()).isZero();
    }

    @Test
    default void preflushWriteIsPrecededByAFlushAndKeepsItsFua() throws Exception {
        TckEnv env = tck().start(DeviceSetup.defaults().withWriteCache(true, true), DEFAULT_LAYOUT);
        BlockDevice asFsSeesIt = env.mount().fileSystem().device();
        assertThat(SyncBio.write(asFsSeesIt, MIB, env.patterned(4096, 3), 0, 4096, Bio.PREFLUSH | Bio.FUA))
                .isZero();
        assertThat(env.bios()).as("at the device").extracting(BioRecord::op, BioRecord::fua, BioRecord::preflush)
                .containsExactly(tuple(BioOp.FLUSH, false, false), tuple(BioOp.WRITE, true, false));
        assertThat(env.tap().isDurable(MIB, 4096)).isTrue();
        assertThat(env.counters().fuaWrites()).isEqualTo(1);
    }

    @Test
    default void flushesAndFuaNeverReachADeviceWithoutWriteCache() throws Exception {
        TckEnv env = tck().start(DeviceSetup.defaults().withWriteCache(false, false), DEFAULT_LAYOUT);
        BlockDevice asFsSeesIt = env.mount().fileSystem().device();
        assertThat(SyncBio.flush(asFsSeesIt)).isZero();
        assertThat(SyncBio.write(asFsSeesIt, MIB, env.patterned(4096, 3), 0, 4096, Bio.PREFLUSH | Bio.FUA))
                .isZero();
        assertThat(env.bios()).as("at the device: a plain write").singleElement().satisfies(b -> {
            assertThat(b.isWrite()).isTrue();
            assertThat(b.fua()).isFalse();
            assertThat(b.preflush()).isFalse();
        });
        assertThat(env.tap().isDurable(MIB, 4096)).isTrue();
        assertThat(env.counters().flushes()).isZero();
    }

    @Test
    default void bioSubmittedToAClosedDeviceFailsWithEnodev() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        BlockDevice device = env.device();
        device.close();
        assertThat(device.isClosed()).isTrue();
        MemorySegment buf = env.patterned(4096, 1);
        assertThat(SyncBio.write(device, 0, buf, 0, 4096, 0)).isEqualTo(-Errno.ENODEV);
        assertThat(SyncBio.read(device, 0, buf, 0, 4096)).isEqualTo(-Errno.ENODEV);
        assertThat(SyncBio.flush(device)).isEqualTo(-Errno.ENODEV);
    }
}
