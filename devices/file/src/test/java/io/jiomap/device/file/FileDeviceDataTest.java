package io.jiomap.device.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Data moves between bios and the real file, on both engines. */
class FileDeviceDataTest {
    private final Io io = new Io();

    @AfterEach
    void cleanUp() {
        io.close();
    }

    private FileDevice open(String engine, String options) throws Exception {
        Engines.assumeAvailable(engine);
        return io.open("disk.img", "engine=" + engine + (options.isEmpty() ? "" : "," + options));
    }

    @ParameterizedTest
    @MethodSource("io.jiomap.device.file.Engines#both")
    void writtenBlocksReadBackAndLandInTheFileAtTheirOffset(String engine) throws Exception {
        FileDevice device = open(engine, "size=8m");
        MemorySegment data = io.pattern(16384, 1);

        assertThat(Io.write(device, 1 << 20, data)).isZero();

        assertThat(io.readBytes(device, 1 << 20, 16384)).isEqualTo(Io.bytes(data));
        // The bytes are in the file itself, read back through an ordinary buffered channel.
        try (FileChannel ch = FileChannel.open(device.path(), StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(16384);
            ch.read(b, 1 << 20);
            assertThat(b.array()).isEqualTo(Io.bytes(data));
        }
    }

    @org.junit.jupiter.api.Test
    void onIoUringADiscardPunchesAHoleInTheFileThatReadsBackAsZeros() throws Exception {
        FileDevice device = open("io_uring", "size=8m,max-transfer=4m");
        org.junit.jupiter.api.Assumptions.assumeTrue(device.capabilities().canDiscard(),
                () -> device.path() + " is on a filesystem that cannot punch holes");
        MemorySegment data = io.pattern(4 << 20, 3);
        int chunk = device.capabilities().maxTransferBytes();
        for (int at = 0; at < (4 << 20); at += chunk) {
            assertThat(Io.write(device, at, data.asSlice(at, chunk))).isZero();
        }
        long allocatedBefore = allocatedBytes(device.path());

        assertThat(Io.submitAndAwait(device, BioOp.DISCARD, 0, 1 << 20, MemorySegment.NULL, 0, 2 << 20)).isZero();

        byte[] expected = Io.bytes(data);
        Arrays.fill(expected, 1 << 20, 3 << 20, (byte) 0);
        assertThat(io.readBytes(device, 0, 4 << 20)).isEqualTo(expected);
        assertThat(allocatedBytes(device.path())).as("the file's blocks were deallocated")
                .isLessThanOrEqualTo(allocatedBefore - (2 << 20));
        assertThat(java.nio.file.Files.size(device.path())).as("size kept").isEqualTo(8 << 20);
    }

    @org.junit.jupiter.api.Test
    void theThreadsEngineOffersNoDiscardAndRefusesOneWithEopnotsupp() throws Exception {
        FileDevice device = open("threads", "size=8m");

        assertThat(device.capabilities().canDiscard()).isFalse();
        assertThat(Io.submitAndAwait(device, BioOp.DISCARD, 0, 0, MemorySegment.NULL, 0, 4096))
                .isEqualTo(Errno.EOPNOTSUPP);
    }

    /** The file's allocated bytes, from stat(1)'s block count (512-byte units). */
    private static long allocatedBytes(java.nio.file.Path file) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%b", file.toString()).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.waitFor()).isZero();
        return Long.parseLong(out) * 512;
    }

