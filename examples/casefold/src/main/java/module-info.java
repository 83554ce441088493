/**
 * The {@code casefold} filesystem type: any other filesystem type with case-insensitive names. A plugin that depends on
 * the jiomap api only and exports nothing.
 */
// tag::casefold-module[]
module org.example.jiomap.casefold {
    requires io.jiomap.api;
    requires static osgi.core;

    // It finds the type it wraps with ServiceLoader outside OSGi: without this line that lookup fails on the module
    // path with a ServiceConfigurationError.
    uses io.jiomap.api.fs.FileSystemType;
    provides io.jiomap.api.fs.FileSystemType with org.example.jiomap.casefold.CasefoldFileSystemType;
}
// end::casefold-module[]
