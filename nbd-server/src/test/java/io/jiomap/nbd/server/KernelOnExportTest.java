package io.jiomap.nbd.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel on jiomap: nbdfuse turns the export into a file, a loop device goes over it, and the kernel's own ext4
 * is made, mounted, written, unmounted and checked clean on it.
 */
@Timeout(300)
class KernelOnExportTest {
    @TempDir
    Path dir;

    @Test
    void kernelExt4OnALoopDeviceOverNbdfuseIsCleanAfterUse() throws Exception {
        Peer.require("nbdfuse", "libnbd-bin");
        Peer.require("fusermount3", "fuse3");
        Peer.require("losetup", "mount");
        Peer.require("mkfs.ext4", "e2fsprogs");
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is missing: no FUSE on this machine");
        assumeTrue("root".equals(System.getProperty("user.name")), "loop devices and mount need root");
        Path fuse = Files.createDirectory(dir.resolve("fuse"));
        Path mnt = Files.createDirectory(dir.resolve("mnt"));
        Path pid = dir.resolve("nbdfuse.pid");
        byte[] data = new byte[3 << 20];
        new Random(7).nextBytes(data);
        try (ServedExport e = ServedExport.device("memory:size=128m,lbs=512,pbs=4096,vwc=1", dir, "k", false)) {
            Process nbdfuse = new ProcessBuilder("nbdfuse", "-P", pid.toString(), fuse.toString(), e.uri())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("nbdfuse.log").toFile()).start();
            String loop = null;
            boolean mounted = false;
            try {
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(pid)
                        || !nbdfuse.isAlive());
                assertThat(nbdfuse.isAlive()).as("nbdfuse: " + Files.readString(dir.resolve("nbdfuse.log")))
                        .isTrue();
                Path image = fuse.resolve("nbd");
                assertThat(Files.size(image)).isEqualTo(128L << 20);
                Peer.Run attach = Peer.run(30, "losetup", "--find", "--show", image.toString());
                assumeTrue(attach.exit() == 0, "no loop device could be attached: " + attach.output());
                loop = attach.output().strip();
                Peer.ok(120, "mkfs.ext4", "-F", "-q", loop);
                Peer.ok(30, "mount", loop, mnt.toString());
                mounted = true;
                Files.write(mnt.resolve("data"), data);
                Peer.ok(60, "sync", "-f", mnt.resolve("data").toString());
                Peer.ok(60, "umount", mnt.toString());
                mounted = false;
                Peer.ok(30, "mount", "-o", "ro", loop, mnt.toString());
                mounted = true;
                assertThat(Files.readAllBytes(mnt.resolve("data"))).isEqualTo(data);
                Peer.ok(60, "umount", mnt.toString());
                mounted = false;
                String fsck = Peer.ok(120, "e2fsck", "-fn", loop);
                assertThat(fsck).doesNotContain("UNEXPECTED", "Fix?", "corrupt");
            } finally {
                if (mounted) {
                    Peer.run(60, "umount", "-l", mnt.toString());
                }
                if (loop != null) {
                    Peer.run(60, "losetup", "-d", loop);
                }
                Peer.run(60, "fusermount3", "-u", fuse.toString());
                if (!nbdfuse.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    nbdfuse.destroyForcibly().waitFor();
                }
            }
        }
    }
}
