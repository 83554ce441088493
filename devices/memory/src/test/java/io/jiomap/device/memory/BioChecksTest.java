package io.jiomap.device.memory;

import io.jiomap.tck.device.Probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.block.BioOp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BioChecksTest {
    private final Io io = new Io();

    @AfterEach
    void closeDevices() {
        io.close();
    }

    @ParameterizedTest(name = "lbs={0} address={1} length={2}")
    @CsvSource({"512, 100, 512", "512, 512, 100", "512, 0, 0", "4096, 512, 4096", "4096, 4096, 512"})
    void misalignedBioFailsWithEinval(int lbs, long address, int length) throws Exception {
        MemoryDevice device = io.open("memory:size=1m,lbs=" + lbs);
        MemorySegment buffer = io.buffer(8192);

        assertThat(Io.submitAndAwait(device, BioOp.WRITE, 0, address, buffer, length)).isEqualTo(Errno.EINVAL);
        assertThat(Io.submitAndAwait(device, BioOp.READ, 0, address, buffer, length)).isEqualTo(Errno.EINVAL);
    }

    @Test
    void bioLargerThanMaxTransferFailsWithEinval() throws Exception {
        MemoryDevice device = io.open("memory:size=1m,max-transfer=64k");
        MemorySegment buffer = io.buffer(128 << 10);

        assertThat(Io.submitAndAwait(device, BioOp.WRITE, 0, 0, buffer, 64 << 10)).isZero();
        assertThat(Io.submitAndAwait(device, BioOp.WRITE, 0, 0, buffer, (64 << 10) + 512)).isEqualTo(Errno.EINVAL);
    }

    @Test
    void bioPastTheEndFailsWithEio() throws Exception {
        MemoryDevice device = io.open("memory:size=1m");
        MemorySegment buffer = io.buffer(8192);

        assertThat(Io.submitAndAwait(device, BioOp.WRITE, 0, (1 << 20) - 4096, buffer, 8192)).isEqualTo(Errno.EIO);
        assertThat(Io.submitAndAwait(device, BioOp.READ, 0, 1 << 20, buffer, 512)).isEqualTo(Errno.EIO);
        assertThat(Io.submitAndAwait(device, BioOp.READ, 0, -512, buffer, 512)).isEqualTo(Errno.EIO);
        assertThat(Io.submitAndAwait(device, BioOp.READ, 0, (1 << 20) - 8192, buffer, 8192)).isZero();
    }

    @Test
    void memoryShorterThanTheBioFailsWithEfault() throws Exception {
        MemoryDevice device = io.open("memory:size=1m");
        MemorySegment buffer = io.buffer(4096);

        assertThat(Io.submitAndAwait(device, BioOp.WRITE, 0, 0, buffer, 8192)).isEqualTo(Errno.EFAULT);
        assertThat(Io.submitAndAwait(device, BioOp.READ, 0, 0, MemorySegment.NULL, 512)).isEqualTo(Errno.EFAULT);
    }

    @Test
    void readIntoReadOnlyMemoryFailsWithEfault() throws Exception {
        MemoryDevice device = io.open("memory:size=1m");
        MemorySegment readOnly = io.buffer(4096).asReadOnly();

        assertThat(Io.submitAndAwait(device, BioOp.READ, 0, 0, readOnly, 4096)).isEqualTo(Errno.EFAULT);
        assertThat(Io.submitAndAwait(device, BioOp.WRITE, 0, 0, readOnly, 4096)).isZero();
    }

    @Test
    void memoryTheIrqThreadCannotUseFailsWithEfaultAndTheDeviceKeepsWorking() throws Exception {
        MemoryDevice device = io.open("memory:size=1m");
        try (Arena confined = Arena.ofConfined()) {
            MemorySegment confinedToThisThread = confined.allocate(4096, 4096);

            assertThat(Io.submitAndAwait(device, BioOp.WRITE, 0, 0, confinedToThisThread, 4096))
                    .isEqualTo(Errno.EFAULT);
        }
        assertThat(Io.write(device, 0, io.pattern(4096, 1))).isZero();
    }

    @Test
    void flushCarriesNoDataSoItsRangeIsNotChecked() throws Exception {
        MemoryDevice device = io.open("memory:size=1m,vwc=on");
        Probe flush = new Probe();
        flush.bio.set(BioOp.FLUSH, 0, 12345, MemorySegment.NULL, 0, 999, flush, null);

        device.submit(flush.bio);

        assertThat(flush.awaitStatus()).isZero();
    }

    @Test
    void bioAfterCloseFailsWithEnodev() throws Exception {
        MemoryDevice device = io.open("memory:size=1m");
        MemorySegment buffer = io.buffer(4096);
        device.close();

        assertThat(device.isClosed()).isTrue();
        assertThat(Io.submitAndAwait(device, BioOp.WRITE, 0, 0, buffer, 4096)).isEqualTo(Errno.ENODEV);
        assertThat(Io.submitAndAwait(device, BioOp.READ, 0, 0, buffer, 4096)).isEqualTo(Errno.ENODEV);
        assertThat(Io.flush(device)).isEqualTo(Errno.ENODEV);
    }
}
