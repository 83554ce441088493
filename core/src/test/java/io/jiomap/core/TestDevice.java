package io.jiomap.core;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceCapabilities;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/** A small in-memory device for the core's own tests: completes inline or on its own "interrupt" thread. */
final class TestDevice implements BlockDevice {
    record Recorded(BioOp op, int flags, long address, int length) {
    }

    private final DeviceCapabilities caps;
    private final MemorySegment data;
    private final boolean inline;
    private final LinkedBlockingQueue<Bio> queue = new LinkedBlockingQueue<>();
    private final Thread irq;
    final List<Recorded> bios = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    /** When set, the irq thread completes a bio only per permit: tests decide when the "device" finishes. */
    private volatile java.util.concurrent.Semaphore gate;

    /** Holds completions until {@link #release(int)}; the submitter is sure to drop its reference first. */
    TestDevice gated() {
        gate = new java.util.concurrent.Semaphore(0);
        return this;
    }

    /** Bios the gated queue holds before a NOWAIT bio is refused with EAGAIN, as a full hardware queue does. */
    private volatile int queueLimit = Integer.MAX_VALUE;
    /** Bios queued and not completed yet (the irq thread may already have taken one off the queue). */
    private final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();

    TestDevice queueLimit(int bios) {
        queueLimit = bios;
        return this;
    }

    void release(int bios) {
        gate.release(bios);
    }

    TestDevice(long capacity, boolean volatileCache, boolean fua, boolean inline) {
        this.caps = new DeviceCapabilities(512, 4096, capacity, 128 * 1024, 512, 1, 64, volatileCache, fua, false);
        this.data = Arena.ofAuto().allocate(capacity, 4096);
        this.inline = inline;
        this.irq = inline ? null : Thread.ofPlatform().daemon().name("test-irq").start(this::run);
    }

    private void run() {
        try {
            while (true) {
                Bio bio = queue.take();
                if (bio.owner() == this) {
                    return;
                }
                java.util.concurrent.Semaphore g = gate;
                if (g != null) {
                    g.acquire();
                }
                pending.decrementAndGet();
                execute(bio);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void execute(Bio bio) {
        if (bio.op() == BioOp.WRITE) {
            MemorySegment.copy(bio.segment(), bio.segmentOffset(), data, bio.address(), bio.length());
        } else if (bio.op() == BioOp.READ) {
            MemorySegment.copy(data, bio.address(), bio.segment(), bio.segmentOffset(), bio.length());
        }
        bio.complete(0);
    }

    @Override
    public String name() {
        return "test0";
    }

    @Override
    public DeviceCapabilities capabilities() {
        return caps;
    }

    @Override
    public void submit(Bio bio) {
        bios.add(new Recorded(bio.op(), bio.flags(), bio.address(), bio.length()));
        if (closed) {
            bio.complete(Errno.ENODEV);
        } else if (bio.address() + bio.length() > caps.capacityBytes()) {
            bio.complete(Errno.EIO);
        } else if (inline) {
            execute(bio);
        } else if (bio.hasFlag(Bio.NOWAIT) && pending.get() >= queueLimit) {
            bio.complete(Errno.EAGAIN);
        } else {
            pending.incrementAndGet();
            queue.add(bio);
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        if (irq != null) {
            queue.add(new Bio().setFlush(0, b -> { }, this));
        }
    }
}
