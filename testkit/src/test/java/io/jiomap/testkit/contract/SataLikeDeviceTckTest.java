package io.jiomap.testkit.contract;

/** The block device contract on sata-like, whose FLUSH CACHE is not queued: the one override it needs. */
class SataLikeDeviceTckTest extends DeviceTck {
    SataLikeDeviceTckTest() {
        super("sata-like");
    }

    @Override
    protected boolean flushesAreNotQueued() {
        return true;
    }
}
