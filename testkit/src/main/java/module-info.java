/**
 * The jiomap test kit: a JUnit 5 extension that runs a test over every (filesystem, device) pair found on the test
 * class path ({@link java.util.ServiceLoader}), with fault injection, power cuts, crash states and Awaitility hooks a
 * line away, and the TCK and the device contract as one-class suites ({@code contract}).
 */
module io.jiomap.testkit {
    requires transitive io.jiomap.api;
    requires transitive io.jiomap.core;
    requires transitive io.jiomap.tck;
    requires transitive io.jiomap.device.toolkit;
    requires transitive io.jiomap.crash;
    requires transitive org.junit.jupiter.api;
    requires transitive awaitility;
    requires static osgi.annotation;

    uses io.jiomap.api.fs.FileSystemType;
    uses io.jiomap.api.block.BlockDeviceProvider;

    exports io.jiomap.testkit;
    exports io.jiomap.testkit.contract;
}
