package io.jiomap.testkit.contract;

/** The block device contract on the memory device plugin, found by name, in the one-class form. */
// tag::testkit-device-tck[]
class MemoryDeviceTckTest extends DeviceTck {
    MemoryDeviceTckTest() {
        super("memory");
    }
}
// end::testkit-device-tck[]
