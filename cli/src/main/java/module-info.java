/**
 * The jiomap command line: {@code jiomap bench} (the seed's completion-mode table), {@code jiomap fio} (a
 * fio-compatible job runner), {@code jiomap mount} (FUSE), {@code jiomap serve nbd}, the image commands, {@code jiomap
 * devices} and {@code jiomap filesystems}. It runs inside Felix (see {@code io.jiomap.cli.shell.CliActivator}) or as
 * plain Java ({@code io.jiomap.cli.Jiomap}); it exports nothing. Inside Felix it also offers the Gogo commands of
 * {@code jiomap shell} ({@code io.jiomap.cli.shell}). {@code io.jiomap.cli.report} turns results into results.json,
 * charts and an HTML page; {@code io.jiomap.cli.jfr} holds its flight-recorder events. The root package composes the
 * commands; {@code io.jiomap.cli.command} holds what every command shares, so no command package depends on the root.
 */
module io.jiomap.cli {
    requires io.jiomap.api;
    requires io.jiomap.core;
    requires io.jiomap.crash;
    requires io.jiomap.nbd.server;
    requires io.jiomap.device.nbd;
    requires io.jiomap.fuse;
    requires info.picocli;
    // static: the bundle carries its own copy of the HdrHistogram classes (see pom.xml), so at run time they come
    // from this module; the HdrHistogram jar is needed only to compile.
    requires static HdrHistogram;
    // static for the same reason: the report's PNG charts use XChart classes carried in this bundle. The name is the
    // automatic one of xchart-VERSION.jar, which declares none.
    requires static xchart;
    requires java.desktop;
    requires jdk.jfr;
    requires java.management;
    requires jdk.management;
    requires static osgi.core;
    requires static osgi.annotation;

    uses io.jiomap.api.block.BlockDeviceProvider;
    uses io.jiomap.api.fs.FileSystemType;

    // picocli fills the annotated command fields reflectively.
    opens io.jiomap.cli to info.picocli;
    opens io.jiomap.cli.bench to info.picocli;
    opens io.jiomap.cli.fio to info.picocli;
    opens io.jiomap.cli.command to info.picocli;
    opens io.jiomap.cli.crashtest to info.picocli;
    opens io.jiomap.cli.image to info.picocli;
    opens io.jiomap.cli.xfsio to info.picocli;
    opens io.jiomap.cli.serve to info.picocli;
    opens io.jiomap.cli.mount to info.picocli;
}
