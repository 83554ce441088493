package io.jiomap.device.sata;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.device.model.ModelDevice;
import io.jiomap.tck.device.DeviceIo;
import io.jiomap.tck.device.Probe;
import java.lang.foreign.MemorySegment;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What makes {@code sata-like} SATA: one NCQ queue of at most 32, a cache without FUA, and FLUSH CACHE as a
 * non-queued command. Timing is checked only as lower bounds the model guarantees, never as upper bounds.
 */
class SataLikeDeviceTest {
    private static final long LATENCY = 2_000_000;
    private static final long FLUSH_LATENCY = 3_000_000;

    private final DeviceIo io = new DeviceIo();
    private final SataLikeProvider provider = new SataLikeProvider();

    @AfterEach
    void close() {
        io.close();
    }

    private ModelDevice open(String options) throws JiomapException {
        return io.track(provider.open(DeviceSpec.parse("sata-like:" + options)));
    }

    @Test
    void capabilitiesAreTheWriteCacheWithoutFuaRowWithOneNcqQueue() throws Exception {
        DeviceCapabilities caps = open("size=1m").capabilities();

        assertThat(caps.volatileWriteCache()).isTrue();
        assertThat(caps.fua()).as("libata.fua defaults to 0").isFalse();
        assertThat(caps.writeThroughByFua()).isFalse();
        assertThat(caps.queueCount()).isEqualTo(1);
        assertThat(caps.queueDepth()).isEqualTo(32);
        assertThat(caps.polling()).isFalse();
    }

    @Test
    void fuaFlagIsNotHonouredSoAFuaWriteStaysInTheVolatileCache() throws Exception {
        ModelDevice device = open("size=1m");
        assertThat(DeviceIo.write(device, Bio.FUA, 0, io.pattern(4096, 1))).isZero();

        device.powerCut();

        assertThat(io.read(device, 0, 4096)).as("the block layer must emulate FUA with a flush")
                .isEqualTo(DeviceIo.zeros(4096));
    }

    @Test
    void flushStartsOnlyAfterEveryEarlierWriteCompleted() throws Exception {
        ModelDevice device = open("size=1m,latency=2ms,flush-latency=3ms");
        MemorySegment buffer = io.pattern(4096, 2);
        Probe w1 = DeviceIo.submit(device, BioOp.WRITE, 0, 0, buffer);
        Probe w2 = DeviceIo.submit(device, BioOp.WRITE, 0, 4096, buffer);
        Probe flush = DeviceIo.submit(device, BioOp.FLUSH, 0, 0, MemorySegment.NULL);

        assertThat(flush.awaitStatus()).isZero();
        assertThat(w1.awaitStatus()).isZero();
        assertThat(w2.awaitStatus()).isZero();

        assertThat(w2.completedNanos()).isGreaterThanOrEqualTo(w1.completedNanos());
        assertThat(flush.completedNanos()).isGreaterThanOrEqualTo(w2.completedNanos());
        // Queued, the flush's 3 ms would have overlapped the writes' 2 ms; drained, it starts when they are done.
        assertThat(flush.completedNanos() - w2.completedNanos()).isGreaterThanOrEqualTo(FLUSH_LATENCY);
        device.powerCut();
        assertThat(io.read(device, 0, 8192)).isEqualTo(concat(buffer, buffer));
    }

    @Test
    void writeSubmittedAfterAFlushDoesNotStartBeforeTheFlushCompleted() throws Exception {
        ModelDevice device = open("size=1m,latency=2ms,flush-latency=3ms");
        MemorySegment buffer = io.pattern(4096, 3);
        Probe before = DeviceIo.submit(device, BioOp.WRITE, 0, 0, buffer);
        Probe flush = DeviceIo.submit(device, BioOp.FLUSH, 0, 0, MemorySegment.NULL);
        Probe after = DeviceIo.submit(device, BioOp.WRITE, 0, 4096, buffer);

        assertThat(after.awaitStatus()).isZero();
        assertThat(flush.awaitStatus()).isZero();
        assertThat(before.awaitStatus()).isZero();

        assertThat(after.completedNanos()).isGreaterThanOrEqualTo(flush.completedNanos());
        // Its own 2 ms latency ran only after the flush: nothing runs beside a FLUSH CACHE.
        assertThat(after.completedNanos() - flush.completedNanos()).isGreaterThanOrEqualTo(LATENCY);
        device.powerCut();
        assertThat(io.read(device, 0, 4096)).as("before the flush: durable").isEqualTo(DeviceIo.bytes(buffer));
        assertThat(io.read(device, 4096, 4096)).as("after the flush: still volatile")
                .isEqualTo(DeviceIo.zeros(4096));
    }

    @Test
    void ncqDepthIsTheQueueLimitAndThereIsOneQueue() {
        assertThat(refusal("queue-depth=33")).contains("queue-depth=33").contains("from 1 to 32");
        assertThat(refusal("queues=2")).contains("unknown sata-like device option 'queues'");
        assertThat(provider.options()).doesNotContainKey("queues");
    }

    @Test
    void providerIsFoundByServiceLoaderUnderItsType() {
        assertThat(ServiceLoader.load(BlockDeviceProvider.class).stream().map(ServiceLoader.Provider::get)
                .map(BlockDeviceProvider::type)).contains(SataLikeProvider.TYPE);
    }

    private static byte[] concat(MemorySegment a, MemorySegment b) {
        byte[] x = DeviceIo.bytes(a);
        byte[] y = DeviceIo.bytes(b);
        byte[] all = java.util.Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, all, x.length, y.length);
        return all;
    }

    private String refusal(String options) {
        try {
            open(options);
        } catch (JiomapException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + options);
    }
}
