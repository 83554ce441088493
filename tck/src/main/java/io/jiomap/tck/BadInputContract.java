package io.jiomap.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.ring.IoRing;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * Requests that are wrong or empty: they fail with the errno the kernel gives (and, through {@code OpenFile}, a
 * message saying what to fix), or return 0, without any I/O reaching the device.
 */
public interface BadInputContract extends ContractBase {

    @Test
    default void misalignedPositionFailsWithEinvalNamingTheLogicalBlockSize() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        int lbs = env.logicalBlockSize();
        long pos = POS + 100;
        assertEinval(() -> env.pwrite(pos, 4096), "offset " + pos, "logical block size " + lbs);
        assertEinval(() -> env.pread(pos, 4096), "offset " + pos, "logical block size " + lbs);
        assertNoIo(env);
    }

    @Test
    default void misalignedLengthFailsWithEinvalNamingTheLogicalBlockSize() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        int lbs = env.logicalBlockSize();
        assertEinval(() -> env.pwrite(POS, 1000), "length 1000", "logical block size " + lbs);
        assertEinval(() -> env.pread(POS, 1000), "length 1000", "logical block size " + lbs);
        assertNoIo(env);
    }

    @Test
    default void misalignedBufferFailsWithEinvalNamingTheDmaAlignment() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        int dma = env.device().capabilities().dmaAlignment();
        assumeTrue(dma > 1, () -> "device '" + env.device().name() + "' accepts any buffer address");
        MemorySegment buf = env.patterned(8192, POS);
        assertEinval(() -> env.file().pwrite(buf, 1, 4096, POS), "DMA alignment " + dma);
        assertEinval(() -> env.file().pread(buf, 1, 4096, POS), "DMA alignment " + dma);
        assertNoIo(env);
    }

    @Test
    default void misalignedRequestOnARingPostsEinval() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        IoRing ring = env.ring(CompletionMode.CALLER);
        MemorySegment buf = env.patterned(4096, POS);
        ring.prepWrite(env.file(), buf, 0, 4096, POS + 100, 0, 1);
        ring.prepRead(env.file(), buf, 0, 1000, POS, 0, 2);
        assertThat(ring.submit()).isEqualTo(2);
        assertThat(ring.cqReady()).as("posted at submission").isEqualTo(2);
        assertThat(DioAssertions.reap(ring, 2)).containsExactly(new Cqe(1, -Errno.EINVAL), new Cqe(2, -Errno.EINVAL));
        assertNoIo(env);
    }

    @Test
    default void zeroLengthRequestsReturnZeroWithoutIo() throws Exception {
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        assertThat(env.pwrite(POS, 0)).isZero();
        assertThat(env.pread(POS, 0)).isEmpty();
        IssuedIo w = env.write(POS, 0, CompletionMode.CALLER.iocbFlag());
        assertThat(w.submitResult()).isZero();
        assertThat(w.log().count()).as("ki_complete calls").isZero();
        assertThat(w.iocb().position()).isEqualTo(POS);
        assertThat(env.calls().begins()).as("mapping calls").isEmpty();
        assertNoIo(env);
    }

    @Test
    default void wholeDeviceFileWriteAtOrPastTheEndFailsWithEnospc() throws Exception {
        tck().requires(FsFeature.WHOLE_DEVICE_FILE);
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        long end = env.file().size();
        assertThat(end).as("the file is the device").isEqualTo(env.device().capabilities().capacityBytes());
        for (long pos : new long[] {end, end + 4096}) {
            assertThatThrownBy(() -> env.pwrite(pos, 4096)).as("write at " + pos)
                    .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSPC));
        }
        assertNoIo(env);
    }

    @Test
    default void wholeDeviceFileWriteCrossingTheEndIsShortenedToIt() throws Exception {
        tck().requires(FsFeature.WHOLE_DEVICE_FILE);
        TckEnv env = tck().start(DEFAULT_LAYOUT);
        long end = env.file().size();
        assertThat(env.pwrite(end - 4096, 8192)).as("bytes written").isEqualTo(4096);
        assertThat(env.pread(end - 4096, 4096)).isEqualTo(Patterns.bytes(end - 4096, 4096));
    }

    private static void assertNoIo(TckEnv env) {
        assertThat(env.bios()).as("bios").isEmpty();
        assertThat(env.inode().dio().inFlight()).as("direct I/O in flight").isZero();
    }

    private static void assertEinval(ThrowingCall call, String... messageParts) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(JiomapException.class, e -> {
            assertThat(e.errno()).as("errno").isEqualTo(Errno.EINVAL);
            assertThat(e.getMessage()).startsWith("EINVAL: ").contains(messageParts);
        });
    }

    /** A call expected to throw. */
    @FunctionalInterface
    interface ThrowingCall {
        void run() throws Exception;
    }
}
