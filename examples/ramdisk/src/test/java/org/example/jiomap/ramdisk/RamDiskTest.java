package org.example.jiomap.ramdisk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.core.OpenFile;
import io.jiomap.testkit.JiomapRig;
import io.jiomap.testkit.JiomapTest;
import io.jiomap.testkit.TestFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The ramdisk under a real filesystem, and what closing it does to its memory and to bios racing the close. */
class RamDiskTest {
    private static final int BLOCK = 4096;

    // tag::ramdisk-jiomap-test[]
    @JiomapTest(fs = "raw", devices = {"ramdisk", "ramdisk:lbs=4096,max-transfer=64k"})
    void whatTheCoreWritesThroughTheRamdiskReadsBack(JiomapRig rig, @TestFile("/data") OpenFile file)
            throws Exception {
        MemorySegment buffer = rig.buffer(256 * 1024).fill((byte) 0x5a);   // split into bios of max-transfer
        assertThat(file.pwrite(buffer, 0, buffer.byteSize(), 8192)).isEqualTo(buffer.byteSize());

        MemorySegment back = rig.buffer(buffer.byteSize());
        assertThat(rig.remount().open("/data", 0).pread(back, 0, back.byteSize(), 8192)).isEqualTo(back.byteSize());
        assertThat(back.mismatch(buffer)).as("first differing byte").isEqualTo(-1);
    }
    // end::ramdisk-jiomap-test[]

    @Test
    void closingTheDeviceFreesItsMemoryAndRefusesLaterBiosWithEnodev() {
        Arena arena = Arena.ofShared();
        RamDisk disk = new RamDisk("t", arena, 1 << 20, 512, 1 << 20);

        disk.close();

        assertThat(arena.scope().isAlive()).as("the arena holding the media is closed").isFalse();
        assertThat(disk.isClosed()).isTrue();
        assertThat(submit(disk, BioOp.WRITE, Arena.ofAuto().allocate(BLOCK, BLOCK))).isEqualTo(Errno.ENODEV);
        disk.close();   // closing twice is harmless
    }

    @Test
    void biosRacingACloseEitherFinishOrFailWithEnodevAndNeverTouchFreedMemory() throws Exception {
        Arena arena = Arena.ofShared();
        RamDisk disk = new RamDisk("t", arena, 16 << 20, 512, 1 << 20);
        AtomicLong done = new AtomicLong();
        List<Future<List<Integer>>> submitters = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int t = 0; t < 4; t++) {
                long address = (long) t << 20;
                submitters.add(pool.submit(() -> {
                    // Each submitter writes and reads its own megabyte until the device refuses it.
                    MemorySegment buffer = Arena.ofAuto().allocate(1 << 20, BLOCK);
                    List<Integer> errnos = new ArrayList<>();
                    int errno = 0;
                    for (int i = 0; errno == 0; i++) {
                        errno = submit(disk, i % 2 == 0 ? BioOp.WRITE : BioOp.READ, buffer, address);
                        errnos.add(errno);
                        done.incrementAndGet();
                    }
                    return errnos;
                }));
            }
            await().until(() -> done.get() >= 1000);
            disk.close();

            for (Future<List<Integer>> s : submitters) {
                List<Integer> errnos = s.get();   // a copy into freed memory would have thrown here
                assertThat(errnos.getLast()).isEqualTo(Errno.ENODEV);
                assertThat(errnos.subList(0, errnos.size() - 1)).as("before the close").allMatch(e -> e == 0);
            }
        }
        assertThat(arena.scope().isAlive()).isFalse();
    }

    private static int submit(RamDisk disk, BioOp op, MemorySegment buffer) {
        return submit(disk, op, buffer, 0);
    }

    /** One bio of the whole buffer at {@code address}; the ramdisk ends it before submit returns. */
    private static int submit(RamDisk disk, BioOp op, MemorySegment buffer, long address) {
        Bio bio = new Bio();
        int[] status = {-1};
        bio.set(op, 0, address, buffer, 0, (int) buffer.byteSize(), b -> status[0] = b.status(), null);
        disk.submit(bio);
        assertThat(status[0]).as("ended inside submit").isNotNegative();
        return status[0];
    }
}
