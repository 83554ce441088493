package io.jiomap.device.toolkit.crash;

/** What a crash point is in the recording. */
public enum PointKind {
    /** Right after a flush, or a write durable at completion, completed. */
    BARRIER,
    /** Right before a barrier completed (its writes are still optional). */
    BEFORE_BARRIER,
    /** Right after a workload mark (an fsync-family call had returned). */
    MARK,
    /** Right after a write completed. */
    WRITE_COMPLETION,
    /** After the last recorded event. */
    END
}
