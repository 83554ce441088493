package io.jiomap.device.memory;

/**
 * Where and when a bio of the memory device completes (its {@code completion} option), the three ways a real device's
 * completion reaches the host; named after null_blk's {@code irqmode}.
 */
enum IrqMode {
    /**
     * A dedicated "interrupt" thread takes each bio from the submission queue, moves the data and completes it: the
     * shape of an NVMe queue pair with its interrupt handler, and the default because it is what the direct-I/O
     * path meets on real hardware (completion on another thread, racing the submitter).
     */
    THREAD("thread"),
    /**
     * The submitter's own thread moves the data and completes the bio before {@code submit} returns, like null_blk
     * with {@code irqmode=0}: it shows the cost of the I/O path itself with no thread hand-off. The option also
     * accepts {@code inline}, its name before "inline" was kept for the dio flag that completes in the bio's end_io
     * context, so recorded commands still run.
     */
    SUBMITTER("submitter"),
    /**
     * Like {@link #THREAD}, but each bio completes no earlier than a fixed delay after it was queued, in queue order,
     * like null_blk's timer mode ({@code irqmode=2, completion_nsec}): a device with latency but no variance.
     */
    DELAY("delay");

    private final String optionValue;

    IrqMode(String optionValue) {
        this.optionValue = optionValue;
    }

    /** The word used in the {@code completion} option. */
    String optionValue() {
        return optionValue;
    }

    /** The old spelling of {@code completion=submitter}, still accepted. */
    static final String SUBMITTER_ALIAS = "inline";

    /** The mode named by an option value (or {@link #SUBMITTER_ALIAS}), or null when there is none. */
    static IrqMode fromOption(String value) {
        if (SUBMITTER_ALIAS.equals(value)) {
            return SUBMITTER;
        }
        for (IrqMode m : values()) {
            if (m.optionValue.equals(value)) {
                return m;
            }
        }
        return null;
    }

    /** Whether bios go through the submission queue to the interrupt thread. */
    boolean usesInterruptThread() {
        return this != SUBMITTER;
    }
}