    @ParameterizedTest
    @MethodSource("io.jiomap.device.file.Engines#both")
    void sixtyFourConcurrentBiosAllCompleteWithTheirOwnData(String engine) throws Exception {
        FileDevice device = open(engine, "size=8m,queue-depth=64");
        int count = 64;
        MemorySegment src = io.pattern(4096L * count, 2);
        Io.Probe[] writes = new Io.Probe[count];
        for (int i = 0; i < count; i++) {
            writes[i] = new Io.Probe();
            // Every other block, in reverse order, so a bio written to the wrong place or with the wrong data shows.
            long address = (long) (count - 1 - i) * 8192;
            writes[i].bio.set(BioOp.WRITE, 0, address, src, 4096L * i, 4096, writes[i], null);
            device.submit(writes[i].bio);
        }
        for (Io.Probe p : writes) {
            assertThat(p.awaitStatus()).isZero();
        }
        MemorySegment dst = io.buffer(4096L * count);
        Io.Probe[] reads = new Io.Probe[count];
        for (int i = 0; i < count; i++) {
            reads[i] = new Io.Probe();
            reads[i].bio.set(BioOp.READ, 0, (long) (count - 1 - i) * 8192, dst, 4096L * i, 4096, reads[i], null);
            device.submit(reads[i].bio);
        }
        for (Io.Probe p : reads) {
            assertThat(p.awaitStatus()).isZero();
        }
        assertThat(Io.bytes(dst)).isEqualTo(Io.bytes(src));
    }

