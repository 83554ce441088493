package io.jiomap.tck.observe;

import io.jiomap.api.vfs.DeferredCompletion;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.vfs.IocbCompletion;
import java.util.ArrayList;
import java.util.List;

/**
 * An issuer that only records: every {@code ki_complete} call with what the iocb looked like at that moment, and
 * every {@link #wakeup()} a drainer sends after running one of its deferred completions. A test that issues with
 * its own {@link Iocb} uses it to see exactly what the contract says the issuer sees (e.g.
 * {@code ki_complete(iocb, 0)} with the deferred completion set: docs/dio-contract.md, "TV1"), and then runs the
 * deferred completion itself.
 */
public final class CompletionLog implements IocbCompletion {

    /**
     * One {@code ki_complete} call.
     *
     * @param iocb      the request
     * @param result    the result passed (meaningless 0 when {@code deferred} is set)
     * @param deferred  the deferred completion handed back, or null
     * @param position  {@code iocb.position()} at the call
     * @param inFlight  the inode's direct I/Os in flight at the call
     * @param iocbFlags the iocb's flags at the call
     * @param thread    the calling thread's name
     */
    public record KiComplete(Iocb iocb, long result, DeferredCompletion deferred, long position, int inFlight,
                             int iocbFlags, String thread) {
    }

    private final List<KiComplete> calls = new ArrayList<>();
    private int wakeups;

    @Override
    public void complete(Iocb iocb, long result) {
        KiComplete call = new KiComplete(iocb, result, iocb.deferred(), iocb.position(),
                iocb.inode().dio().inFlight(), iocb.flags(), Thread.currentThread().getName());
        synchronized (this) {
            calls.add(call);
            notifyAll();
        }
    }

    @Override
    public synchronized void wakeup() {
        wakeups++;
        notifyAll();
    }

    public synchronized List<KiComplete> calls() {
        return List.copyOf(calls);
    }

    public synchronized int count() {
        return calls.size();
    }

    /** Wakeups from drainers that ran a deferred completion of this issuer. */
    public synchronized int wakeups() {
        return wakeups;
    }
}
