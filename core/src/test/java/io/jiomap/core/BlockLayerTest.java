package io.jiomap.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioEndIo;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.api.block.SyncBio;
import io.jiomap.core.block.BlockLayer;
import io.jiomap.core.dio.DioStats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    @Test
    void aDiscardToADeviceThatCannotDiscardFailsWithEopnotsuppBeforeReachingIt() {
        Recording device = new Recording(new DeviceCapabilities(4096, 4096, 1 << 20, 1 << 20, 4096, 1, 32, true,
                true, false));
        BlockLayer layer = new BlockLayer(device, new DioStats());

        assertThat(SyncBio.discard(layer, 0, 4096)).isEqualTo(-Errno.EOPNOTSUPP);
        assertThat(submitDiscard(layer, 0, 4096)).isEqualTo(Errno.EOPNOTSUPP);

        assertThat(device.ops).isEmpty();
    }

    @Test
    void aDiscardOffTheDiscardGranularityFailsWithEinvalAndTheReasonNamesTheGranularity() {
        DeviceCapabilities caps = new DeviceCapabilities(512, 4096, 1 << 20, 1 << 20, 512, 1, 32, true, true, false,
                new DeviceCapabilities.Discard(4096, 64 << 10, true));
        Recording device = new Recording(caps);
        BlockLayer layer = new BlockLayer(device, new DioStats());

        assertThat(submitDiscard(layer, 512, 4096)).as("address off the granularity").isEqualTo(Errno.EINVAL);
        assertThat(submitDiscard(layer, 0, 1024)).as("length off the granularity").isEqualTo(Errno.EINVAL);
        assertThat(submitDiscard(layer, 0, 128 << 10)).as("past the largest discard").isEqualTo(Errno.EINVAL);
        assertThat(caps.discard().problem(512, 4096)).contains("discard granularity of 4096 bytes");
        assertThat(caps.discard().problem(0, 128 << 10)).contains("largest discard of 65536 bytes");

        assertThat(device.ops).isEmpty();
    }

    @Test
    void anAlignedDiscardReachesTheDeviceWithoutFuaOrPreflushAndLargeRangesAreSplit() {
        Recording device = new Recording(new DeviceCapabilities(512, 4096, 1 << 20, 1 << 20, 512, 1, 32, true, true,
                false, new DeviceCapabilities.Discard(4096, 64 << 10, true)));
        BlockLayer layer = new BlockLayer(device, new DioStats());

        assertThat(submitDiscard(layer, Bio.FUA | Bio.PREFLUSH, 8192, 4096)).isZero();
        assertThat(SyncBio.discard(layer, 64 << 10, 160 << 10)).isZero();

        assertThat(device.ops).containsExactly("DISCARD@8192+4096 flags 0", "DISCARD@65536+65536 flags 4",
                "DISCARD@131072+65536 flags 4", "DISCARD@196608+32768 flags 4");
    }

    private static int submitDiscard(BlockDevice device, long address, int length) {
        return submitDiscard(device, 0, address, length);
    }

    private static int submitDiscard(BlockDevice device, int flags, long address, int length) {
        Bio bio = new Bio();
        int[] status = {-1};
        device.submit(bio.setDiscard(flags, address, length, b -> status[0] = b.status(), null));
        return status[0];
    }

    /** A device that completes every bio in submit and records what reached it. */
    private static final class Recording implements BlockDevice {
        final java.util.List<String> ops = new java.util.ArrayList<>();
        private final DeviceCapabilities caps;

        Recording(DeviceCapabilities caps) {
            this.caps = caps;
        }

        @Override
        public String name() {
            return "recording0";
        }

        @Override
        public DeviceCapabilities capabilities() {
            return caps;
        }

        @Override
        public void submit(Bio bio) {
            ops.add(bio.op() + "@" + bio.address() + "+" + bio.length() + " flags " + bio.flags());
            bio.complete(0);
        }

        @Override
        public boolean isClosed() {
            return false;
        }

        @Override
        public void close() {
        }
    }

    /**
     * The block layer is on every I/O: passing a bio on allocates nothing, measured exactly with the JVM's per-thread
     * allocation counter over a device that completes in submit. Only the FUA emulation of a cache without FUA and
     * PREFLUSH on a cached device chain a flush, and those are not measured here.
     */
    @ParameterizedTest(name = "cache {0}, FUA {1}, bio flags {2}")
    @CsvSource({"false, false, 0", "false, false, 1", "false, false, 3", "true, true, 0", "true, true, 1",
            "true, false, 0"})
    void passingABioOnAllocatesNothing(boolean cache, boolean fua, int flags) throws Throwable {
        int[] failures = new int[1];
        BioEndIo endIo = b -> failures[0] += b.status() == 0 ? 0 : 1;
        BlockLayer layer = new BlockLayer(new CompletesInSubmit(cache, fua), new DioStats());
        Bio bio = new Bio();
        MethodHandle allocated = threadAllocatedBytes();
        long thread = Thread.currentThread().threadId();
        int bios = 20_000;
        for (int i = 0; i < bios; i++) {
            submitWriteAndFlush(layer, bio, i, flags, endIo);
        }

        long before = (long) allocated.invokeExact(thread);
        for (int i = 0; i < bios; i++) {
            submitWriteAndFlush(layer, bio, i, flags, endIo);
        }
        long bytes = (long) allocated.invokeExact(thread) - before;

        assertThat(failures[0]).isZero();
        // The smallest object is 16 bytes: anything allocated per bio would show as at least 320 KB.
        assertThat(bytes).isLessThan(bios / 10);
    }

    private void submitWriteAndFlush(BlockLayer layer, Bio bio, int i, int flags, BioEndIo endIo) {
        layer.submit(bio.set(BioOp.WRITE, flags, (long) (i % 64) * 4096, buf, 0, 4096, endIo, null));
        if (i % 8 == 0) {
            layer.submit(bio.setFlush(Bio.SYNC, endIo, null));
        }
    }

    /** {@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes(long)}, found reflectively. */
    private static MethodHandle threadAllocatedBytes() throws ReflectiveOperationException {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                .invoke(null);
        return MethodHandles.publicLookup().findVirtual(Class.forName("com.sun.management.ThreadMXBean"),
                "getThreadAllocatedBytes", MethodType.methodType(long.class, long.class)).bindTo(bean);
    }

    /** A device that completes every bio successfully in submit and keeps nothing. */
    private record CompletesInSubmit(boolean cache, boolean fua) implements BlockDevice {
        @Override
        public String name() {
            return "inline0";
        }

        @Override
        public DeviceCapabilities capabilities() {
            return new DeviceCapabilities(4096, 4096, 1 << 20, 1 << 20, 4096, 1, 32, cache, fua, false);
        }

        @Override
        public void submit(Bio bio) {
            bio.complete(0);
        }

        @Override
        public boolean isClosed() {
            return false;
        }

        @Override
        public void close() {
        }
    }
}
