package io.jiomap.device.nvme;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.device.model.ModelDevice;
import io.jiomap.tck.device.DeviceIo;
import io.jiomap.tck.device.Probe;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What makes {@code nvme-like} NVMe: FUA with the cache, and many queues with an irq thread each. */
class NvmeLikeDeviceTest {
    private final DeviceIo io = new DeviceIo();
    private final NvmeLikeProvider provider = new NvmeLikeProvider();

    @AfterEach
    void close() {
        io.close();
    }

    private ModelDevice open(String options) throws JiomapException {
        return io.track(provider.open(DeviceSpec.parse("nvme-like:" + options)));
    }

    @Test
    void fuaOverwriteOfACachedBlockIsWhatSurvives() throws Exception {
        ModelDevice device = open("size=1m");
        MemorySegment fua = io.pattern(4096, 3);
        assertThat(DeviceIo.write(device, 0, io.pattern(4096, 4))).isZero();
        assertThat(DeviceIo.write(device, Bio.FUA, 0, fua)).isZero();

        assertThat(DeviceIo.flush(device)).isZero();
        device.powerCut();

        assertThat(io.read(device, 0, 4096)).isEqualTo(DeviceIo.bytes(fua));
    }

    @Test
    void preflushWriteMakesTheWritesBeforeItDurable() throws Exception {
        ModelDevice device = open("size=1m");
        MemorySegment earlier = io.pattern(4096, 5);
        assertThat(DeviceIo.write(device, 8192, earlier)).isZero();
        assertThat(DeviceIo.write(device, Bio.PREFLUSH, 0, io.pattern(4096, 6))).isZero();

        device.powerCut();

        assertThat(io.read(device, 8192, 4096)).isEqualTo(DeviceIo.bytes(earlier));
        assertThat(io.read(device, 0, 4096)).as("the PREFLUSH write itself was not FUA")
                .isEqualTo(DeviceIo.zeros(4096));
    }

    @Test
    void capabilitiesAreTheWriteCacheAndFuaRowWithDeepQueues() throws Exception {
        DeviceCapabilities cached = open("size=1m").capabilities();
        DeviceCapabilities protectedDrive = open("size=1m,vwc=off,queues=3,queue-depth=64").capabilities();

        assertThat(cached.volatileWriteCache()).isTrue();
        assertThat(cached.fua()).isTrue();
        assertThat(cached.queueDepth()).isEqualTo(1024);
        assertThat(cached.queueCount()).isEqualTo(Math.min(Runtime.getRuntime().availableProcessors(), 64));
        assertThat(cached.polling()).isFalse();
        assertThat(protectedDrive.volatileWriteCache()).isFalse();
        assertThat(protectedDrive.fua()).isFalse();
        assertThat(protectedDrive.queueCount()).isEqualTo(3);
        assertThat(protectedDrive.queueDepth()).isEqualTo(64);
    }

