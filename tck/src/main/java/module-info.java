/**
 * The jiomap direct-I/O contract as reusable JUnit 5 tests: a plugin's test extends
 * {@link io.jiomap.tck.DioContractTest} with a {@link io.jiomap.tck.TckFixture} saying how to open its device and
 * mount its filesystem. It also ships the tools the contract observes the engine with ({@code observe}) and a
 * scriptable filesystem and block device ({@code scripted}) that produce every mapping and device behaviour the
 * test vectors need (docs/dio-contract.md, "Test vectors").
 */
module io.jiomap.tck {
    requires transitive io.jiomap.core;
    requires transitive org.junit.jupiter.api;
    requires org.assertj.core;
    requires transitive awaitility;
    requires static osgi.annotation;

    exports io.jiomap.tck;
    exports io.jiomap.tck.device;
    exports io.jiomap.tck.matrix;
    exports io.jiomap.tck.observe;
    exports io.jiomap.tck.scripted;
}
