package io.jiomap.device.memory;

import io.jiomap.tck.device.Probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.block.BioOp;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IrqModeTest {
    private final Io io = new Io();

    @AfterEach
    void closeDevices() {
        io.close();
    }

    @Test
    void submitterModeCompletesBeforeSubmitReturns() throws Exception {
        MemoryDevice device = io.open("memory:size=1m,completion=submitter");
        Probe probe = new Probe();
        probe.bio.set(BioOp.WRITE, 0, 0, io.pattern(4096, 1), 0, 4096, probe, null);

        device.submit(probe.bio);

        assertThat(probe.completions()).isEqualTo(1);
        assertThat(probe.status()).isZero();
        assertThat(probe.thread()).isSameAs(Thread.currentThread());
        assertThat(device.interruptThread()).as("submitter mode has no interrupt thread").isNull();
    }

    @Test
    void oldSpellingInlineStillSelectsSubmitterCompletion() throws Exception {
        // The old spelling, written apart so that renaming the value elsewhere cannot rewrite it.
        MemoryDevice device = io.open("memory:size=1m,completion=" + "inline");
        Probe probe = new Probe();
        probe.bio.set(BioOp.WRITE, 0, 0, io.pattern(4096, 3), 0, 4096, probe, null);

        device.submit(probe.bio);

        assertThat(probe.thread()).isSameAs(Thread.currentThread());
        assertThat(device.interruptThread()).isNull();
    }

    @Test
    void threadModeCompletesOnTheIrqThread() throws Exception {
        MemoryDevice device = io.open("memory:size=1m");
        Probe probe = new Probe();
        probe.bio.set(BioOp.WRITE, 0, 0, io.pattern(4096, 2), 0, 4096, probe, null);

        device.submit(probe.bio);

        assertThat(probe.awaitStatus()).isZero();
        assertThat(probe.thread()).isSameAs(device.interruptThread());
        assertThat(probe.thread().getName()).isEqualTo("jiomap-" + device.name() + "-irq");
        assertThat(probe.thread().isDaemon()).isTrue();
    }

    @Test
    void delayModeCompletesAfterTheDelay() throws Exception {
        long delayNanos = 2_000_000;
        MemoryDevice device = io.open("memory:size=1m,completion=delay,delay=2ms");
        MemorySegment buffer = io.pattern(4096, 3);
        Probe[] probes = new Probe[4];
        long[] submittedNanos = new long[probes.length];

        for (int i = 0; i < probes.length; i++) {
            probes[i] = new Probe();
            probes[i].bio.set(BioOp.WRITE, 0, 4096L * i, buffer, 0, 4096, probes[i], null);
            submittedNanos[i] = System.nanoTime();
            device.submit(probes[i].bio);
        }

        for (int i = 0; i < probes.length; i++) {
            assertThat(probes[i].awaitStatus()).isZero();
            assertThat(probes[i].thread()).isSameAs(device.interruptThread());
            // A lower bound the device guarantees by construction (never an upper bound: a loaded machine is slow).
            assertThat(probes[i].completedNanos() - submittedNanos[i]).isGreaterThanOrEqualTo(delayNanos);
            if (i > 0) {
                assertThat(probes[i].completedNanos()).as("completes in submission order")
                        .isGreaterThanOrEqualTo(probes[i - 1].completedNanos());
            }
        }
    }
}
