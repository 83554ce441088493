/**
 * The {@code faulty} filesystem type: any other filesystem type with faults injected on request. A plugin that
 * depends on the jiomap api only and exports nothing; it finds the types it wraps as OSGi services or, on plain
 * Java, with {@link java.util.ServiceLoader}.
 */
// tag::faulty-module[]
module io.jiomap.fs.faulty {
    requires io.jiomap.api;
    requires static osgi.core;

    uses io.jiomap.api.fs.FileSystemType;
    provides io.jiomap.api.fs.FileSystemType with io.jiomap.fs.faulty.FaultyFileSystemType;
}
// end::faulty-module[]
