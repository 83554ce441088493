package io.jiomap.device.memory;

import io.jiomap.tck.device.Probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.block.BioOp;
import io.jiomap.device.model.MemoryBacking;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MemoryDeviceDataTest {
    private final Io io = new Io();

    @AfterEach
    void closeDevices() {
        io.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "memory:completion=submitter", "memory:completion=delay,delay=1us",
            "memory:lbs=4096", "memory:vwc=on", "memory:vwc=on,completion=submitter"})
    void writeThenReadReturnsTheData(String spec) throws Exception {
        MemoryDevice device = io.open(spec);
        MemorySegment data = io.pattern(64 << 10, 1);

        assertThat(Io.write(device, 8192, data)).isZero();

        assertThat(io.readBytes(device, 8192, 64 << 10)).isEqualTo(Io.bytes(data));
    }

    @Test
    void unwrittenRangeReadsAsZeros() throws Exception {
        MemoryDevice device = io.open("memory:size=16m");
        assertThat(Io.write(device, 0, io.pattern(4096, 2))).isZero();
        long allocated = device.allocatedBytes();

        byte[] unwrittenChunk = io.readBytes(device, 8L << 20, 128 << 10);
        byte[] unwrittenPartOfAWrittenChunk = io.readBytes(device, 4096, 4096);

        assertThat(unwrittenChunk).containsOnly(0);
        assertThat(unwrittenPartOfAWrittenChunk).containsOnly(0);
        assertThat(device.allocatedBytes()).as("reading allocates nothing").isEqualTo(allocated);
    }

    @Test
    void discardAcrossExtentsReadsBackAsZerosAndAllocatesNothingForUnwrittenRanges() throws Exception {
        MemoryDevice device = io.open("memory:size=8m,max-transfer=4m,vwc=on");
        MemorySegment data = io.pattern(2L * MemoryBacking.EXTENT_SIZE, 6);
        assertThat(Io.write(device, 0, data)).isZero();
        long allocated = device.allocatedBytes();

        assertThat(Io.discard(device, 4096, 2 * MemoryBacking.EXTENT_SIZE - 8192)).isZero();
        assertThat(Io.discard(device, 4L << 20, 4 << 20)).as("never written").isZero();

        byte[] back = io.readBytes(device, 0, (int) data.byteSize());
        assertThat(Arrays.copyOfRange(back, 0, 4096)).isEqualTo(Arrays.copyOfRange(Io.bytes(data), 0, 4096));
        assertThat(Arrays.copyOfRange(back, 4096, back.length - 4096)).containsOnly(0);
        assertThat(Arrays.copyOfRange(back, back.length - 4096, back.length))
                .isEqualTo(Arrays.copyOfRange(Io.bytes(data), back.length - 4096, back.length));
        assertThat(device.allocatedBytes()).isEqualTo(allocated);
    }

    @Test
    void withDiscardOffADiscardFailsWithEopnotsupp() throws Exception {
        MemoryDevice device = io.open("memory:size=1m,discard=off");

        assertThat(Io.discard(device, 0, 4096)).isEqualTo(Errno.EOPNOTSUPP);
    }

    @Test
    void bioSpanningChunkBoundariesRoundTrips() throws Exception {
        MemoryDevice device = io.open("memory:size=8m,max-transfer=4m");
        long address = MemoryBacking.EXTENT_SIZE - 4096;
        MemorySegment data = io.pattern(2L * MemoryBacking.EXTENT_SIZE + 8192, 3);

        assertThat(Io.write(device, address, data)).isZero();

        assertThat(io.readBytes(device, address, (int) data.byteSize())).isEqualTo(Io.bytes(data));
        assertThat(io.readBytes(device, address - 4096, 4096)).containsOnly(0);
    }

    @Test
    void sixtyFourGibDeviceWorksOnASmallHeap() throws Exception {
        long capacity = 64L << 30;
        MemoryDevice device = io.open("memory:size=64g,lbs=4096");
        MemorySegment first = io.pattern(4096, 4);
        MemorySegment last = io.pattern(4096, 5);
        assertThat(capacity).isGreaterThan(Runtime.getRuntime().maxMemory());

        assertThat(Io.write(device, 0, first)).isZero();
        assertThat(Io.write(device, capacity - 4096, last)).isZero();

        assertThat(device.capabilities().capacityBytes()).isEqualTo(capacity);
        assertThat(io.readBytes(device, 0, 4096)).isEqualTo(Io.bytes(first));
        assertThat(io.readBytes(device, capacity - 4096, 4096)).isEqualTo(Io.bytes(last));
        assertThat(io.readBytes(device, capacity / 2, 4096)).containsOnly(0);
        assertThat(device.allocatedBytes()).as("only the two written chunks are allocated")
                .isEqualTo(2L * MemoryBacking.EXTENT_SIZE);
    }

    @Test
    void deviceWhoseSizeIsNotAWholeNumberOfChunksWorksUpToItsLastBlock() throws Exception {
        long capacity = (1L << 20) + 4096;
        MemoryDevice device = io.open("memory:size=" + capacity);
        MemorySegment data = io.pattern(8192, 6);

        assertThat(Io.write(device, capacity - 8192, data)).isZero();

        assertThat(io.readBytes(device, capacity - 8192, 8192)).isEqualTo(Io.bytes(data));
        assertThat(device.allocatedBytes()).isEqualTo(MemoryBacking.EXTENT_SIZE + 4096L);
    }

    @Test
    void bioUsesItsSegmentOffset() throws Exception {
        MemoryDevice device = io.open("memory");
        MemorySegment data = io.pattern(3 * 4096, 7);
        Probe write = new Probe();
        write.bio.set(BioOp.WRITE, 0, 4096, data, 4096, 4096, write, null);

        device.submit(write.bio);

        assertThat(write.awaitStatus()).isZero();
        assertThat(io.readBytes(device, 4096, 4096))
                .isEqualTo(Arrays.copyOfRange(Io.bytes(data), 4096, 8192));
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "memory:completion=submitter", "memory:vwc=on,completion=submitter"})
    void concurrentSubmittersEachFindTheirOwnData(String spec) throws Exception {
        MemoryDevice device = io.open(spec + (spec.contains(":") ? "," : ":") + "size=64m");
        int threads = 4;
        int writesPerThread = 64;
        Thread[] workers = new Thread[threads];
        Throwable[] failures = new Throwable[threads];
        for (int t = 0; t < threads; t++) {
            int worker = t;
            workers[t] = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < writesPerThread; i++) {
                        long address = ((long) i * threads + worker) * 16384;
                        MemorySegment data = io.pattern(16384, worker * 1000 + i);
                        assertThat(Io.write(device, address, data)).isZero();
                        assertThat(io.readBytes(device, address, 16384)).isEqualTo(Io.bytes(data));
                    }
                } catch (Throwable e) {
                    failures[worker] = e;
                }
            });
        }
        for (Thread worker : workers) {
            worker.join();
        }

        assertThat(failures).containsOnlyNulls();
    }
}
