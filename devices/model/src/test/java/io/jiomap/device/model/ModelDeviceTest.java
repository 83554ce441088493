package io.jiomap.device.model;

import io.jiomap.tck.device.ThreadAllocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.tck.device.DeviceIo;
import io.jiomap.tck.device.Probe;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the device model adds to the block device contract (which every device runs from the TCK,
 * {@code io.jiomap.tck.device.BlockDeviceContractTest}): the service-time model, image-file backing, option parsing
 * and an allocation-free hot path, on a profile of its own so that nvme-like and sata-like need not repeat them.
 */
class ModelDeviceTest {
    /** One queue by default (so every thread submits to the same one), up to four; FUA with the cache. */
    private static final DeviceProfile PROFILE = new DeviceProfile("model", "model", 4, 1, 1024, true, false, 0);

    private final DeviceIo io = new DeviceIo();
    private final ModelDeviceProvider provider = new ModelDeviceProvider(PROFILE) {
        @Override
        public String description() {
            return "the device model on a test profile";
        }
    };
    @TempDir
    Path dir;

    private ModelDeviceProvider provider() {
        return provider;
    }

    private ModelDevice open(String options) throws JiomapException {
        return io.track(provider().open(DeviceSpec.parse(provider().type() + ":" + options)));
    }

    @AfterEach
    void closeEverything() {
        io.close();
    }

    @Test
    void bioCompletesNoEarlierThanItsLatencyAfterSubmission() throws Exception {
        ModelDevice device = open("size=1m,latency=3ms,flush-latency=2ms");
        MemorySegment buffer = io.pattern(4096, 19);

        long before = System.nanoTime();
        Probe write = DeviceIo.submit(device, BioOp.WRITE, 0, 0, buffer);
        assertThat(write.awaitStatus()).isZero();
        long beforeFlush = System.nanoTime();
        Probe flush = DeviceIo.submit(device, BioOp.FLUSH, 0, 0, MemorySegment.NULL);
        assertThat(flush.awaitStatus()).isZero();

        assertThat(write.completedNanos() - before).isGreaterThanOrEqualTo(3_000_000);
        assertThat(flush.completedNanos() - beforeFlush).isGreaterThanOrEqualTo(2_000_000);
    }

    @Test
    void transferTimeAtTheModelledBandwidthAddsToTheServiceTime() throws Exception {
        ModelDevice device = open("size=4m,bandwidth=128m,max-transfer=1m");
        MemorySegment buffer = io.pattern(1 << 20, 20);

        long before = System.nanoTime();
        Probe write = DeviceIo.submit(device, BioOp.WRITE, 0, 0, buffer);

        assertThat(write.awaitStatus()).isZero();
        assertThat(write.completedNanos() - before).as("1 MiB at 128 MiB/s").isGreaterThanOrEqualTo(7_812_500);
    }

    @Test
    void imageFileHoldsWhatWasFlushedAfterCloseAndReopeningReadsItBack() throws Exception {
        Path image = dir.resolve("disk.img");
        ModelDevice device = open("size=2m,path=" + image);
        MemorySegment flushed = io.pattern(8192, 21);
        assertThat(DeviceIo.write(device, 4096, flushed)).isZero();
        assertThat(DeviceIo.flush(device)).isZero();
        assertThat(DeviceIo.write(device, 1 << 20, io.pattern(4096, 22))).isZero();
        device.powerCut();
        device.close();

        assertThat(Files.size(image)).isEqualTo(2 << 20);
        byte[] file = Files.readAllBytes(image);
        assertThat(Arrays.copyOfRange(file, 4096, 12288)).isEqualTo(DeviceIo.bytes(flushed));
        assertThat(Arrays.copyOfRange(file, 1 << 20, (1 << 20) + 4096)).as("lost in the power cut")
                .isEqualTo(DeviceIo.zeros(4096));
        ModelDevice reopened = open("path=" + image);
        assertThat(reopened.capabilities().capacityBytes()).as("the image's size").isEqualTo(2 << 20);
        assertThat(io.read(reopened, 4096, 8192)).isEqualTo(DeviceIo.bytes(flushed));
    }

    @Test
    void imageFileKeepsOnlyDurableDataWhileTheDeviceRunsAndAnOrderlyCloseWritesTheCacheBack() throws Exception {
        Path image = dir.resolve("cache.img");
        ModelDevice device = open("size=1m,path=" + image);
        MemorySegment data = io.pattern(4096, 23);
        assertThat(DeviceIo.write(device, 0, data)).isZero();

        assertThat(Arrays.copyOfRange(Files.readAllBytes(image), 0, 4096)).as("still in the volatile cache")
                .isEqualTo(DeviceIo.zeros(4096));
        device.close();

        assertThat(Arrays.copyOfRange(Files.readAllBytes(image), 0, 4096)).isEqualTo(DeviceIo.bytes(data));
    }

