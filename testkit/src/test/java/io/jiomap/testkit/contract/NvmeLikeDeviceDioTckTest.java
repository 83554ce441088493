package io.jiomap.testkit.contract;

/** The direct-I/O contract with the scripted filesystem on nvme-like devices opened through the generic factory. */
// tag::testkit-device-dio-tck[]
class NvmeLikeDeviceDioTckTest extends DeviceDioTck {
    NvmeLikeDeviceDioTckTest() {
        super("nvme-like");
    }
}
// end::testkit-device-dio-tck[]
