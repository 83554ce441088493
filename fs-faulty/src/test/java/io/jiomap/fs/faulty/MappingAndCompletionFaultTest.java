package io.jiomap.fs.faulty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DioCounters;
import io.jiomap.api.iomap.DioOps;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.core.ring.IoRing;
import io.jiomap.tck.observe.DioCallLog;
import io.jiomap.tck.observe.IomapCall;
import io.jiomap.tck.observe.ObservedFileSystemType;
import io.jiomap.tck.observe.TappedDevice;
import io.jiomap.testkit.JiomapRig;
import io.jiomap.testkit.JiomapTest;
import io.jiomap.testkit.RingCompletions;
import io.jiomap.testkit.TestFile;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/** Forced mapping flags, a failing end_io and mapping delays, as the core and applications see them. */
class MappingAndCompletionFaultTest {
    private static final Map<String, String> PLAIN = Map.of("over", "raw");

    /** One 4 KiB write through a ring in {@code mode} with {@code rwFlags}; returns its CQE result. */
    private static long ringWrite(JiomapRig rig, OpenFile file, CompletionMode mode, int rwFlags) {
        try (IoRing ring = IoRing.create(4, mode)) {
            RingCompletions cqes = RingCompletions.of(ring);
            MemorySegment buffer = ring.allocateBuffer(4096, 4096).fill((byte) 9);
            ring.prepWrite(file, buffer, 0, 4096, 0, rwFlags, 1);
            ring.submit();
            RingCompletions.await().until(() -> cqes.arrived(1));
            return cqes.result(1);
        }
    }

    @JiomapTest(fs = "faulty:over=raw,force=dirty", devices = "memory:vwc=on,fua=on")
    void aForcedDirtyMappingMakesADsyncOverwriteFlushInsteadOfWritingFua(JiomapRig rig) throws Exception {
        Mount plain = rig.remount(PLAIN);
        Data.write(rig, plain.open("/dev", OpenFile.DSYNC), 1, 0);
        DioCounters clean = plain.counters();
        assertThat(clean.fuaWrites()).as("a clean O_DSYNC overwrite on a FUA device").isEqualTo(1);
        assertThat(clean.flushes()).isZero();

        Mount dirty = rig.remount(rig.mountOptions());
        Data.write(rig, dirty.open("/dev", OpenFile.DSYNC), 2, 0);
        DioCounters forced = dirty.counters();
        assertThat(forced.fuaWrites()).as("DIRTY: FUA alone is not durable (docs/dio-contract.md, \"TV9\")").isZero();
        assertThat(forced.flushes()).as("the sync after the write flushes").isPositive();
        Data.assertHolds(rig, dirty.open("/dev", 0), 0, 2);
    }

    /**
     * One 4 KiB write through a CALLER ring whose bio the tap holds until the submitter has returned, so its
     * completion starts in the device context, never in the submitter; returns the mount's counters after it.
     */
    private static DioCounters heldRingWrite(JiomapRig rig, TappedDevice tap, Map<String, String> options)
            throws Exception {
        try (Mount m = Mount.mount(new FaultyFileSystemType(), tap, Mount.Options.defaults().withFsOptions(options));
             IoRing ring = IoRing.create(4, CompletionMode.CALLER)) {
            RingCompletions cqes = RingCompletions.of(ring);
            tap.holdNext(1);
            ring.prepWrite(m.open("/dev", 0), ring.allocateBuffer(4096, 4096), 0, 4096, 0, 0, 1);
            ring.submit();
            assertThat(tap.heldCount()).isEqualTo(1);
            tap.releaseAll();
            RingCompletions.await().until(() -> cqes.arrived(1));
            assertThat(cqes.result(1)).isEqualTo(4096);
            return m.counters();
        }
    }

    @JiomapTest(fs = "raw", devices = "memory")
    void aForcedNewMappingTakesAnOverwriteAwayFromTheCaller(JiomapRig rig) throws Exception {
        rig.unmount();
        TappedDevice tap = new TappedDevice(rig.faults());
        DioCounters plain = heldRingWrite(rig, tap, PLAIN);
        assertThat(plain.caller()).as("a pure overwrite completes in the caller").isEqualTo(1);
        assertThat(plain.workqueue()).isZero();

        DioCounters forced = heldRingWrite(rig, tap, Map.of("over", "raw", "force", "new"));
        assertThat(forced.caller()).as("NEW blocks need the workqueue").isZero();
        assertThat(forced.workqueue()).isEqualTo(1);
    }

    @JiomapTest(fs = "raw", devices = "memory")
    void aForcedSharedMappingPassesCowToEndIo(JiomapRig rig) throws Exception {
        DioCallLog log = new DioCallLog();
        ObservedFileSystemType observed = new ObservedFileSystemType(new FaultyFileSystemType(), log);
        rig.unmount();
        try (Mount m = Mount.mount(observed, rig.faults(), Mount.Options.defaults()
                .withFsOptions(Map.of("over", "raw", "force", "shared")))) {
            Data.write(rig, m.open("/dev", 0), 1, 0);
        }
        IomapCall begin = log.begins().getFirst();
        assertThat(begin.mapFlags() & Iomap.F_SHARED).isNotZero();
        assertThat(log.endIoCalls()).singleElement()
                .satisfies(call -> assertThat(call.flags() & DioOps.COW).isNotZero());
    }

    // tag::faulty-end-io-test[]
    @JiomapTest(fs = "faulty:over=raw,fail-end-io=eio", devices = "memory")
    void aFailingEndIoReportsItsErrnoInTheCqe(JiomapRig rig, OpenFile file) throws Exception {
        assertThat(ringWrite(rig, file, CompletionMode.CALLER, 0)).isEqualTo(-Errno.EIO);
        assertThatThrownBy(() -> Data.write(rig, file, 1, 4096)).isInstanceOfSatisfying(JiomapException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EIO));
        Data.assertHolds(rig, file, 0, 9);   // the data reached the device; only the completion failed
    }
    // end::faulty-end-io-test[]

    @JiomapTest(fs = "faulty:over=raw,delay=1ms", mkfs = "faulty:over=raw", devices = "memory")
    void aDelayedMappingHoldsTheWriteAndRefusesNowaitWithEagain(JiomapRig rig, @TestFile OpenFile file) {
        assertThat(rig.mkfsOptions()).as("mkfs options named in the annotation").isEqualTo(Map.of("over", "raw"));
        assertThat(ringWrite(rig, file, CompletionMode.CALLER, 0)).isEqualTo(4096);
        assertThat(ringWrite(rig, file, CompletionMode.CALLER, IoRing.RWF_NOWAIT)).isEqualTo(-Errno.EAGAIN);
    }
}
