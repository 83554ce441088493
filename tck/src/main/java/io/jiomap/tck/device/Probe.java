package io.jiomap.tck.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioEndIo;
import java.util.concurrent.atomic.AtomicInteger;

/** A bio whose completion records its status, thread, time and how often it ended. */
public class Probe implements BioEndIo {
    public final Bio bio = new Bio();
    private final AtomicInteger completions = new AtomicInteger();
    private volatile int status = -1;
    private volatile Thread thread;
    private volatile long completedNanos;

    @Override
    public void endIo(Bio b) {
        completedNanos = System.nanoTime();
        thread = Thread.currentThread();
        status = b.status();
        completions.incrementAndGet();
    }

    public boolean isDone() {
        return completions.get() > 0;
    }

    /** Waits for the completion and returns its status; a bio must end exactly once. */
    public int awaitStatus() {
        DeviceIo.eventually().until(this::isDone);
        assertThat(completions.get()).as("completions of %s", bio).isEqualTo(1);
        return status;
    }

    public int status() {
        return status;
    }

    public Thread thread() {
        return thread;
    }

    public long completedNanos() {
        return completedNanos;
    }

    /** How many times the bio ended (a device must end each bio exactly once). */
    public int completions() {
        return completions.get();
    }
}
