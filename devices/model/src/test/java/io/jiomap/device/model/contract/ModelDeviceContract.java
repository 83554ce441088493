package io.jiomap.device.model.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.device.model.ModelDevice;
import io.jiomap.device.model.ModelDeviceProvider;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code BlockDevice} contract and the write-cache rules every modelled device keeps (spec fs-design-notes 2.1,
 * device level), run by each device module on its own type. Type-specific behaviour (FUA, queues, flush ordering) is
 * tested in the modules.
 */
public abstract class ModelDeviceContract {
    protected final DeviceIo io = new DeviceIo();
    protected final CountDownLatch release = new CountDownLatch(1);
    @TempDir
    protected Path dir;

    /** The provider of the device type under test. */
    protected abstract ModelDeviceProvider provider();

    /** The options that give a device of this type one queue, so every thread submits to the same one. */
    protected abstract String singleQueue();

    /** Opens a device of the type under test with these options ({@code key=value,...}), closed after the test. */
    protected ModelDevice open(String options) throws JiomapException {
        return io.track(provider().open(DeviceSpec.parse(provider().type() + ":" + options)));
    }

    @AfterEach
    void closeEverything() {
        release.countDown();
        io.close();
    }

    @Test
    void readReturnsTheLastCompletedWriteBeforeAnyFlush() throws Exception {
        ModelDevice device = open("size=4m");
        MemorySegment first = io.pattern(8192, 1);
        MemorySegment second = io.pattern(4096, 2);

        assertThat(DeviceIo.write(device, 4096, first)).isZero();
        assertThat(DeviceIo.write(device, 8192, second)).isZero();

        byte[] expected = DeviceIo.bytes(first);
        System.arraycopy(DeviceIo.bytes(second), 0, expected, 4096, 4096);
        assertThat(io.read(device, 4096, 8192)).isEqualTo(expected);
        assertThat(io.read(device, 0, 4096)).as("never written").isEqualTo(DeviceIo.zeros(4096));
    }

    @Test
    void completedButUnflushedWriteIsLostOnPowerCutAndNothingElseIs() throws Exception {
        ModelDevice device = open("size=4m");
        MemorySegment durable = io.pattern(8192, 3);
        assertThat(DeviceIo.write(device, 0, durable)).isZero();
        assertThat(DeviceIo.flush(device)).isZero();
        // An unflushed overwrite of half the durable range, and an unflushed write of a new range across a 1 MiB
        // boundary of the cache.
        assertThat(DeviceIo.write(device, 4096, io.pattern(4096, 4))).isZero();
        assertThat(DeviceIo.write(device, (1 << 20) - 4096, io.pattern(8192, 5))).isZero();

        device.powerCut();

        assertThat(io.read(device, 0, 8192)).isEqualTo(DeviceIo.bytes(durable));
        assertThat(io.read(device, (1 << 20) - 4096, 8192)).isEqualTo(DeviceIo.zeros(8192));
        assertThat(DeviceIo.write(device, 16384, io.pattern(4096, 6))).as("usable after the cut").isZero();
        assertThat(io.read(device, 16384, 4096)).isEqualTo(DeviceIo.bytes(io.pattern(4096, 6)));
    }

    @Test
    void flushMakesEveryWriteThatCompletedBeforeItDurable() throws Exception {
        ModelDevice device = open("size=4m,lbs=512");
        MemorySegment a = io.pattern(512, 7);
        MemorySegment b = io.pattern(65536, 8);
        MemorySegment c = io.pattern(1024, 9);
        assertThat(DeviceIo.write(device, 512, a)).isZero();
        assertThat(DeviceIo.write(device, 2 << 20, b)).isZero();
        assertThat(DeviceIo.write(device, 1536, c)).isZero();

        assertThat(DeviceIo.flush(device)).isZero();
        device.powerCut();

        assertThat(io.read(device, 512, 512)).isEqualTo(DeviceIo.bytes(a));
        assertThat(io.read(device, 2 << 20, 65536)).isEqualTo(DeviceIo.bytes(b));
        assertThat(io.read(device, 1536, 1024)).isEqualTo(DeviceIo.bytes(c));
        assertThat(io.read(device, 1024, 512)).as("the block between stays unwritten").isEqualTo(DeviceIo.zeros(512));
    }

    @Test
    void withoutAWriteCacheACompletedWriteSurvivesAPowerCut() throws Exception {
        ModelDevice device = open("size=1m,vwc=off");
        MemorySegment data = io.pattern(4096, 10);
        assertThat(DeviceIo.write(device, 8192, data)).isZero();

        device.powerCut();

        assertThat(device.capabilities().volatileWriteCache()).isFalse();
        assertThat(device.capabilities().fua()).isFalse();
        assertThat(io.read(device, 8192, 4096)).isEqualTo(DeviceIo.bytes(data));
    }

