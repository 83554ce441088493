package io.jiomap.cli.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A kernel filesystem on a loop device, driven with the system's xfs_io: the differential oracle of
 * docs/tools.md, "Kernel differential check". Everything it needs (root, losetup, mkfs, xfs_io, mount) is checked up
 * front by {@link #unavailableReason()} so a test can skip with the reason instead of failing on a machine that forbids
 * it.
 */
final class KernelFs implements AutoCloseable {
    private final Path mountPoint;

    private KernelFs(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** Why kernel filesystems cannot be used here, or null when they can. */
    static String unavailableReason(String mkfs) {
        for (String tool : List.of(mkfs, "xfs_io", "mount", "umount", "losetup")) {
            if (which(tool) == null) {
                return tool + " is not installed (.ci/run installs xfsprogs and e2fsprogs)";
            }
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "loop mounts need root; running as " + System.getProperty("user.name");
        }
        if (!Files.exists(Path.of("/dev/loop-control"))) {
            return "no /dev/loop-control: loop devices are not available in this sandbox";
        }
        return null;
    }

    private static Path which(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            for (String d : List.of(dir, "/usr/sbin", "/sbin")) {
                Path p = Path.of(d, tool);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /**
     * Makes a filesystem in a fresh image under {@code dir} with {@code mkfs} (e.g. {@code mkfs.xfs -q -m reflink=1})
     * and loop-mounts it.
     *
     * @throws IOException with the command's output when a step fails (a mount refused by the sandbox included)
     */
    static KernelFs mount(Path dir, long size, String... mkfs) throws IOException {
        Path image = dir.resolve("kernel.img");
        try (var f = java.nio.channels.FileChannel.open(image, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            f.truncate(0);
            f.write(java.nio.ByteBuffer.allocate(1), size - 1);
        }
        List<String> cmd = new ArrayList<>(List.of(mkfs));
        cmd.add(image.toString());
        run(cmd);
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        run(List.of("mount", "-o", "loop", image.toString(), mnt.toString()));
        return new KernelFs(mnt);
    }

    Path path(String name) {
        return mountPoint.resolve(name.startsWith("/") ? name.substring(1) : name);
    }

    /** Runs xfs_io with {@code -f -d} and the commands on {@code file}; returns its stdout. */
    String xfsIo(String file, List<String> commands) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("xfs_io", "-f", "-d"));
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c.replace("$MNT", mountPoint.toString()));
        }
        cmd.add(path(file).toString());
        return run(cmd);
    }

    static String run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish in 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + cmd, e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out.strip());
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        run(List.of("umount", mountPoint.toString()));
    }
}
