package io.jiomap.device.model;

/**
 * What a device type is, as opposed to how one device of it is configured.
 *
 * @param type              the type name on the command line, e.g. {@code nvme-like}
 * @param namePrefix        the prefix of device names, e.g. {@code nvme} for {@code nvme0}
 * @param maxQueues         the most hardware queues; 1 means the type has one queue and no {@code queues} option
 * @param defaultQueues     queues when the option is not given
 * @param maxQueueDepth     the deepest queue (NVMe's driver default 1024, SATA's NCQ 32)
 * @param fuaWithCache      whether a device with a volatile cache honours FUA (NVMe sets WC and FUA together from
 *                          the VWC bit; libata advertises no FUA by default: docs/devices.md, "NVMe-like", "SATA-like")
 * @param flushDrainsQueue  whether FLUSH is a non-queued command the queue drains around (SATA's FLUSH CACHE)
 * @param defaultFlushNanos the flush latency when {@code flush-latency} is not given
 * @param maxPollQueues     the most poll queues ({@code poll-queues}); 0: the type cannot poll and has no such option
 */
public record DeviceProfile(String type, String namePrefix, int maxQueues, int defaultQueues, int maxQueueDepth,
                            boolean fuaWithCache, boolean flushDrainsQueue, long defaultFlushNanos,
                            int maxPollQueues) {
    public DeviceProfile {
        if (maxQueues < 1 || defaultQueues < 1 || defaultQueues > maxQueues || maxQueueDepth < 1
                || maxPollQueues < 0) {
            throw new IllegalArgumentException("impossible queue geometry for " + type);
        }
    }

    /** A profile without poll queues. */
    public DeviceProfile(String type, String namePrefix, int maxQueues, int defaultQueues, int maxQueueDepth,
                         boolean fuaWithCache, boolean flushDrainsQueue, long defaultFlushNanos) {
        this(type, namePrefix, maxQueues, defaultQueues, maxQueueDepth, fuaWithCache, flushDrainsQueue,
                defaultFlushNanos, 0);
    }

    /** Whether devices of this type can have poll queues. */
    public boolean canPoll() {
        return maxPollQueues > 0;
    }

    public boolean multiQueue() {
        return maxQueues > 1;
    }
}
