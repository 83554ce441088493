package io.jiomap.device.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.block.Bio;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The volatile write cache: what a completed write, FUA, FLUSH and PREFLUSH promise across a power cut. */
class WriteCacheTest {
    private static final int BLOCK = 4096;
    private final Io io = new Io();

    @AfterEach
    void closeDevices() {
        io.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory:size=4m,vwc=on", "memory:size=4m,vwc=on,completion=submitter"})
    void completedWriteIsVisibleBeforeAnyFlush(String spec) throws Exception {
        MemoryDevice device = io.open(spec);
        MemorySegment data = io.pattern(BLOCK, 1);

        assertThat(Io.write(device, 0, data)).isZero();

        assertThat(io.readBytes(device, 0, BLOCK)).isEqualTo(Io.bytes(data));
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory:size=4m,vwc=on", "memory:size=4m,vwc=on,completion=submitter"})
    void fuaWriteSurvivesPowerCut(String spec) throws Exception {
        MemoryDevice device = io.open(spec);
        MemorySegment data = io.pattern(BLOCK, 2);

        assertThat(Io.write(device, Bio.FUA, BLOCK, data)).isZero();
        device.powerCut();

        assertThat(io.readBytes(device, BLOCK, BLOCK)).isEqualTo(Io.bytes(data));
    }

    @Test
    void unflushedWriteIsLostOnPowerCutAndNothingElse() throws Exception {
        MemoryDevice device = io.open("memory:size=4m,vwc=on");
        MemorySegment flushedOld = io.pattern(BLOCK, 3);
        MemorySegment fua = io.pattern(BLOCK, 4);
        MemorySegment unflushedOverwrite = io.pattern(BLOCK, 5);
        MemorySegment unflushedNew = io.pattern(BLOCK, 6);
        assertThat(Io.write(device, 0, flushedOld)).isZero();
        assertThat(Io.flush(device)).isZero();
        assertThat(Io.write(device, Bio.FUA, 2 * BLOCK, fua)).isZero();
        assertThat(Io.write(device, 0, unflushedOverwrite)).isZero();
        assertThat(Io.write(device, (2L << 20) + BLOCK, unflushedNew)).isZero();

        device.powerCut();

        assertThat(io.readBytes(device, 0, BLOCK)).as("the overwrite is lost, the flushed data is back")
                .isEqualTo(Io.bytes(flushedOld));
        assertThat(io.readBytes(device, 2 * BLOCK, BLOCK)).isEqualTo(Io.bytes(fua));
        assertThat(io.readBytes(device, (2L << 20) + BLOCK, BLOCK)).as("never durable, so zeros").containsOnly(0);
    }

    @Test
    void flushMakesEarlierCompletedWritesDurable() throws Exception {
        MemoryDevice device = io.open("memory:size=4m,vwc=on");
        MemorySegment first = io.pattern(BLOCK, 7);
        MemorySegment spanningChunks = io.pattern(4 * BLOCK, 8);
        MemorySegment afterFlush = io.pattern(BLOCK, 9);
        assertThat(Io.write(device, 0, first)).isZero();
        assertThat(Io.write(device, (1L << 20) - 2 * BLOCK, spanningChunks)).isZero();

        assertThat(Io.flush(device)).isZero();
        assertThat(Io.write(device, 3L << 20, afterFlush)).isZero();
        device.powerCut();

        assertThat(io.readBytes(device, 0, BLOCK)).isEqualTo(Io.bytes(first));
        assertThat(io.readBytes(device, (1L << 20) - 2 * BLOCK, 4 * BLOCK)).isEqualTo(Io.bytes(spanningChunks));
        assertThat(io.readBytes(device, 3L << 20, BLOCK)).as("written after the flush").containsOnly(0);
    }

    @Test
    void preflushWriteMakesEarlierWritesDurable() throws Exception {
        MemoryDevice device = io.open("memory:size=4m,vwc=on");
        MemorySegment earlier = io.pattern(BLOCK, 10);
        MemorySegment preflushed = io.pattern(BLOCK, 11);
        assertThat(Io.write(device, 0, earlier)).isZero();

        assertThat(Io.write(device, Bio.PREFLUSH, BLOCK, preflushed)).isZero();
        device.powerCut();

        assertThat(io.readBytes(device, 0, BLOCK)).isEqualTo(Io.bytes(earlier));
        assertThat(io.readBytes(device, BLOCK, BLOCK)).as("PREFLUSH without FUA leaves the write itself cached")
                .containsOnly(0);
    }

    @Test
    void fuaWriteSupersedesAnOlderCachedWriteOfTheSameBlocks() throws Exception {
        MemoryDevice device = io.open("memory:size=4m,vwc=on");
        MemorySegment cached = io.pattern(2 * BLOCK, 12);
        MemorySegment fua = io.pattern(BLOCK, 13);
        assertThat(Io.write(device, 0, cached)).isZero();

        assertThat(Io.write(device, Bio.FUA, BLOCK, fua)).isZero();

        byte[] expected = Io.bytes(cached);
        System.arraycopy(Io.bytes(fua), 0, expected, BLOCK, BLOCK);
        assertThat(io.readBytes(device, 0, 2 * BLOCK)).isEqualTo(expected);
        device.powerCut();
        byte[] durable = new byte[2 * BLOCK];
        System.arraycopy(Io.bytes(fua), 0, durable, BLOCK, BLOCK);
        assertThat(io.readBytes(device, 0, 2 * BLOCK)).isEqualTo(durable);
    }

    @Test
    void readMixesCachedAndDurableBlocksPerLogicalBlock() throws Exception {
        MemoryDevice device = io.open("memory:size=4m,vwc=on,lbs=512");
        MemorySegment durable = io.pattern(64 * 512, 14);
        MemorySegment cachedA = io.pattern(512, 15);
        MemorySegment cachedB = io.pattern(3 * 512, 16);
        assertThat(Io.write(device, Bio.FUA, 0, durable)).isZero();
        assertThat(Io.write(device, 512, cachedA)).isZero();
        assertThat(Io.write(device, 62 * 512, cachedB)).isZero();

        byte[] expected = Io.bytes(durable);
        System.arraycopy(Io.bytes(cachedA), 0, expected, 512, 512);
        byte[] withTail = Arrays.copyOf(expected, 65 * 512);
        System.arraycopy(Io.bytes(cachedB), 0, withTail, 62 * 512, 3 * 512);

        assertThat(io.readBytes(device, 0, 65 * 512)).isEqualTo(withTail);
        device.powerCut();
        assertThat(io.readBytes(device, 0, 64 * 512)).isEqualTo(Io.bytes(durable));
    }

    @Test
    void withFuaOffAFuaWriteIsCachedLikeAnyOther() throws Exception {
        MemoryDevice device = io.open("memory:size=4m,vwc=on,fua=off");

        assertThat(Io.write(device, Bio.FUA, 0, io.pattern(BLOCK, 17))).isZero();
        device.powerCut();

        assertThat(device.capabilities().fua()).isFalse();
        assertThat(io.readBytes(device, 0, BLOCK)).containsOnly(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory:size=4m", "memory:size=4m,completion=submitter"})
    void writeThroughDeviceLosesNothingOnPowerCut(String spec) throws Exception {
        MemoryDevice device = io.open(spec);
        MemorySegment data = io.pattern(BLOCK, 18);

        assertThat(Io.write(device, 0, data)).isZero();
        device.powerCut();

        assertThat(device.capabilities().volatileWriteCache()).isFalse();
        assertThat(io.readBytes(device, 0, BLOCK)).isEqualTo(Io.bytes(data));
    }
}
