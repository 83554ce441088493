package io.jiomap.cli.image;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.cli.command.Converters;
import io.jiomap.cli.format.DeviceContents;
import io.jiomap.cli.format.Formatter;
import io.jiomap.cli.plugin.Plugins;
import io.jiomap.cli.text.Units;
import io.jiomap.core.Mount;
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
 * {@code jiomap mkfs}: writes an empty filesystem into an image file (created or grown to {@code --size}), or onto
 * the device {@code --device} names when no image is given (an {@code nbd} export, a file device's path). As
 * mkfs.xfs, it refuses an image that carries a signature (a jiomap type's, or the kernel's filesystems and partition
 * tables) unless forced, and when forced wipes every signature first, so that only the new type claims the image.
 */
@Command(name = "mkfs", mixinStandardHelpOptions = true,
        description = "Makes a filesystem in an image file, or on the device --device names when no IMAGE is given"
                + " (mkfs.xfs / mkfs.ext4 for jiomap's filesystem types). An image holding a filesystem or partition table is refused unless -f is given.")
public final class MkfsCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--fs", required = true, paramLabel = "TYPE", description = "filesystem type (jiomap filesystems lists them)")
    private String fs;

    @Option(names = "--size", paramLabel = "SIZE", converter = Converters.Size.class,
            description = "create or grow the image to SIZE (k/m/g/t); needed when IMAGE does not exist")
    private Long size;

    @Option(names = "--device", paramLabel = "TYPE[:key=value,...]",
            description = "put the image behind a device model, e.g. nvme-like:queues=2 or sata-like (default: the file"
                    + " device); without IMAGE, the device itself, e.g. 'nbd:uri=nbd+unix:///?socket=/tmp/disk.sock'")
    private String device;

    @Option(names = {"-f", "--force"}, description = "format even an image that holds a filesystem: its signatures"
            + " are wiped first (as mkfs.xfs -f does through wipefs)")
    private boolean force;

    @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE", description = "mkfs option of the filesystem type, repeatable")
    private Map<String, String> options = new LinkedHashMap<>();

    @Parameters(index = "0", arity = "0..1", paramLabel = "IMAGE",
            description = "the image file; left out when --device names the whole device")
    private Path image;

    private final Plugins plugins;

    public MkfsCommand(Plugins plugins) {
        this.plugins = plugins;
    }

    @Override
    public Integer call() throws JiomapException {
        PrintWriter out = spec.commandLine().getOut();
        FileSystemType type = plugins.fileSystemType(fs);
        String what = ImageDevice.label(device, image);
        try (BlockDevice dev = ImageDevice.open(plugins, device, image, size == null ? -1 : size)) {
            if (!force) {
                DeviceContents contents = DeviceContents.inspect(dev, plugins.fileSystemTypes());
                if (!contents.signatures().isEmpty()) {
                    throw new JiomapException(Errno.EEXIST, what + " holds " + contents.describe()
                            + "; mkfs does not write over it unless forced: -f wipes "
                            + (contents.signatures().size() == 1 ? "it" : "them") + " and makes a new " + type.name()
                            + " filesystem");
                }
            }
            Formatter.format(type, dev, options, plugins.fileSystemTypes(), line -> out.println("wiped: " + line));
            // Mounting what was just written proves it mounts and gives the numbers a person wants to see.
            FsStat st;
            try (Mount mount = Mount.mount(type, dev, Mount.Options.defaults())) {
                st = mount.fileSystem().statfs();
            }
            var caps = dev.capabilities();
            out.printf("%s: %s on %s (%s, logical block %d)%n", what, type.name(), dev.name(),
                    Units.size(caps.capacityBytes()), caps.logicalBlockSize());
            out.printf("block size %d, %d blocks, %d free (%s), inodes %d, %d free%n", st.blockSize(),
                    st.totalBlocks(), st.freeBlocks(), Units.size(st.freeBlocks() * st.blockSize()),
                    st.totalInodes(), st.freeInodes());
        }
        out.flush();
        return 0;
    }
}
