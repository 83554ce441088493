package io.jiomap.tck.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.SyncBio;
import io.jiomap.tck.scripted.ScriptedDevice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TappedDeviceTest {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buf = arena.allocate(8192, 4096);
    private final List<Integer> ends = new CopyOnWriteArrayList<>();
    private TappedDevice tap;

    @AfterEach
    void close() {
        if (tap != null) {
            tap.close();
        }
        arena.close();
    }

    private TappedDevice tap(boolean cache, boolean fua) {
        tap = new TappedDevice(ScriptedDevice.builder().volatileWriteCache(cache).fua(fua)
                .completion(ScriptedDevice.Completion.SUBMITTER).build());
        return tap;
    }

    private void write(long address, int flags) {
        assertThat(SyncBio.write(tap, address, buf, 0, 4096, flags)).isZero();
    }

    private void submit(BioOp op, long address) {
        tap.submit(new Bio().set(op, 0, address, buf, 0, op == BioOp.FLUSH ? 0 : 4096,
                b -> ends.add(b.status()), null));
    }

    @Test
    void aCachedWriteIsDurableOnlyOnceAFlushSubmittedAfterItsCompletionCompletes() {
        tap(true, true);
        write(0, 0);
        assertThat(tap.isDurable(0, 4096)).isFalse();
        assertThat(SyncBio.flush(tap)).isZero();
        assertThat(tap.isDurable(0, 4096)).isTrue();

        tap.holdNext(1);
        submit(BioOp.FLUSH, 0);
        write(4096, 0);
        tap.releaseAll();
        assertThat(tap.isDurable(4096, 4096)).as("written after the flush was submitted").isFalse();
    }

    @Test
    void fuaWritesAndWritesWithoutACacheAreDurableOnCompletion() {
        tap(true, true);
        write(0, 0);
        write(0, Bio.FUA);
        assertThat(tap.isDurable(0, 4096)).as("the FUA overwrite").isTrue();
        tap.close();
        tap(false, false);
        write(0, 0);
        assertThat(tap.isDurable(0, 4096)).isTrue();
    }

    @Test
    void heldBiosReachTheDeviceOnlyWhenReleasedAndFailedOnesNever() {
        tap(true, true);
        ScriptedDevice device = (ScriptedDevice) tap.unwrap();
        tap.holdNext(2);
        submit(BioOp.WRITE, 0);
        submit(BioOp.WRITE, 4096);
        submit(BioOp.WRITE, 8192);
        assertThat(tap.held()).extracting(BioRecord::address).containsExactly(0L, 4096L);
        assertThat(device.bios()).extracting(BioRecord::address).containsExactly(8192L);

        tap.fail(1, Errno.EIO);
        tap.release(0);
        assertThat(device.bios()).extracting(BioRecord::address).containsExactly(8192L, 0L);
        assertThat(ends).containsExactly(0, Errno.EIO, 0);
        assertThat(tap.completions()).extracting(BioCompletion::seq, BioCompletion::status)
                .containsExactly(tuple(2L, 0),
                        tuple(1L, Errno.EIO),
                        tuple(0L, 0));
        assertThat(tap.isDurable(0, 4096)).as("released, then flushed").isFalse();
        assertThat(SyncBio.flush(tap)).isZero();
        assertThat(tap.isDurable(0, 4096)).as("released, then flushed").isTrue();
        assertThat(tap.isDurable(4096, 4096)).as("its only write failed").isFalse();
        assertThat(tap.notDurable(4096, 4096)).startsWith("block 4096: its last write failed, block 4608:");
    }

    @Test
    void aBlockNoWriteCompletedOnIsNotDurable() {
        tap(false, false);
        assertThat(tap.isDurable(0, 4096)).as("never written").isFalse();
        write(0, 0);
        assertThat(tap.isDurable(0, 4096)).isTrue();
        assertThat(tap.isDurable(0, 8192)).as("the second half was never written").isFalse();
        assertThat(tap.notDurable(0, 8192)).startsWith("block 4096: never written");
    }

    @Test
    void blocksWrittenSinceTheRecordsWereClearedAreThoseOfWritesSubmittedAfterIt() {
        tap(true, true);
        write(0, 0);
        tap.clearRecords();
        assertThat(tap.notWrittenSinceClear(0, 1024)).containsExactly(0L, 512L);
        write(4096, 0);
        assertThat(tap.notWrittenSinceClear(4096, 4096)).isEmpty();
        assertThat(tap.notWrittenSinceClear(0, 512)).containsExactly(0L);
    }

    @Test
    void aBioSubmittedBeforeTheRecordsWereClearedIsNotCountedAmongTheEndsAfterIt() {
        tap(true, true);
        tap.holdNext(1);
        submit(BioOp.WRITE, 0);
        tap.clearRecords();
        tap.releaseAll();
        assertThat(ends).containsExactly(0);
        assertThat(tap.completedCount()).as("the end of a bio issued before the clear").isZero();

        submit(BioOp.WRITE, 4096);
        assertThat(tap.completions()).extracting(BioCompletion::seq).containsExactly(1L);
        assertThat(tap.bios()).extracting(BioRecord::seq).containsExactly(1L);
    }

    @Test
    void closingHandsHeldBiosToTheClosedDeviceWhichFailsThem() {
        tap(true, true);
        tap.holdNext(1);
        submit(BioOp.WRITE, 0);
        tap.close();
        assertThat(ends).containsExactly(Errno.ENODEV);
        assertThat(tap.isClosed()).isTrue();
    }
}