    @ParameterizedTest
    @MethodSource("io.jiomap.device.file.Engines#both")
    void fuaAndPreflushWritesCompleteAndReadBack(String engine) throws Exception {
        FileDevice device = open(engine, "size=1m");
        MemorySegment a = io.pattern(4096, 3);
        MemorySegment b = io.pattern(4096, 4);

        assertThat(Io.write(device, Bio.FUA, 0, a)).isZero();
        assertThat(Io.write(device, Bio.PREFLUSH | Bio.FUA, 4096, b)).isZero();

        assertThat(io.readBytes(device, 0, 4096)).isEqualTo(Io.bytes(a));
        assertThat(io.readBytes(device, 4096, 4096)).isEqualTo(Io.bytes(b));
        assertThat(device.capabilities().fua()).isTrue();
        assertThat(device.capabilities().volatileWriteCache()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("io.jiomap.device.file.Engines#both")
    void flushCompletesSuccessfullyAfterWrites(String engine) throws Exception {
        FileDevice device = open(engine, "size=1m");
        assertThat(Io.write(device, 8192, io.pattern(4096, 5))).isZero();

        assertThat(Io.flush(device)).isZero();
    }

    @ParameterizedTest
    @MethodSource("io.jiomap.device.file.Engines#both")
    void misalignedBiosFailWithEinval(String engine) throws Exception {
        FileDevice device = open(engine, "size=1m");
        int lbs = device.capabilities().logicalBlockSize();
        MemorySegment buffer = io.buffer(3L * lbs);

        assertThat(Io.submitAndAwait(device, BioOp.WRITE, 0, lbs / 2, buffer, 0, lbs)).as("address")
                .isEqualTo(Errno.EINVAL);
        assertThat(Io.submitAndAwait(device, BioOp.WRITE, 0, 0, buffer, 0, lbs + 1)).as("length")
                .isEqualTo(Errno.EINVAL);
        assertThat(Io.submitAndAwait(device, BioOp.READ, 0, 0, buffer, 1, lbs)).as("memory")
                .isEqualTo(Errno.EINVAL);
        assertThat(Io.submitAndAwait(device, BioOp.READ, 0, 0, buffer, 0, 0)).as("empty").isEqualTo(Errno.EINVAL);
    }

    @ParameterizedTest
    @MethodSource("io.jiomap.device.file.Engines#both")
    void biosPastTheEndFailWithEio(String engine) throws Exception {
        FileDevice device = open(engine, "size=1m");
        MemorySegment buffer = io.buffer(8192);

        assertThat(Io.submitAndAwait(device, BioOp.WRITE, 0, 1 << 20, buffer, 0, 4096)).isEqualTo(Errno.EIO);
        assertThat(Io.submitAndAwait(device, BioOp.READ, 0, (1 << 20) - 4096, buffer, 0, 8192))
                .isEqualTo(Errno.EIO);
    }

    @ParameterizedTest
    @MethodSource("io.jiomap.device.file.Engines#both")
    void memoryThatCannotBeUsedFailsWithEfault(String engine) throws Exception {
        FileDevice device = open(engine, "size=1m");
        MemorySegment freed;
        try (Arena gone = Arena.ofShared()) {
            freed = gone.allocate(4096, 4096);
        }
        MemorySegment tooSmall = io.buffer(4096);

        assertThat(Io.submitAndAwait(device, BioOp.WRITE, 0, 0, freed, 0, 4096)).as("freed").isEqualTo(Errno.EFAULT);
        assertThat(Io.submitAndAwait(device, BioOp.WRITE, 0, 0, tooSmall, 0, 8192)).as("too small")
                .isEqualTo(Errno.EFAULT);
        assertThat(Io.submitAndAwait(device, BioOp.READ, 0, 0, tooSmall.asReadOnly(), 0, 4096)).as("read-only")
                .isEqualTo(Errno.EFAULT);
    }

    @ParameterizedTest
    @MethodSource("io.jiomap.device.file.Engines#both")
    void dataPersistsAcrossCloseAndReopen(String engine) throws Exception {
        FileDevice first = open(engine, "size=2m");
        MemorySegment data = io.pattern(65536, 6);
        assertThat(Io.write(first, 65536, data)).isZero();
        assertThat(Io.flush(first)).isZero();
        first.close();

        FileDevice second = open(engine, "");

        assertThat(second.capabilities().capacityBytes()).isEqualTo(2L << 20);
        assertThat(io.readBytes(second, 65536, 65536)).isEqualTo(Io.bytes(data));
        byte[] untouched = io.readBytes(second, 0, 65536);
        assertThat(untouched).isEqualTo(new byte[65536]);
    }

    @ParameterizedTest
    @MethodSource("io.jiomap.device.file.Engines#both")
    void largeBioUpToMaxTransferMovesAllItsBytes(String engine) throws Exception {
        FileDevice device = open(engine, "size=4m,max-transfer=1m");
        MemorySegment data = io.pattern(1 << 20, 7);

        assertThat(Io.write(device, 1 << 20, data)).isZero();
        MemorySegment back = io.buffer(1 << 20);
        assertThat(Io.read(device, 1 << 20, back)).isZero();

        assertThat(back.mismatch(data)).isEqualTo(-1L);
        assertThat(Io.submitAndAwait(device, BioOp.READ, 0, 0, io.buffer(2 << 20), 0, 2 << 20))
                .as("longer than max-transfer").isEqualTo(Errno.EINVAL);
    }

    @ParameterizedTest
    @MethodSource("io.jiomap.device.file.Engines#both")
    void readIntoAnOffsetOfALargerSegmentTouchesOnlyThatRange(String engine) throws Exception {
        FileDevice device = open(engine, "size=1m");
        MemorySegment data = io.pattern(4096, 8);
        assertThat(Io.write(device, 0, data)).isZero();
        MemorySegment dst = io.buffer(3 * 4096);
        dst.fill((byte) 0x33);

        assertThat(Io.submitAndAwait(device, BioOp.READ, 0, 0, dst, 4096, 4096)).isZero();

        byte[] all = Io.bytes(dst);
        assertThat(Arrays.copyOfRange(all, 4096, 8192)).isEqualTo(Io.bytes(data));
        byte[] fill = new byte[4096];
        Arrays.fill(fill, (byte) 0x33);
        assertThat(Arrays.copyOfRange(all, 0, 4096)).isEqualTo(fill);
        assertThat(Arrays.copyOfRange(all, 8192, 12288)).isEqualTo(fill);
        assertThat(dst.get(ValueLayout.JAVA_BYTE, 4096)).isEqualTo(data.get(ValueLayout.JAVA_BYTE, 0));
    }
}
