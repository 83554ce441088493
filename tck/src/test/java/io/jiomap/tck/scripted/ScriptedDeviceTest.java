package io.jiomap.tck.scripted;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.tck.Patterns;
import io.jiomap.tck.observe.BioRecord;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScriptedDeviceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** One bio end as the submitter saw it. */
    record End(int status, String thread) {
    }

    private final Arena arena = Arena.ofShared();
    private final List<End> ends = new CopyOnWriteArrayList<>();
    private ScriptedDevice device;

    @AfterEach
    void close() {
        if (device != null) {
            device.close();
        }
        arena.close();
    }

    private ScriptedDevice open(ScriptedDevice.Completion completion) {
        device = ScriptedDevice.builder().capacity(1 << 20).maxTransfer(64 * 1024).completion(completion).build();
        return device;
    }

    private Bio submit(BioOp op, int flags, long address, MemorySegment seg, int length) {
        Bio bio = new Bio().set(op, flags, address, seg, 0, length,
                b -> ends.add(new End(b.status(), Thread.currentThread().getName())), null);
        device.submit(bio);
        return bio;
    }

    private MemorySegment buffer(int size, long seed) {
        MemorySegment s = arena.allocate(size, 4096);
        Patterns.fill(s, 0, size, seed);
        return s;
    }

    @Test
    void inlineCompletionEndsTheBioInsideSubmit() {
        open(ScriptedDevice.Completion.SUBMITTER);
        submit(BioOp.WRITE, 0, 0, buffer(4096, 1), 4096);
        assertThat(ends).containsExactly(new End(0, Thread.currentThread().getName()));
    }

    @Test
    void threadCompletionEndsBiosOnItsOwnThreadInSubmissionOrder() {
        open(ScriptedDevice.Completion.THREAD);
        MemorySegment buf = buffer(8192, 1);
        submit(BioOp.WRITE, 0, 0, buf, 4096);
        submit(BioOp.WRITE, 0, 4096, buf, 4096);
        await("two completions").atMost(TIMEOUT).until(() -> ends.size() == 2);
        assertThat(ends).extracting(End::thread).containsOnly("scripted-device/scripted0-irq");
        assertThat(ends).extracting(End::status).containsExactly(0, 0);
    }

    @Test
    void heldBiosWaitUntilReleasedOrFailedWithTheChosenErrno() {
        open(ScriptedDevice.Completion.HELD);
        MemorySegment buf = buffer(8192, 7);
        submit(BioOp.WRITE, 0, 0, buf, 4096);
        submit(BioOp.WRITE, 0, 4096, buf.asSlice(4096), 4096);
        assertThat(ends).as("nothing completes on its own").isEmpty();
        assertThat(device.held()).extracting(BioRecord::address).containsExactly(0L, 4096L);

        device.fail(1, Errno.EIO);
        device.releaseNext();
        assertThat(ends).extracting(End::status).containsExactly(Errno.EIO, 0);
        assertThat(device.heldCount()).isZero();
        assertThat(device.data(0, 4096)).as("the released write landed").isEqualTo(Patterns.bytes(7, 4096));
        assertThat(device.data(4096, 4096)).as("the failed write did not").isEqualTo(new byte[4096]);
    }

    @Test
    void writtenDataIsReadBackAcrossPagesAndUnwrittenBytesReadAsZero() {
        open(ScriptedDevice.Completion.SUBMITTER);
        submit(BioOp.WRITE, 0, 3584, buffer(1024, 3), 1024);
        MemorySegment in = buffer(8192, 9);
        submit(BioOp.READ, 0, 0, in, 8192);
        byte[] expected = new byte[8192];
        System.arraycopy(Patterns.bytes(3, 1024), 0, expected, 3584, 1024);
        assertThat(in.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(expected);
    }

    @Test
    void outOfRangeBiosFailWithEioAndMisalignedOrOversizedOnesWithEinval() {
        open(ScriptedDevice.Completion.SUBMITTER);
        MemorySegment buf = buffer(128 * 1024, 1);
        submit(BioOp.WRITE, 0, 1 << 20, buf, 4096);
        submit(BioOp.WRITE, 0, (1 << 20) - 512, buf, 1024);
        submit(BioOp.WRITE, 0, 100, buf, 4096);
        submit(BioOp.READ, 0, 0, buf, 1000);
        submit(BioOp.WRITE, 0, 0, buf, 128 * 1024);
        assertThat(ends).extracting(End::status)
                .containsExactly(Errno.EIO, Errno.EIO, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL);
    }

    @Test
    void memoryTheDeviceCannotUseFailsTheBioWithEfaultAndTheDeviceKeepsWorking() throws Exception {
        open(ScriptedDevice.Completion.THREAD);
        try (Arena confined = Arena.ofConfined()) {
            MemorySegment mine = confined.allocate(4096, 4096);
            submit(BioOp.WRITE, 0, 0, mine, 4096);
            await("the bio to end").atMost(TIMEOUT).until(() -> ends.size() == 1);
        }
        submit(BioOp.WRITE, 0, 0, buffer(4096, 1), 4096);
        await("the next bio to end").atMost(TIMEOUT).until(() -> ends.size() == 2);
        assertThat(ends).extracting(End::status).containsExactly(Errno.EFAULT, 0);
    }

    @Test
    void closeFailsHeldAndQueuedBiosWithEnodevAndRefusesLaterOnes() {
        open(ScriptedDevice.Completion.HELD);
        MemorySegment buf = buffer(4096, 1);
        submit(BioOp.WRITE, 0, 0, buf, 4096);
        submit(BioOp.WRITE, 0, 0, buf, 4096);
        device.close();
        assertThat(ends).extracting(End::status).containsExactly(Errno.ENODEV, Errno.ENODEV);
        submit(BioOp.FLUSH, 0, 0, MemorySegment.NULL, 0);
        assertThat(ends).extracting(End::status).last().isEqualTo(Errno.ENODEV);
        assertThat(device.isClosed()).isTrue();
    }

    @Test
    void everyBioIsRecordedWithItsFlagsAndWhetherItsPayloadWasZeros() {
        open(ScriptedDevice.Completion.SUBMITTER);
        submit(BioOp.WRITE, Bio.FUA | Bio.SYNC, 0, buffer(4096, 1), 4096);
        submit(BioOp.WRITE, 0, 4096, arena.allocate(4096, 4096), 4096);
        submit(BioOp.FLUSH, Bio.PREFLUSH, 0, MemorySegment.NULL, 0);
        List<BioRecord> bios = device.bios();
        assertThat(bios).extracting(BioRecord::seq).containsExactly(0L, 1L, 2L);
        assertThat(bios).extracting(BioRecord::op).containsExactly(BioOp.WRITE, BioOp.WRITE, BioOp.FLUSH);
        assertThat(bios).extracting(BioRecord::fua).containsExactly(true, false, false);
        assertThat(bios).extracting(BioRecord::isZeroWrite).containsExactly(false, true, false);
        assertThat(bios.get(2).preflush()).isTrue();
    }
}
