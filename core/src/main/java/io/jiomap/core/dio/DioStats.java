package io.jiomap.core.dio;

import io.jiomap.api.vfs.DioCounters;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind {@link DioCounters}: striped adders, because completions are counted from device threads,
 * workqueue workers and issuers at once and a shared atomic would make them fight over one cache line.
 */
public final class DioStats {
    final LongAdder submitter = new LongAdder();
    final LongAdder waiter = new LongAdder();
    final LongAdder irq = new LongAdder();
    final LongAdder caller = new LongAdder();
    final LongAdder workqueue = new LongAdder();
    final LongAdder dataBios = new LongAdder();
    final LongAdder zeroingBios = new LongAdder();
    private final LongAdder fuaWrites = new LongAdder();
    private final LongAdder flushes = new LongAdder();

    /** A write reached the device with FUA. */
    public void countFuaWrite() {
        fuaWrites.increment();
    }

    /** A flush reached the device. */
    public void countFlush() {
        flushes.increment();
    }

    public DioCounters snapshot() {
        return new DioCounters(submitter.sum(), waiter.sum(), irq.sum(), caller.sum(), workqueue.sum(),
                dataBios.sum(), fuaWrites.sum(), flushes.sum(), zeroingBios.sum());
    }
}