    @Test
    void biosFromDifferentThreadsSpreadOverTheQueuesAndCompleteOnTheirQueuesIrqThread() throws Exception {
        int queues = 4;
        ModelDevice device = open("size=4m,queues=" + queues);
        List<Thread> irqThreads = device.queueThreads();
        MemorySegment buffer = io.pattern(4096, 7);
        int[] queueOf = new int[queues];
        Probe[][] probes = new Probe[queues][8];
        CyclicBarrier start = new CyclicBarrier(queues);
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < queues; t++) {
            int id = t;
            submitters.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                for (int i = 0; i < probes[id].length; i++) {
                    probes[id][i] = DeviceIo.submit(device, BioOp.WRITE, 0, (id * 8L + i) * 4096, buffer);
                }
                queueOf[id] = device.queueOfCurrentThread();
            }));
        }
        for (Thread s : submitters) {
            s.join();
        }

        assertThat(irqThreads).extracting(Thread::getName).containsExactly("jiomap-" + device.name() + "-q0-irq",
                "jiomap-" + device.name() + "-q1-irq", "jiomap-" + device.name() + "-q2-irq",
                "jiomap-" + device.name() + "-q3-irq");
        assertThat(queueOf).as("one queue per thread, round-robin").containsExactlyInAnyOrder(0, 1, 2, 3);
        for (int t = 0; t < queues; t++) {
            for (Probe p : probes[t]) {
                assertThat(p.awaitStatus()).isZero();
                assertThat(p.thread()).isSameAs(irqThreads.get(queueOf[t]));
            }
        }
    }

    @Test
    void queueLimitsAreNvmes() {
        assertThat(refusal("queues=65")).contains("queues=65").contains("from 1 to 64");
        assertThat(refusal("queue-depth=1025")).contains("queue-depth=1025").contains("from 1 to 1024");
        assertThat(provider.options()).containsKey("queues").doesNotContainKey("poll");
        assertThat(refusal("poll=1")).contains("poll");
    }

    @Test
    void withoutPollQueuesAPolledBioLosesPolledAndCompletesOnTheIrqThread() throws Exception {
        ModelDevice device = open("size=1m,queues=1");
        assertThat(device.capabilities().polling()).isFalse();
        Probe p = DeviceIo.submit(device, BioOp.WRITE, Bio.POLLED, 0, io.pattern(4096, 8));

        assertThat(p.awaitStatus()).isZero();
        assertThat(p.bio.hasFlag(Bio.POLLED)).as("REQ_POLLED cleared").isFalse();
        assertThat(p.thread()).isSameAs(device.queueThreads().getFirst());
    }

    @Test
    void polledBiosGoToAPollQueueAndCompleteOnlyInThePoller() throws Exception {
        ModelDevice device = open("size=1m,queues=1,poll-queues=1");
        assertThat(device.capabilities().polling()).isTrue();
        assertThat(device.queueThreads()).extracting(Thread::getName)
                .containsExactly("jiomap-" + device.name() + "-q0-irq", "jiomap-" + device.name() + "-poll0");
        Probe[] probes = new Probe[8];
        for (int i = 0; i < probes.length; i++) {
            probes[i] = DeviceIo.submit(device, BioOp.WRITE, Bio.POLLED, 4096L * i, io.pattern(4096, i));
            assertThat(probes[i].bio.pollDevice()).isSameAs(device);
            assertThat(probes[i].bio.pollCookie()).isZero();
        }

        int reaped = 0;
        while (!probes[probes.length - 1].isDone()) {
            reaped += probes[0].bio.poll(BlockDevice.POLL_BLOCK);
        }
        assertThat(reaped).isEqualTo(probes.length);
        for (Probe p : probes) {
            assertThat(p.completions()).isEqualTo(1);
            assertThat(p.status()).isZero();
            assertThat(p.thread()).isSameAs(Thread.currentThread());
        }
        assertThat(io.read(device, 4096L * 3, 4096)).isEqualTo(DeviceIo.bytes(io.pattern(4096, 3)));
    }

    @Test
    void aFullPollQueueIsReapedByTheSubmitterWaitingForASlot() throws Exception {
        ModelDevice device = open("size=1m,queues=1,poll-queues=1,queue-depth=2");
        Probe[] probes = new Probe[6];
        for (int i = 0; i < probes.length; i++) {
            // Without polling in between: the third submit finds both slots taken by unreaped bios.
            probes[i] = DeviceIo.submit(device, BioOp.WRITE, Bio.POLLED, 4096L * i, io.pattern(4096, i));
        }
        assertThat(probes[0].isDone()).as("reaped by the submitter that waited for its slot").isTrue();
        assertThat(probes[0].thread()).isSameAs(Thread.currentThread());
        while (!probes[probes.length - 1].isDone()) {
            probes[probes.length - 1].bio.poll(BlockDevice.POLL_BLOCK);
        }
        for (Probe p : probes) {
            assertThat(p.awaitStatus()).isZero();
        }
    }

    @Test
    void closingWithUnreapedPolledBiosCompletesThem() throws Exception {
        ModelDevice device = open("size=1m,queues=1,poll-queues=2");
        Probe p = DeviceIo.submit(device, BioOp.WRITE, Bio.POLLED, 0, io.pattern(4096, 9));
        device.close();

        assertThat(p.awaitStatus()).isIn(0, Errno.ENODEV);
        assertThat(device.queueThreads()).noneMatch(Thread::isAlive);
    }

    @Test
    void pollQueueCountIsChecked() {
        assertThat(refusal("poll-queues=65")).contains("poll-queues=65").contains("from 0 to 64");
        assertThat(provider.options()).containsKey("poll-queues");
    }

    @Test
    void providerIsFoundByServiceLoaderUnderItsType() {
        assertThat(ServiceLoader.load(BlockDeviceProvider.class).stream().map(ServiceLoader.Provider::get)
                .map(BlockDeviceProvider::type)).contains(NvmeLikeProvider.TYPE);
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
