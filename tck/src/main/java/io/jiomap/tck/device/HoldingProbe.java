package io.jiomap.tck.device;

import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A probe whose completion holds the completing queue thread until the test releases it (test-only: a real callback
 * must not block). While held, later bios on that queue stay queued for as long as the test needs, without timing.
 */
public final class HoldingProbe extends Probe {
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release;
    private final Runnable afterRelease;

    public HoldingProbe(CountDownLatch release, Runnable afterRelease) {
        this.release = release;
        this.afterRelease = afterRelease;
    }

    @Override
    public void endIo(Bio b) {
        super.endIo(b);
        entered.countDown();
        try {
            release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        afterRelease.run();
    }

    /** Submits a one-block write at 0 and waits until its completion holds the queue thread. */
    public HoldingProbe submitAndHold(BlockDevice device, MemorySegment buffer) {
        bio.set(BioOp.WRITE, 0, 0, buffer, 0, device.capabilities().logicalBlockSize(), this, null);
        device.submit(bio);
        DeviceIo.eventually().until(() -> entered.getCount() == 0);
        return this;
    }
}
