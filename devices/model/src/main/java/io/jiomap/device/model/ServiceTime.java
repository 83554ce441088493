package io.jiomap.device.model;

/**
 * The service-time model of a device: what one command costs before the device may complete it.
 *
 * @param latencyNanos      fixed cost of a read, write or discard command (a discard moves no data)
 * @param flushLatencyNanos fixed cost of a FLUSH command (writing the cache back to media)
 * @param bytesPerSecond    transfer rate of one queue; 0 means transfers take no time
 */
public record ServiceTime(long latencyNanos, long flushLatencyNanos, long bytesPerSecond) {
    /** No model: commands complete as soon as their data has moved. */
    public static final ServiceTime NONE = new ServiceTime(0, 0, 0);

    public ServiceTime {
        if (latencyNanos < 0 || flushLatencyNanos < 0 || bytesPerSecond < 0) {
            throw new IllegalArgumentException("service times and bandwidth must not be negative");
        }
    }

    /** Whether every command is free, so the device need not even read the clock. */
    public boolean isNone() {
        return latencyNanos == 0 && flushLatencyNanos == 0 && bytesPerSecond == 0;
    }

    /** Time to move {@code length} bytes at the modelled bandwidth, rounded up. */
    public long transferNanos(int length) {
        if (bytesPerSecond == 0 || length == 0) {
            return 0;
        }
        return Math.ceilDiv(length * 1_000_000_000L, bytesPerSecond);
    }
}
