package io.jiomap.api.block;

import io.jiomap.api.Errno;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CountDownLatch;

/**
 * Submit-and-wait helpers for I/O off the hot path: metadata, flushes, zeroing. They allocate a bio and a latch per
 * call, which is fine where they are used and wrong on the direct-I/O data path.
 */
public final class SyncBio {
    private SyncBio() {
    }

    /** Reads {@code length} bytes at device byte {@code address}. @return 0 or a negative errno */
    public static int read(BlockDevice device, long address, MemorySegment buffer, long offset, int length) {
        return submitAndWait(device, new Bio(), BioOp.READ, Bio.SYNC, address, buffer, offset, length);
    }

    /** Writes {@code length} bytes at device byte {@code address} with the given {@code Bio} flags. */
    public static int write(BlockDevice device, long address, MemorySegment buffer, long offset, int length,
                            int flags) {
        return submitAndWait(device, new Bio(), BioOp.WRITE, flags | Bio.SYNC, address, buffer, offset, length);
    }

    /** Flushes the device's volatile write cache. @return 0 or a negative errno */
    public static int flush(BlockDevice device) {
        return submitAndWait(device, new Bio(), BioOp.FLUSH, Bio.SYNC, 0, MemorySegment.NULL, 0, 0);
    }

    /**
     * Discards {@code length} bytes at device byte {@code address} (blkdiscard), in bios of at most the device's
     * largest discard, one after the other.
     *
     * @return 0; -EOPNOTSUPP when the device cannot discard; -EINVAL when the range is not aligned to its discard
     *         granularity ({@link DeviceCapabilities.Discard#problem} says which); or the first bio's negative errno
     * @since 1.3
     */
    public static int discard(BlockDevice device, long address, long length) {
        DeviceCapabilities.Discard d = device.capabilities().discard();
        if (!d.supported()) {
            return -Errno.EOPNOTSUPP;
        }
        if (d.problem(address, Math.min(length, d.maxBytes())) != null
                || length % d.granularity() != 0) {
            return -Errno.EINVAL;
        }
        Bio bio = new Bio();
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(d.maxBytes(), length - done);
            int r = submitAndWait(device, bio, BioOp.DISCARD, Bio.SYNC, address + done, MemorySegment.NULL, 0, n);
            if (r != 0) {
                return r;
            }
            done += n;
        }
        return 0;
    }

    private static int submitAndWait(BlockDevice device, Bio bio, BioOp op, int flags, long address,
                                     MemorySegment buffer, long offset, int length) {
        CountDownLatch done = new CountDownLatch(1);
        bio.set(op, flags, address, buffer, offset, length, b -> done.countDown(), null);
        device.submit(bio);
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                // The bio is in the device's hands: it must be waited for, whatever the caller wanted.
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return bio.status() == 0 ? 0 : -bio.status();
    }

    /** A human-readable form of a {@link #read}/{@link #write}/{@link #flush} result, for messages. */
    public static String describe(int result) {
        return result == 0 ? "ok" : Errno.name(result) + " (" + Errno.describe(result) + ")";
    }
}
