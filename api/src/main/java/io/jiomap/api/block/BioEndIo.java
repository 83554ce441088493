package io.jiomap.api.block;

/**
 * Called exactly once when a bio finishes, from whatever context the device completes in (its "interrupt" thread,
 * the submitter for inline devices, or a poller). It must not block.
 */
@FunctionalInterface
public interface BioEndIo {
    void endIo(Bio bio);
}
