package io.jiomap.tck;

/**
 * A completion-queue entry reaped from an {@link io.jiomap.core.ring.IoRing}.
 *
 * @param userData the request's cookie
 * @param result   bytes or a negative errno
 */
public record Cqe(long userData, long result) {
}
