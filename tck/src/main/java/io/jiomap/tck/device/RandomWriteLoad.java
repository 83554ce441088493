package io.jiomap.tck.device;

import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioEndIo;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The seed benchmark's device load: keeps a fixed number of random 4 KiB writes in flight on a device, reusing its
 * bios and its completion callback, so that the load itself allocates nothing per bio. Used by the hot-path
 * allocation tests of the devices.
 */
public final class RandomWriteLoad implements BioEndIo {
    private static final int BLOCK = 4096;

    private final Bio[] bios;
    private final AtomicLong completed = new AtomicLong();
    private volatile int lastError;
    private long submitted;

    public RandomWriteLoad(int queueDepth) {
        bios = new Bio[queueDepth];
        for (int i = 0; i < queueDepth; i++) {
            bios[i] = new Bio();
        }
    }

    @Override
    public void endIo(Bio bio) {
        if (bio.status() != 0) {
            lastError = bio.status();
        }
        completed.incrementAndGet();
    }

    /** The errno of the last write that failed, or 0. */
    public int lastError() {
        return lastError;
    }

    /** Writes {@code count} more blocks from {@code buffer} at random block addresses and waits for all of them. */
    public void run(BlockDevice device, MemorySegment buffer, int count) {
        long blocks = device.capabilities().capacityBytes() / BLOCK;
        long seed = submitted * 0x9E3779B97F4A7C15L + 1;
        long target = submitted + count;
        while (submitted < target) {
            Bio bio = bios[(int) (submitted % bios.length)];
            while (submitted - completed.get() >= bios.length) {
                Thread.onSpinWait();
            }
            seed ^= seed << 13;
            seed ^= seed >>> 7;
            seed ^= seed << 17;
            long address = Math.floorMod(seed, blocks) * BLOCK;
            bio.set(BioOp.WRITE, 0, address, buffer, 0, BLOCK, this, null);
            device.submit(bio);
            submitted++;
        }
        while (completed.get() < target) {
            Thread.onSpinWait();
        }
    }
}
