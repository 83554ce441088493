/**
 * The ramdisk device type of EXTENDING.md. Exports nothing: it is reached only as a
 * {@link io.jiomap.api.block.BlockDeviceProvider} service, through {@link java.util.ServiceLoader} (the provides
 * below, or META-INF/services on a class path) or as an OSGi service its activator registers.
 */
// tag::ramdisk-module[]
module org.example.jiomap.ramdisk {
    requires io.jiomap.api;
    requires static osgi.core;

    provides io.jiomap.api.block.BlockDeviceProvider with org.example.jiomap.ramdisk.RamDiskProvider;
}
// end::ramdisk-module[]
