/**
 * The shared model of jiomap's modelled block devices. A library, not a bundle: the device bundles embed its package
 * privately (bnd {@code -conditionalpackage}), so at runtime each has its own copy and none imports it.
 */
module io.jiomap.device.model {
    requires transitive io.jiomap.api;
    requires static transitive osgi.core;
    requires static osgi.annotation;

    exports io.jiomap.device.model;
}
