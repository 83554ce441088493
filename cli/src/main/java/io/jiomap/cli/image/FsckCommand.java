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
 * {@code jiomap fsck}: checks the filesystem in an image, or on the device {@code --device} names when no image is
 * given, without changing it (xfs_repair -n, e2fsck -fn). The type
 * is read from the superblock. Exit status 0 only when the filesystem is clean; 1 when problems were found or the
 * check could not run; 2 for a usage error.
 */
@Command(name = "fsck", mixinStandardHelpOptions = true,
        description = "Checks the filesystem in an image, or on the device --device names when no IMAGE is given,"
                + " read-only; exit 0 only when clean.")
public final class FsckCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--fs", paramLabel = "TYPE", description = "check as this type instead of the one the superblock names")
    private String fs;

    @Option(names = "--device", paramLabel = "TYPE[:key=value,...]",
            description = "open the image behind a device model (default: the file device); without IMAGE, the device"
                    + " itself, e.g. 'nbd:uri=nbd+unix:///?socket=/tmp/disk.sock'")
    private String device;

    @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE", description = "fsck option of the filesystem type, repeatable")
    private Map<String, String> options = new LinkedHashMap<>();

    @Parameters(index = "0", arity = "0..1", paramLabel = "IMAGE",
            description = "the image file; left out when --device names the whole device")
    private Path image;

    private final Plugins plugins;

    public FsckCommand(Plugins plugins) {
        this.plugins = plugins;
    }

    @Override
    public Integer call() throws JiomapException {
        PrintWriter out = spec.commandLine().getOut();
        FsckReport report;
        String what = ImageDevice.label(device, image);
        try (BlockDevice dev = ImageDevice.open(plugins, device, image, -1)) {
            FileSystemType type = ImageDevice.detect(plugins, dev, fs, what);
            report = type.fsck(dev, options);
        }
        print(out, what, report);
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
