/**
 * The jiomap engine: the generic direct-I/O path, the block layer's flush policy, the completion workqueue and the
 * io_uring-like issuer. Plugins never see this module; they get what they need through {@code io.jiomap.api}.
 */
module io.jiomap.core {
    requires transitive io.jiomap.api;
    requires org.jctools.core;
    requires static osgi.annotation;

    exports io.jiomap.core;
    exports io.jiomap.core.ring;
    exports io.jiomap.core.trace;
    exports io.jiomap.core.vfs;
}
