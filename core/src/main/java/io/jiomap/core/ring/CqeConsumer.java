package io.jiomap.core.ring;

/** Receives completion-queue entries when a ring is reaped. */
@FunctionalInterface
public interface CqeConsumer {
    /**
     * @param userData the cookie given when the request was prepared
     * @param result   bytes transferred, or a negative errno
     */
    void accept(long userData, long result);
}