    @Test
    void bioPastTheEndFailsWithEio() throws Exception {
        ModelDevice device = open("size=1m");
        MemorySegment buffer = io.pattern(8192, 11);

        assertThat(DeviceIo.write(device, (1 << 20) - 4096, buffer)).as("crossing the end").isEqualTo(Errno.EIO);
        assertThat(DeviceIo.write(device, 1 << 20, buffer)).as("at the end").isEqualTo(Errno.EIO);
        assertThat(DeviceIo.submit(device, BioOp.READ, 0, -4096, buffer).awaitStatus()).isEqualTo(Errno.EIO);
    }

    @Test
    void misalignedOrOversizedBioFailsWithEinval() throws Exception {
        ModelDevice device = open("size=1m,lbs=4096,max-transfer=64k");
        MemorySegment buffer = io.pattern(1 << 17, 12);

        assertThat(device.capabilities().logicalBlockSize()).isEqualTo(4096);
        assertThat(DeviceIo.write(device, 512, buffer.asSlice(0, 4096))).as("address").isEqualTo(Errno.EINVAL);
        assertThat(DeviceIo.write(device, 0, buffer.asSlice(0, 4608))).as("length").isEqualTo(Errno.EINVAL);
        assertThat(DeviceIo.write(device, 0, buffer)).as("past max-transfer").isEqualTo(Errno.EINVAL);
        assertThat(DeviceIo.submit(device, BioOp.READ, 0, 0, MemorySegment.NULL).awaitStatus())
                .as("empty").isEqualTo(Errno.EINVAL);
    }

    @Test
    void bioWhoseMemoryIsShorterThanItsLengthFailsWithEfault() throws Exception {
        ModelDevice device = open("size=1m");
        Probe p = new Probe();
        p.bio.set(BioOp.WRITE, 0, 0, io.buffer(4096), 0, 8192, p, null);

        device.submit(p.bio);

        assertThat(p.awaitStatus()).isEqualTo(Errno.EFAULT);
    }

    @Test
    void nowaitBioOnAFullQueueFailsWithEagain() throws Exception {
        ModelDevice device = open("size=1m,queue-depth=1");
        MemorySegment buffer = io.pattern(4096, 13);
        HoldingProbe holder = new HoldingProbe(release, () -> { }).submitAndHold(device, buffer);
        Probe queued = DeviceIo.submit(device, BioOp.WRITE, 0, 4096, buffer);

        Probe refused = DeviceIo.submit(device, BioOp.WRITE, Bio.NOWAIT, 8192, buffer);

        assertThat(refused.isDone()).as("ended before submit returned").isTrue();
        assertThat(refused.status()).isEqualTo(Errno.EAGAIN);
        assertThat(queued.isDone()).isFalse();
        release.countDown();
        assertThat(queued.awaitStatus()).isZero();
        assertThat(holder.awaitStatus()).isZero();
    }

    @Test
    void submitterWithoutNowaitWaitsForASlotOnAFullQueue() throws Exception {
        ModelDevice device = open(singleQueue() + "size=1m,queue-depth=1");
        MemorySegment buffer = io.pattern(4096, 14);
        new HoldingProbe(release, () -> { }).submitAndHold(device, buffer);
        Probe queued = DeviceIo.submit(device, BioOp.WRITE, 0, 4096, buffer);
        Probe waiting = new Probe();
        waiting.bio.set(BioOp.WRITE, 0, 8192, buffer, 0, 4096, waiting, null);
        AtomicBoolean returned = new AtomicBoolean();
        Thread submitter = Thread.ofPlatform().unstarted(() -> {
            device.submit(waiting.bio);
            returned.set(true);
        });

        submitter.start();

        DeviceIo.eventually().until(() -> submitter.getState() == Thread.State.TIMED_WAITING);
        assertThat(returned).isFalse();
        assertThat(waiting.isDone()).isFalse();
        release.countDown();
        DeviceIo.eventually().untilTrue(returned);
        assertThat(waiting.awaitStatus()).isZero();
        assertThat(queued.awaitStatus()).isZero();
        assertThat(io.read(device, 8192, 4096)).isEqualTo(DeviceIo.bytes(buffer));
    }

    @Test
    void closeWithIoInFlightEndsEveryBioAndStopsEveryQueueThread() throws Exception {
        ModelDevice device = open("size=1m,queue-depth=4");
        MemorySegment buffer = io.pattern(4096, 15);
        List<Thread> threads = device.queueThreads();
        HoldingProbe holder = new HoldingProbe(release, () -> { }).submitAndHold(device, buffer);
        Probe queued1 = DeviceIo.submit(device, BioOp.WRITE, 0, 4096, buffer);
        Probe queued2 = DeviceIo.submit(device, BioOp.FLUSH, 0, 0, MemorySegment.NULL);

        Thread closer = Thread.ofPlatform().start(device::close);
        DeviceIo.eventually().until(() -> closer.getState() == Thread.State.WAITING);
        Probe afterClose = DeviceIo.submit(device, BioOp.WRITE, 0, 8192, buffer);
        release.countDown();
        closer.join();

        assertThat(holder.awaitStatus()).as("the bio whose data moved finishes").isZero();
        assertThat(queued1.awaitStatus()).isEqualTo(Errno.ENODEV);
        assertThat(queued2.awaitStatus()).isEqualTo(Errno.ENODEV);
        assertThat(afterClose.awaitStatus()).isEqualTo(Errno.ENODEV);
        assertThat(threads).allSatisfy(t -> assertThat(t.isAlive()).as(t.getName()).isFalse());
        assertThat(device.isClosed()).isTrue();
        assertThat(provider().openDevices()).doesNotContain(device);
    }

