package io.jiomap.cli.image;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.cli.command.ExitCode;
import io.jiomap.cli.plugin.Plugins;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jiomap fsck}: checks the filesystem in an image without changing it (xfs_repair -n, e2fsck -fn). The type
 * is read from the superblock. Exit status 0 only when the filesystem is clean; 1 when problems were found or the
 * check could not run; 2 for a usage error.
 */
@Command(name = "fsck", mixinStandardHelpOptions = true,
        description = "Checks the filesystem in an image, read-only; exit 0 only when clean.")
public final class FsckCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--fs", paramLabel = "TYPE", description = "check as this type instead of the one the superblock names")
    private String fs;

    @Option(names = "--device", paramLabel = "TYPE[:key=value,...]",
            description = "open the image behind a device model (default: the file device)")
    private String device;

    @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE", description = "fsck option of the filesystem type, repeatable")
    private Map<String, String> options = new LinkedHashMap<>();

    @Parameters(index = "0", paramLabel = "IMAGE", description = "the image file")
    private Path image;

    private final Plugins plugins;

    public FsckCommand(Plugins plugins) {
        this.plugins = plugins;
    }

    @Override
    public Integer call() throws JiomapException {
        PrintWriter out = spec.commandLine().getOut();
        FsckReport report;
        try (BlockDevice dev = ImageDevice.open(plugins, device, image, -1)) {
            FileSystemType type = ImageDevice.detect(plugins, dev, fs, image);
            report = type.fsck(dev, options);
        }
        print(out, image.toString(), report);
        out.flush();
        return report.clean() ? 0 : ExitCode.FAILURE;
    }

    /** The report as a person reads it: what was checked, each problem, and the verdict last. */
    public static void print(PrintWriter out, String what, FsckReport report) {
        out.println(what + ": " + report.fsType());
        for (String line : report.summary()) {
            out.println("  checked: " + line);
        }
        for (String problem : report.problems()) {
            out.println("  PROBLEM: " + problem);
        }
        out.println(report.clean() ? what + ": clean"
                : what + ": " + report.problems().size() + (report.problems().size() == 1 ? " problem" : " problems"));
    }
}
