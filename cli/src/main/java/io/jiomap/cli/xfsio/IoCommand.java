package io.jiomap.cli.xfsio;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.cli.image.ImageDevice;
import io.jiomap.cli.plugin.Plugins;
import io.jiomap.core.Mount;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jiomap io IMAGE [-f] [-d] -c CMD [-c CMD ...] PATH}: xfs_io for a file inside the filesystem in an image.
 * The image is mounted (recovery runs if it needs to), the commands run in order, and the filesystem is unmounted,
 * which makes everything durable as umount(8) does.
 */
@Command(name = "io", mixinStandardHelpOptions = true,
        description = "Runs xfs_io commands on a file inside the filesystem in an image.",
        footer = {"", "Commands: open, close, pwrite, pread, falloc, fpunch, fzero, fcollapse, finsert, funshare, truncate, fsync, fdatasync, sync,"
                + " reflink, fiemap, stat, statfs, help, quit (as in xfs_io; -c help lists their options)."})
public final class IoCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "-f", description = "create PATH if it does not exist")
    private boolean create;

    @Option(names = "-d", description = "O_DIRECT: requests go to the direct path as they are (aligned)")
    private boolean direct;

    @Option(names = "-D", description = "O_DSYNC")
    private boolean dsync;

    @Option(names = "-s", description = "O_SYNC")
    private boolean sync;

    @Option(names = "-r", description = "read-only")
    private boolean readOnly;

    @Option(names = "-c", paramLabel = "CMD", description = "a command, repeatable; run in order")
    private List<String> commands = new ArrayList<>();

    @Option(names = "--fs", paramLabel = "TYPE", description = "mount as this type instead of the one the superblock names")
    private String fs;

    @Option(names = "--device", paramLabel = "TYPE[:key=value,...]",
            description = "open the image behind a device model (default: the file device)")
    private String device;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "the image file")
    private Path image;

    @Parameters(index = "1", paramLabel = "PATH", description = "the file inside the filesystem, e.g. /data")
    private String path;

    private final Plugins plugins;

    public IoCommand(Plugins plugins) {
        this.plugins = plugins;
    }

    @Override
    public Integer call() throws JiomapException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (BlockDevice dev = ImageDevice.open(plugins, device, image, -1)) {
            FileSystemType type = ImageDevice.detect(plugins, dev, fs, image);
            int code;
            try (Mount mount = Mount.mount(type, dev, Mount.Options.defaults());
                 XfsIo io = new XfsIo(mount, out, err)) {
                List<String> open = new ArrayList<>();
                for (var flag : List.of(create ? "-f" : "", direct ? "-d" : "", dsync ? "-D" : "", sync ? "-s" : "",
                        readOnly ? "-r" : "")) {
                    if (!flag.isEmpty()) {
                        open.add(flag);
                    }
                }
                open.add(path);
                io.open(open);
                for (String c : commands) {
                    io.run(c);
                }
                code = io.exitCode();
            }
            return code;
        }
    }
}