    @Test
    void closeFromACompletionCallbackEndsTheDeviceWithoutDeadlock() throws Exception {
        AtomicReference<ModelDevice> self = new AtomicReference<>();
        ModelDevice device = open("size=1m,queue-depth=4");
        self.set(device);
        MemorySegment buffer = io.pattern(4096, 16);
        new HoldingProbe(release, () -> self.get().close()).submitAndHold(device, buffer);
        Probe queued = DeviceIo.submit(device, BioOp.WRITE, 0, 4096, buffer);

        release.countDown();

        assertThat(queued.awaitStatus()).isEqualTo(Errno.ENODEV);
        DeviceIo.eventually().until(() -> device.queueThreads().stream().noneMatch(Thread::isAlive));
        assertThat(device.isClosed()).isTrue();
    }

    @Test
    void completionThatSubmitsIntoItsOwnFullQueueDoesNotDeadlock() throws Exception {
        ModelDevice device = open("size=1m,queue-depth=1");
        MemorySegment buffer = io.pattern(4096, 17);
        Probe fromCallback = new Probe();
        fromCallback.bio.set(BioOp.WRITE, 0, 8192, buffer, 0, 4096, fromCallback, null);
        new HoldingProbe(release, () -> device.submit(fromCallback.bio)).submitAndHold(device, buffer);
        Probe fromTest = DeviceIo.submit(device, BioOp.WRITE, 0, 4096, buffer);

        release.countDown();

        assertThat(fromTest.awaitStatus()).isZero();
        assertThat(fromCallback.awaitStatus()).isZero();
        assertThat(fromCallback.completedNanos()).isGreaterThanOrEqualTo(fromTest.completedNanos());
        assertThat(io.read(device, 8192, 4096)).isEqualTo(DeviceIo.bytes(buffer));
    }

    @Test
    void bioSubmittedAfterCloseFailsWithEnodevAndPowerCutDoesNothing() throws Exception {
        ModelDevice device = open("size=1m");
        device.close();
        device.close();
        device.powerCut();

        assertThat(DeviceIo.write(device, 0, io.pattern(4096, 18))).isEqualTo(Errno.ENODEV);
        assertThat(DeviceIo.flush(device)).isEqualTo(Errno.ENODEV);
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
        AllocationCounter threads = new AllocationCounter();
        ModelDevice device = open(singleQueue() + "size=64m,queue-depth=16");
        Thread irq = device.queueThreads().get(device.queueOfCurrentThread());
        MemorySegment buffer = io.pattern(4096, 24);
        InFlight loop = new InFlight(16);
        loop.run(device, buffer, 40_000);
        long submitterBefore = threads.getThreadAllocatedBytes(Thread.currentThread().threadId());
        long irqBefore = threads.getThreadAllocatedBytes(irq.threadId());

        loop.run(device, buffer, 100_000);

        long submitterBytes = threads.getThreadAllocatedBytes(Thread.currentThread().threadId()) - submitterBefore;
        long irqBytes = threads.getThreadAllocatedBytes(irq.threadId()) - irqBefore;
        // One 16-byte object per bio would be 1.6 MB; a tenth of a byte per bio is noise from the test itself.
        assertThat(submitterBytes).as("bytes allocated by the submitter").isLessThan(10_000);
        assertThat(irqBytes).as("bytes allocated by " + irq.getName()).isLessThan(10_000);
    }

    /**
     * The JVM's per-thread allocation counter ({@code com.sun.management.ThreadMXBean}), reached reflectively: this
     * suite is compiled inside the model's module, which has no reason to read java.management.
     */
    private static final class AllocationCounter {
        private final Object bean;
        private final java.lang.reflect.Method allocated;

        AllocationCounter() throws ReflectiveOperationException {
            bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            allocated = Class.forName("com.sun.management.ThreadMXBean")
                    .getMethod("getThreadAllocatedBytes", long.class);
        }

        long getThreadAllocatedBytes(long threadId) throws ReflectiveOperationException {
            return (long) allocated.invoke(bean, threadId);
        }
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
    protected String refusal(String options) {
        try {
            open(options).close();
        } catch (JiomapException e) {
            assertThat(e.errno()).as(e.getMessage()).isEqualTo(Errno.EINVAL);
            return e.getMessage();
        }
        throw new AssertionError("options accepted: " + options);
    }
}
