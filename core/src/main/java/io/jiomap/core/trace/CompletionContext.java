package io.jiomap.core.trace;

/** Where a direct I/O's completion ran. */
public enum CompletionContext {
    /** In the submitter: every bio had finished before it dropped its own reference (docs/dio-contract.md, "TV4"). */
    SUBMITTER,
    /** In a synchronous submitter that slept until its bios finished. */
    WAITER,
    /** In the device's completion context ("interrupt"). */
    IRQ,
    /** Deferred to the issuer and run there, or by a drainer on its behalf (caller completion). */
    CALLER,
    /** On the filesystem's completion workqueue. */
    WORKQUEUE
}
