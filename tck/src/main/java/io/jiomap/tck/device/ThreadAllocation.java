package io.jiomap.tck.device;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The JVM's per-thread allocation counter ({@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes}), for
 * tests that prove a hot path allocates nothing per I/O: exact, not timed. Reached reflectively so that neither this
 * module nor a device module has to read java.management; the exact-typed handle adds no allocation of its own.
 */
public final class ThreadAllocation {
    private static final MethodHandle ALLOCATED_BYTES;

    static {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                    .invoke(null);
            Class<?> beanType = Class.forName("com.sun.management.ThreadMXBean");
            ALLOCATED_BYTES = MethodHandles.publicLookup()
                    .findVirtual(beanType, "getThreadAllocatedBytes", MethodType.methodType(long.class, long.class))
                    .bindTo(bean);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private ThreadAllocation() {
    }

    /** Bytes the thread has allocated on the heap since it started. */
    public static long allocatedBytes(Thread thread) {
        try {
            return (long) ALLOCATED_BYTES.invokeExact(thread.threadId());
        } catch (Throwable e) {
            throw new IllegalStateException("the JVM's per-thread allocation counter failed", e);
        }
    }
}
