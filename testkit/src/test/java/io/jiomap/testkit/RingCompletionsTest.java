package io.jiomap.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.Errno;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.OpenFile;
import io.jiomap.core.ring.IoRing;
import java.lang.foreign.MemorySegment;

/** Ring completions as Awaitility conditions, results and errors alike. */
class RingCompletionsTest {
    // tag::testkit-ring[]
    @JiomapTest(fs = {"raw", "scripted"}, devices = {"memory", "nvme-like"})
    void aRingWriteCompletesWithItsByteCountAndAFailedOneWithItsErrno(JiomapRig rig, OpenFile file) {
        try (IoRing ring = IoRing.create(8, CompletionMode.CALLER)) {
            RingCompletions cqes = RingCompletions.of(ring);
            MemorySegment buffer = Bytes.fill(ring.allocateBuffer(4096, 4096), 3);
            ring.prepWrite(file, buffer, 0, 4096, 0, 0, 7);
            ring.submit();
            RingCompletions.await().until(() -> cqes.arrived(7));
            assertThat(cqes.result(7)).isEqualTo(4096);

            rig.failNthWrite(1);
            ring.prepWrite(file, buffer, 0, 4096, 4096, 0, 8);
            ring.submit();
            RingCompletions.await().until(() -> cqes.arrived(8));
            assertThat(cqes.result(8)).isEqualTo(-Errno.EIO);
        }
    }
    // end::testkit-ring[]
}
