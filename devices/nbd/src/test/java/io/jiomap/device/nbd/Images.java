package io.jiomap.device.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Disk images for the servers, made by qemu-img (skipped where it is not installed). */
final class Images {
    private Images() {
    }

    /** A fresh, empty qcow2 image of {@code size} bytes in {@code dir}. */
    static Path qcow2(Path dir, long size) {
        NbdPeer.assumeInstalled("qemu-img", "qemu-utils");
        try {
            Path image = Files.createTempFile(dir, "disk-", ".qcow2");
            Files.delete(image);
            Process p = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", image.toString(),
                    Long.toString(size)).redirectErrorStream(true).start();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("qemu-img create ended").isTrue();
            assertThat(p.exitValue()).as("qemu-img create: %s", new String(p.getInputStream().readAllBytes()))
                    .isZero();
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
