package io.jiomap.api.vfs;

/**
 * The issuer's completion callback (the kernel's {@code ki_complete}). It may be called from any thread: a device
 * "interrupt", the completion workqueue, or a thread that drained the inode. It must not block.
 */
@FunctionalInterface
public interface IocbCompletion {
    /**
     * Reports the end of an asynchronous request. When {@link Iocb#deferred()} is set, {@code result} is meaningless
     * (0) and the issuer must run the deferred completion from its own context to learn the real result.
     */
    void complete(Iocb iocb, long result);

    /**
     * Someone else (a thread draining direct I/O on the inode) claimed and ran one of this issuer's deferred
     * completions; its result is now in {@link DeferredCompletion#result()}. The issuer should look again.
     */
    default void wakeup() {
    }
}
