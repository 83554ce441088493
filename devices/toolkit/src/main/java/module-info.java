/**
 * Test tooling over any {@link io.jiomap.api.block.BlockDevice}: fault injection ({@code fault}), write recording
 * ({@code record}) and crash states generated from a recording ({@code crash}). A library: it exports its packages
 * and registers no service.
 */
module io.jiomap.device.toolkit {
    requires transitive io.jiomap.api;
    requires static osgi.annotation;

    exports io.jiomap.device.toolkit.fault;
    exports io.jiomap.device.toolkit.record;
    exports io.jiomap.device.toolkit.crash;
}
