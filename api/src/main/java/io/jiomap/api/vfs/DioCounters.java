package io.jiomap.api.vfs;

/**
 * Where direct-I/O completions ran and what bios they cost, counted by the core per mounted filesystem.
 *
 * @param submitter   completed in the submitter: the last reference dropped at submission (no wait, no callback)
 * @param waiter      completed by a synchronous submitter that slept until its bios finished
 * @param irq         completed in the device completion context (reads; 6.19-style pure overwrites)
 * @param caller      deferred and run by the issuer (or by a drainer on its behalf): caller completion
 * @param workqueue   punted to the filesystem's completion workqueue
 * @param dataBios    data bios submitted (reads and writes)
 * @param fuaWrites   data writes that carried FUA to the device
 * @param flushes     cache flushes that reached the device (explicit, PREFLUSH and FUA emulation)
 * @param zeroingBios sub-block zeroing writes
 */
public record DioCounters(long submitter, long waiter, long irq, long caller, long workqueue,
                          long dataBios, long fuaWrites, long flushes, long zeroingBios) {
    public static final DioCounters ZERO = new DioCounters(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Completions of every kind. */
    public long completions() {
        return submitter + waiter + irq + caller + workqueue;
    }

    /** The counts since {@code earlier}. */
    public DioCounters minus(DioCounters earlier) {
        return new DioCounters(submitter - earlier.submitter, waiter - earlier.waiter, irq - earlier.irq,
                caller - earlier.caller, workqueue - earlier.workqueue, dataBios - earlier.dataBios,
                fuaWrites - earlier.fuaWrites, flushes - earlier.flushes, zeroingBios - earlier.zeroingBios);
    }
}
