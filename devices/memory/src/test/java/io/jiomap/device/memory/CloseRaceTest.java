package io.jiomap.device.memory;

import io.jiomap.tck.device.Probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.api.block.BioOp;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Close while several threads submit: every bio ends exactly once, finished or with ENODEV, and nothing hangs. */
class CloseRaceTest {
    private static final int ROUNDS = 20;
    private static final int SUBMITTERS = 3;
    private static final int BIOS_PER_SUBMITTER = 200;

    private final Io io = new Io();

    @AfterEach
    void closeDevices() {
        io.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory:size=4m,queue-depth=4", "memory:size=4m,queue-depth=4,completion=submitter",
            "memory:size=4m,queue-depth=4,completion=delay,delay=1us", "memory:size=4m,queue-depth=4,vwc=on"})
    void closeRacingWithSubmittersLeavesNoBioWithoutCompletion(String spec) throws Exception {
        MemorySegment buffer = io.pattern(4096, 1);
        for (int round = 0; round < ROUNDS; round++) {
            MemoryDevice device = io.open(spec);
            List<Probe> probes = new ArrayList<>();
            for (int i = 0; i < SUBMITTERS * BIOS_PER_SUBMITTER; i++) {
                Probe p = new Probe();
                p.bio.set(i % 3 == 0 ? BioOp.READ : BioOp.WRITE, 0, 4096L * (i % 1024), buffer, 0, 4096, p, null);
                probes.add(p);
            }
            AtomicInteger submitted = new AtomicInteger();
            List<Thread> submitters = new ArrayList<>();
            for (int t = 0; t < SUBMITTERS; t++) {
                List<Probe> own = probes.subList(t * BIOS_PER_SUBMITTER, (t + 1) * BIOS_PER_SUBMITTER);
                submitters.add(Thread.ofPlatform().start(() -> {
                    for (Probe p : own) {
                        device.submit(p.bio);
                        submitted.incrementAndGet();
                    }
                }));
            }

            Io.eventually().until(() -> submitted.get() >= SUBMITTERS * BIOS_PER_SUBMITTER / 4);
            device.close();
            for (Thread submitter : submitters) {
                submitter.join();
            }

            Io.eventually().until(() -> probes.stream().allMatch(Probe::isDone));
            assertThat(probes).allSatisfy(p -> {
                assertThat(p.completions()).isEqualTo(1);
                assertThat(p.status()).isIn(0, Errno.ENODEV);
            });
            assertThat(Io.submitAndAwait(device, BioOp.WRITE, 0, 0, buffer, 4096)).isEqualTo(Errno.ENODEV);
            if (device.interruptThread() != null) {
                assertThat(device.interruptThread().isAlive()).isFalse();
            }
        }
    }
}
