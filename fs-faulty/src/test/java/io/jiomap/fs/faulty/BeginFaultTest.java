package io.jiomap.fs.faulty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.core.OpenFile;
import io.jiomap.testkit.JiomapRig;
import io.jiomap.testkit.JiomapTest;
import io.jiomap.testkit.TestFile;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Errors from iomap_begin, through the real core, as the application sees them. */
class BeginFaultTest {
    private static void assertErrno(int errno, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(JiomapException.class,
                e -> assertThat(e.errno()).as(e.getMessage()).isEqualTo(errno));
    }

    // tag::faulty-enospc-test[]
    @JiomapTest(fs = "faulty:over=raw,fail-begin=enospc@3", devices = "memory")
    void enospcAtTheThirdBeginFailsThatWriteAndLeavesTheEarlierOnesIntact(JiomapRig rig, OpenFile file)
            throws Exception {
        Data.write(rig, file, 0xa1, 0);
        Data.write(rig, file, 0xb2, 4096);
        assertErrno(Errno.ENOSPC, () -> Data.write(rig, file, 0xc3, 8192));
        Data.write(rig, file, 0xd4, 12288);

        Data.assertHolds(rig, file, 0, 0xa1);
        Data.assertHolds(rig, file, 4096, 0xb2);
        Data.assertHolds(rig, file, 8192, 0);
        Data.assertHolds(rig, file, 12288, 0xd4);
    }
    // end::faulty-enospc-test[]

    @JiomapTest(fs = "faulty:over=raw,fail-begin=eio@2+", devices = "memory")
    void fromTheNthBeginOnEveryWriteFails(JiomapRig rig, OpenFile file) throws Exception {
        assertThat(rig.mkfsOptions()).as("made as what it wraps: the type derives over=raw from the mount options")
                .isEqualTo(Map.of("over", "raw"));
        Data.write(rig, file, 1, 0);
        assertErrno(Errno.EIO, () -> Data.write(rig, file, 2, 0));
        assertErrno(Errno.EIO, () -> Data.write(rig, file, 3, 0));
        Data.assertHolds(rig, file, 0, 1);
    }

    @JiomapTest(fs = "faulty:over=raw,fail-begin=eio@64k-128k", devices = "memory")
    void aRangeFaultHitsOnlyWritesOverlappingTheRange(JiomapRig rig, OpenFile file) throws Exception {
        Data.write(rig, file, 1, 60 * 1024);
        assertErrno(Errno.EIO, () -> Data.write(rig, file, 2, 64 * 1024));
        assertErrno(Errno.EIO, () -> Data.write(rig, file, 2, 124 * 1024));
        Data.write(rig, file, 3, 128 * 1024);
    }

    @JiomapTest(fs = "faulty:over=scripted,fail-begin=eio@/victim", devices = "memory")
    void aPathFaultHitsOnlyTheFileOpenedUnderThatPath(JiomapRig rig, @TestFile("/victim") OpenFile victim,
                                                     @TestFile("/bystander") OpenFile bystander) throws Exception {
        assertErrno(Errno.EIO, () -> Data.write(rig, victim, 1, 0));
        assertThat(Data.write(rig, bystander, 2, 1 << 20)).isEqualTo(Data.BLOCK);
    }

    @JiomapTest(fs = "faulty:over=raw,fail-begin=enospc@1", devices = "memory")
    void callsAreCountedPerMountSoARemountStartsAgain(JiomapRig rig, OpenFile file) throws Exception {
        assertErrno(Errno.ENOSPC, () -> Data.write(rig, file, 1, 0));
        Data.write(rig, file, 1, 0);
        OpenFile again = rig.remount().open("/dev", 0);
        assertErrno(Errno.ENOSPC, () -> Data.write(rig, again, 2, 0));
        Data.assertHolds(rig, again, 0, 1);
    }

    @JiomapTest(fs = "faulty:over=raw,fail-begin=eio", devices = "memory")
    void readsAreNeverFaulted(JiomapRig rig, OpenFile file) throws Exception {
        assertErrno(Errno.EIO, () -> Data.write(rig, file, 1, 0));
        Data.assertHolds(rig, file, 0, 0);
        rig.remount(Map.of("over", "raw"));
        Data.write(rig, rig.file("/dev"), 5, 0);
    }
}
