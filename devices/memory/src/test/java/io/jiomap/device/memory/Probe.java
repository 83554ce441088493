package io.jiomap.device.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioEndIo;
import java.util.concurrent.atomic.AtomicInteger;

/** A bio with a completion that records how, where and how often it ended. */
final class Probe implements BioEndIo {
    final Bio bio = new Bio();
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

    boolean isDone() {
        return completions.get() > 0;
    }

    /** Waits for the completion and returns its status; a bio must complete exactly once. */
    int awaitStatus() {
        Io.eventually().until(this::isDone);
        assertThat(completions.get()).as("completions of %s", bio).isEqualTo(1);
        return status;
    }

    int status() {
        return status;
    }

    Thread thread() {
        return thread;
    }

    long completedNanos() {
        return completedNanos;
    }

    int completions() {
        return completions.get();
    }
}
