package io.jiomap.device.toolkit.crash;

/**
 * How {@link CrashStateGenerator} chooses crash points and the writes that survive at each (docs/crash-consistency.md,
 * "The harness").
 */
public enum Mode {
    /**
     * At every barrier (a flush, or a write durable at completion: FUA, PREFLUSH, or any write on a device without a
     * volatile cache) and at the end: every write completed so far, applied in completion order, like
     * {@code replay-log --check flush}.
     */
    PREFIX_AT_BARRIER,
    /**
     * At every mark, every barrier and the end: only the durable set D(t), as after a power cut that loses the whole
     * volatile cache (the dm-flakey "drop writes" analogue). The state a device with {@code powerCut()} reaches.
     */
    LOSE_CACHE,
    /** After every completed write and at the end: every write completed so far. Meant for small workloads. */
    PREFIX_EVERY_WRITE,
    /**
     * Just before every barrier completes, at every mark and at the end: D(t) plus, for each of k seeded choices, a
     * random subset of the optional writes O(t), optionally torn at the logical block size (CrashMonkey's
     * RandomPermuter).
     */
    RANDOM_SUBSET
}
