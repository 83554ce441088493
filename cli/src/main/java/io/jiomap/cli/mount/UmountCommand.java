package io.jiomap.cli.mount;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.fuse.ImageLock;
import io.jiomap.fuse.MountTable;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jiomap umount MOUNTPOINT}: unmounts a jiomap FUSE mount and waits until its server has made the image
 * durable and let go of it, so the image can be checked or mounted again right after.
 */
@Command(name = "umount", mixinStandardHelpOptions = true,
        description = "Unmounts a jiomap mount and waits until its image is durable and released.")
public final class UmountCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = {"-l", "--lazy"}, description = "detach now even while programs use it (umount -l)")
    private boolean lazy;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "how long to wait for the server (default 60)")
    private int timeoutSeconds = 60;

    @Parameters(index = "0", paramLabel = "MOUNTPOINT")
    private Path mountpoint;

    @Override
    public Integer call() throws Exception {
        Path mp = mountpoint.toAbsolutePath().normalize();
        String source = MountTable.sourceAt(mp);
        if (!MountTable.isFuseJiomap(mp)) {
            throw new JiomapException(Errno.EINVAL, mp + " is not a jiomap mount"
                    + (MountTable.isMountpoint(mp) ? " (it holds " + MountTable.typeAt(mp) + ")" : ""));
        }
        int r = MountTable.unmount(mp, lazy);
        if (r < 0) {
            throw new JiomapException(-r, "cannot unmount " + mp + ": " + Errno.describe(-r)
                    + (-r == Errno.EBUSY ? " (programs still use it; close them, or jiomap umount --lazy)" : ""));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (source != null && Files.isRegularFile(Path.of(source))
                && !ImageLock.awaitReleased(Path.of(source), Duration.ofSeconds(timeoutSeconds))) {
            throw new JiomapException(Errno.EBUSY, mp + " is unmounted but the server still holds " + source
                    + " after " + timeoutSeconds + " s" + (lazy ? " (programs still use the detached mount)" : ""));
        }
        out.println("jiomap umount: " + mp + " unmounted" + (source != null ? "; " + source + " is released" : ""));
        return 0;
    }
}
