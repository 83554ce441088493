package io.jiomap.core;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceCapabilities;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
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

    /** Polled bios the irq thread has executed, waiting for {@link #poll} (a poll queue's CQ). */
    private final ConcurrentLinkedQueue<Bio> pollCq = new ConcurrentLinkedQueue<>();
    /** Polled bios submitted and not reaped yet. */
    private final AtomicInteger pollOutstanding = new AtomicInteger();
    /** Threads that ran a polled bio's end_io, one entry per bio. */
    final List<String> pollCompletionThreads = new CopyOnWriteArrayList<>();
    /** Threads that ran an interrupt-completed bio's end_io, one entry per bio. */
    final List<String> irqCompletionThreads = new CopyOnWriteArrayList<>();

    TestDevice(long capacity, boolean volatileCache, boolean fua, boolean inline) {
        this(capacity, volatileCache, fua, inline, false);
    }

    /** With {@code polling}, POLLED bios go to a poll queue only {@link #poll} reaps, on the polling thread. */
    TestDevice(long capacity, boolean volatileCache, boolean fua, boolean inline, boolean polling) {
        this.caps = new DeviceCapabilities(512, 4096, capacity, 128 * 1024, 512, 1, 64, volatileCache, fua, polling);
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
        if (bio.pollDevice() == this) {
            pollCq.add(bio);
        } else {
            irqCompletionThreads.add(Thread.currentThread().getName());
            bio.complete(0);
        }
    }

    @Override
    public int poll(Bio bio, int flags) {
        int n = 0;
        while (true) {
            Bio done;
            while ((done = pollCq.poll()) != null) {
                pollOutstanding.decrementAndGet();
                pollCompletionThreads.add(Thread.currentThread().getName());
                done.complete(0);
                n++;
            }
            if (n > 0 || (flags & POLL_BLOCK) == 0 || pollOutstanding.get() == 0) {
                return n;
            }
            Thread.onSpinWait();
        }
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
        boolean polled = bio.hasFlag(Bio.POLLED);
        if (polled) {
            // Only a bio queued for execution goes to the poll queue; the kernel clears REQ_POLLED otherwise.
            bio.setFlags(bio.flags() & ~Bio.POLLED);
        }
        if (closed) {
            bio.complete(Errno.ENODEV);
        } else if (bio.address() + bio.length() > caps.capacityBytes()) {
            bio.complete(Errno.EIO);
        } else if (inline) {
            execute(bio);
        } else if (bio.hasFlag(Bio.NOWAIT) && pending.get() >= queueLimit) {
            bio.complete(Errno.EAGAIN);
        } else {
            if (polled && caps.polling()) {
                bio.setFlags(bio.flags() | Bio.POLLED);
                pollOutstanding.incrementAndGet();
                bio.setPollQueue(this, 0);
            }
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