    @Test
    void optionsSetTheCapabilities() throws Exception {
        ModelDevice device = open("size=8m,lbs=4096,pbs=16k,max-transfer=128k,queue-depth=16,vwc=on");
        DeviceCapabilities caps = device.capabilities();

        assertThat(caps.capacityBytes()).isEqualTo(8 << 20);
        assertThat(caps.logicalBlockSize()).isEqualTo(4096);
        assertThat(caps.physicalBlockSize()).isEqualTo(16384);
        assertThat(caps.maxTransferBytes()).isEqualTo(128 << 10);
        assertThat(caps.queueDepth()).isEqualTo(16);
        assertThat(caps.volatileWriteCache()).isTrue();
        assertThat(caps.polling()).isFalse();
        assertThat(provider().options()).containsKeys("size", "lbs", "pbs", "max-transfer", "queue-depth", "vwc",
                "latency", "flush-latency", "bandwidth", "path");
    }

    @Test
    void unknownOrBadOptionIsRefusedWithEinvalNamingIt() {
        String type = provider().type();
        assertThatThrownBy(() -> open("size=1m,colour=blue"))
                .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
                .hasMessageContaining("unknown " + type + " device option 'colour'").hasMessageContaining("latency");
        assertThat(refusal("lbs=1024")).contains("lbs=1024").contains("512 or 4096");
        assertThat(refusal("size=1000")).contains("size=1000").contains("multiple of lbs");
        assertThat(refusal("pbs=6k")).contains("pbs=6k").contains("power of two");
        assertThat(refusal("latency=10")).contains("latency=10").contains("unit");
        assertThat(refusal("flush-latency=-1ms")).contains("flush-latency=-1ms");
        assertThat(refusal("bandwidth=fast")).contains("bandwidth=fast");
        assertThat(refusal("vwc=maybe")).contains("vwc=maybe").contains("on or off");
        assertThat(refusal("queue-depth=0")).contains("queue-depth=0");
        assertThat(refusal("max-transfer=1000")).contains("max-transfer=1000");
        assertThat(refusal("path=" + dir)).contains("path=");
        assertThatThrownBy(() -> provider().open(DeviceSpec.parse("other:size=1m")))
                .hasMessageContaining("'other' is not '" + type + "'");
    }

    @Test
    void steadyStateIoAllocatesNothingPerBioInTheSubmitterOrTheQueueThread() throws Exception {
        ModelDevice device = open("size=64m,queue-depth=16");
        Thread irq = device.queueThreads().get(device.queueOfCurrentThread());
        MemorySegment buffer = io.pattern(4096, 24);
        InFlight loop = new InFlight(16);
        loop.run(device, buffer, 40_000);
        long submitterBefore = ThreadAllocation.allocatedBytes(Thread.currentThread());
        long irqBefore = ThreadAllocation.allocatedBytes(irq);

        loop.run(device, buffer, 100_000);

        long submitterBytes = ThreadAllocation.allocatedBytes(Thread.currentThread()) - submitterBefore;
        long irqBytes = ThreadAllocation.allocatedBytes(irq) - irqBefore;
        // One 16-byte object per bio would be 1.6 MB; a tenth of a byte per bio is noise from the test itself.
        assertThat(submitterBytes).as("bytes allocated by the submitter").isLessThan(10_000);
        assertThat(irqBytes).as("bytes allocated by " + irq.getName()).isLessThan(10_000);
    }

    /** Keeps a fixed number of 4 KiB writes (every fourth FUA, every eighth read) in flight, reusing its bios. */
    private static final class InFlight implements io.jiomap.api.block.BioEndIo {
        private final Bio[] bios;
        private final java.util.concurrent.atomic.AtomicLong ended = new java.util.concurrent.atomic.AtomicLong();
        private long started;

        InFlight(int depth) {
            bios = new Bio[depth];
            for (int i = 0; i < depth; i++) {
                bios[i] = new Bio();
            }
        }

        @Override
        public void endIo(Bio bio) {
            ended.incrementAndGet();
        }

        void run(ModelDevice device, MemorySegment buffer, int count) {
            long blocks = device.capabilities().capacityBytes() / 4096;
            long goal = started + count;
            for (; started < goal; started++) {
                while (started - ended.get() >= bios.length) {
                    Thread.onSpinWait();
                }
                long block = (started * 2_654_435_761L) % blocks;
                BioOp op = started % 8 == 7 ? BioOp.READ : BioOp.WRITE;
                int flags = started % 4 == 3 ? Bio.FUA : 0;
                bios[(int) (started % bios.length)].set(op, flags, block * 4096, buffer, 0, 4096, this, null);
                device.submit(bios[(int) (started % bios.length)]);
            }
            while (ended.get() < goal) {
                Thread.onSpinWait();
            }
        }
    }

    /** The message of the EINVAL the options are refused with. */
    private String refusal(String options) {
        try {
            open(options).close();
        } catch (JiomapException e) {
            assertThat(e.errno()).as(e.getMessage()).isEqualTo(Errno.EINVAL);
            return e.getMessage();
        }
        throw new AssertionError("options accepted: " + options);
    }
}
