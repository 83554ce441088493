package io.jiomap.tck;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.FilterBlockDevice;
import java.util.ArrayList;
import java.util.List;

/**
 * A device in front of another that, once the test file is arranged ({@link #fileArranged}), holds bios inside
 * itself and fails flushes as {@link FaultingDevices} says. A held bio reaches the inner device only when released
 * (it then completes the inner device's way); closing fails every held bio and every later one with ENODEV, as a
 * device that goes away must. Closing closes the inner device.
 */
final class FaultingDevice extends FilterBlockDevice implements HoldingDevice, ArrangedFileListener {
    private final boolean holdAfterArranging;
    private final List<Bio> held = new ArrayList<>();
    private boolean holding;
    private boolean closed;
    private volatile int flushErrno;

    /** The bios it passes on are the submitter's own, so polling goes through unchanged. */
    FaultingDevice(BlockDevice inner, boolean holdAfterArranging) {
        super(inner, Polling.FORWARDED);
        this.holdAfterArranging = holdAfterArranging;
    }

    @Override
    public void fileArranged(FileLayout layout) {
        flushErrno = layout.fsyncErrno();
        synchronized (held) {
            holding = holdAfterArranging;
        }
    }

    @Override
    public void testEnded() {
        flushErrno = 0;
    }

    @Override
    public boolean isClosed() {
        synchronized (held) {
            return closed;
        }
    }

    @Override
    public void submit(Bio bio) {
        int errno = flushErrno;
        if (errno != 0 && bio.op() == BioOp.FLUSH) {
            bio.complete(errno);
            return;
        }
        synchronized (held) {
            if (closed) {
                bio.complete(Errno.ENODEV);
                return;
            }
            if (holding) {
                held.add(bio);
                return;
            }
        }
        in.submit(bio);
    }

    @Override
    public int heldCount() {
        synchronized (held) {
            return held.size();
        }
    }

    @Override
    public void release(int index) {
        Bio bio;
        synchronized (held) {
            bio = held.remove(index);
        }
        in.submit(bio);
    }

    @Override
    public void fail(int index, int errno) {
        Bio bio;
        synchronized (held) {
            bio = held.remove(index);
        }
        bio.complete(Math.abs(errno));
    }

    @Override
    public void stopHolding() {
        List<Bio> all;
        synchronized (held) {
            holding = false;
            all = new ArrayList<>(held);
            held.clear();
        }
        all.forEach(in::submit);
    }

    @Override
    public void close() {
        List<Bio> all;
        synchronized (held) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(held);
            held.clear();
        }
        in.close();
        all.forEach(b -> b.complete(Errno.ENODEV));
    }

    @Override
    public String toString() {
        return "faulting(" + in.name() + ")";
    }
}
