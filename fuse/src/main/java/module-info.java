/**
 * The FUSE bridge: serves a filesystem mounted through the jiomap engine to the Linux kernel over {@code /dev/fuse},
 * speaking the kernel's FUSE protocol directly in Java (FFM downcalls only, no upcalls), each worker thread an issuer
 * of its own {@link io.jiomap.core.ring.IoRing}.
 */
module io.jiomap.fuse {
    requires transitive io.jiomap.api;
    requires transitive io.jiomap.core;
    requires static jdk.unsupported;
    requires static osgi.annotation;

    exports io.jiomap.fuse;
}
