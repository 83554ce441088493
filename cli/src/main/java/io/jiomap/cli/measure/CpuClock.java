package io.jiomap.cli.measure;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time of the whole process and of the calling thread. Both are reported because they answer different
 * questions: the process time includes the device's completion thread and the completion workqueue, which is where
 * the workqueue mode spends its extra cost; the thread time is what the issuing thread itself paid.
 */
public final class CpuClock {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private CpuClock() {
    }

    /** CPU time of the process in nanoseconds (user + system, all threads). */
    public static long processCpuNanos() {
        return OS.getProcessCpuTime();
    }

    /** CPU time of the calling thread in nanoseconds (user + system). */
    public static long threadCpuNanos() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** User-mode CPU time of the calling thread in nanoseconds. */
    public static long threadUserNanos() {
        return THREADS.getCurrentThreadUserTime();
    }
}
