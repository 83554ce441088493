package io.jiomap.device.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.DioCounters;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.core.ring.IoRing;
import io.jiomap.fs.raw.RawFileSystemType;
import io.jiomap.tck.device.DeviceIo;
import io.jiomap.tck.device.Probe;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The file device's poll ring on a real file: POLLED bios complete on the polling thread only, a blocking poll waits
 * in the kernel for them, an IOPOLL ring with caller completion runs everything in its own thread, and nothing is
 * left behind at close. Skipped, naming why, where the kernel refuses io_uring.
 */
class PollRingTest {
    private final DeviceIo io = new DeviceIo();
    private FileDevice device;

    @BeforeEach
    void open() throws Exception {
        Engines.assumeAvailable("io_uring");
        device = (FileDevice) io.track(new FileDevices().openFresh("engine=io_uring,size=8m", 0).orElseThrow());
    }

    @AfterEach
    void close() {
        io.close();
    }

    @Test
    void theIoUringEngineCanPollAndThreadsCannot() throws Exception {
        assertThat(device.capabilities().polling()).isTrue();
        BlockDevice threads = io.track(new FileDevices().openFresh("engine=threads,size=1m", 0).orElseThrow());
        assertThat(threads.capabilities().polling()).isFalse();
    }

    @Test
    void polledBiosCompleteOnlyOnThePollingThread() throws Exception {
        int n = 16;
        Probe[] writes = new Probe[n];
        for (int i = 0; i < n; i++) {
            writes[i] = DeviceIo.submit(device, BioOp.WRITE, Bio.POLLED, 4096L * i, io.pattern(4096, i));
            assertThat(writes[i].bio.pollDevice()).isSameAs(device);
        }
        int reaped = 0;
        while (reaped < n) {
            reaped += writes[0].bio.poll(BlockDevice.POLL_BLOCK);
        }
        for (Probe p : writes) {
            assertThat(p.completions()).isEqualTo(1);
            assertThat(p.status()).isZero();
            assertThat(p.thread()).isSameAs(Thread.currentThread());
        }

        Probe read = DeviceIo.submit(device, BioOp.READ, Bio.POLLED, 4096L * 5, io.buffer(4096));
        assertThat(read.bio.poll(BlockDevice.POLL_BLOCK)).isEqualTo(1);
        assertThat(DeviceIo.bytes(read.bio.segment())).isEqualTo(DeviceIo.bytes(io.pattern(4096, 5)));
        assertThat(read.bio.poll(BlockDevice.POLL_BLOCK)).as("nothing in flight: returns at once").isZero();
    }

    @Test
    void aFullPollRingIsReapedByTheSubmitterWaitingForASlot() throws Exception {
        BlockDevice small = io.track(new FileDevices().openFresh("engine=io_uring,size=1m,queue-depth=2", 0)
                .orElseThrow());
        int slots = small.capabilities().queueDepth();
        Probe[] probes = new Probe[slots * 3];
        for (int i = 0; i < probes.length; i++) {
            probes[i] = DeviceIo.submit(small, BioOp.WRITE, Bio.POLLED, 4096L * i, io.pattern(4096, i));
        }
        while (!probes[probes.length - 1].isDone()) {
            probes[probes.length - 1].bio.poll(BlockDevice.POLL_BLOCK);
        }
        for (Probe p : probes) {
            assertThat(p.awaitStatus()).isZero();
        }
    }

    @Test
    void closingWithUnreapedPolledBiosCompletesThemAndLeavesNoThread() throws Exception {
        Probe p = DeviceIo.submit(device, BioOp.WRITE, Bio.POLLED, 0, io.pattern(4096, 40));
        device.close();

        assertThat(p.awaitStatus()).isZero();
        assertThat(p.completions()).isEqualTo(1);
        assertThat(device.threads()).noneMatch(Thread::isAlive);
        assertThat(DeviceIo.write(device, Bio.POLLED, 0, io.pattern(4096, 41))).isEqualTo(Errno.ENODEV);
    }

    @Test
    void callerPollRingRunsTheWholeCompletionInTheIssuerWithNoWorkqueue() throws Exception {
        RawFileSystemType raw = new RawFileSystemType();
        Mount.mkfs(raw, device, Map.of());
        try (Mount mount = Mount.mount(raw, device, Mount.Options.defaults())) {
            OpenFile file = mount.open("/dev", 0);
            try (IoRing ring = IoRing.create(8, CompletionMode.CALLER_POLL)) {
                MemorySegment buf = ring.allocateBuffer(4096 * 8, 4096);
                for (int round = 0; round < 8; round++) {
                    for (int i = 0; i < 8; i++) {
                        ring.prepWrite(file, buf, 4096L * i, 4096, 4096L * (8 * round + i), 0, i);
                    }
                    assertThat(ring.submitAndWait(8)).isEqualTo(8);
                    ring.reap((user, res) -> assertThat(res).isEqualTo(4096));
                }
            }
            DioCounters c = mount.counters();
            assertThat(c.caller()).isEqualTo(64);
            assertThat(c.workqueue()).isZero();
            assertThat(c.irq()).isZero();
        }
    }
}
