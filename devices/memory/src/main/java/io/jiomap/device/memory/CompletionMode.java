package io.jiomap.device.memory;

/**
 * Where and when a bio of the memory device completes, the three ways a real device's completion reaches the host.
 */
enum CompletionMode {
    /**
     * A dedicated "interrupt" thread takes each bio from the submission queue, moves the data and completes it: the
     * shape of an NVMe queue pair with its interrupt handler, and the default because it is what the direct-I/O
     * path meets on real hardware (completion on another thread, racing the submitter).
     */
    THREAD("thread"),
    /**
     * The submitter's own thread moves the data and completes the bio before {@code submit} returns, like null_blk
     * with {@code irqmode=0}: it shows the cost of the I/O path itself with no thread hand-off.
     */
    INLINE("inline"),
    /**
     * Like {@link #THREAD}, but each bio completes no earlier than a fixed delay after it was queued, in queue order,
     * like null_blk's timer mode ({@code irqmode=2, completion_nsec}): a device with latency but no variance.
     */
    DELAY("delay");

    private final String optionValue;

    CompletionMode(String optionValue) {
        this.optionValue = optionValue;
    }

    /** The word used in the {@code completion} option. */
    String optionValue() {
        return optionValue;
    }

    /** The mode named by an option value, or null when there is none. */
    static CompletionMode fromOption(String value) {
        for (CompletionMode m : values()) {
            if (m.optionValue.equals(value)) {
                return m;
            }
        }
        return null;
    }

    /** Whether bios go through the submission queue to the interrupt thread. */
    boolean usesInterruptThread() {
        return this != INLINE;
    }
}
