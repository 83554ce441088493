package io.jiomap.cli.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.cli.CliRun;
import io.jiomap.cli.image.ImageDevice;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Test helpers for image files: a file written into the filesystem an image holds, read back, raw bytes poked. */
public final class Images {
    /** The size of the file {@link #writeFile} writes. */
    public static final int FILE_BYTES = 256 << 10;

    private Images() {
    }

    /** Makes a {@code fs} filesystem of {@code size} in a new image, through {@code jiomap mkfs}. */
    public static void mkfs(Path image, String fs, String size) {
        CliRun run = CliRun.of("mkfs", "--fs=" + fs, "--size=" + size, image.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
    }

    /** Writes {@link #FILE_BYTES} bytes of {@code pattern} to {@code path} in the image's {@code fs} filesystem. */
    public static void writeFile(Path image, String fs, String path, byte pattern) throws JiomapException {
        try (BlockDevice dev = ImageDevice.open(CliRun.plugins(), null, image, -1);
             Mount mount = Mount.mount(CliRun.plugins().fileSystemType(fs), dev, Mount.Options.defaults());
             Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(FILE_BYTES, 4096);
            buf.fill(pattern);
            OpenFile f = mount.open(path, OpenFile.CREATE);
            assertThat(f.pwrite(buf, 0, FILE_BYTES, 0)).isEqualTo(FILE_BYTES);
            f.fsync(false);
        }
    }

    /** Asserts that {@code path} in the image's {@code fs} filesystem holds {@link #writeFile}'s bytes. */
    public static void assertFileHolds(Path image, String fs, String path, byte pattern) throws JiomapException {
        try (BlockDevice dev = ImageDevice.open(CliRun.plugins(), null, image, -1);
             Mount mount = Mount.mount(CliRun.plugins().fileSystemType(fs), dev, Mount.Options.defaults());
             Arena arena = Arena.ofShared()) {
            OpenFile f = mount.open(path, 0);
            assertThat(f.size()).as("size of " + path).isEqualTo(FILE_BYTES);
            MemorySegment buf = arena.allocate(FILE_BYTES, 4096);
            assertThat(f.pread(buf, 0, FILE_BYTES, 0)).isEqualTo(FILE_BYTES);
            for (long i = 0; i < FILE_BYTES; i++) {
                if (buf.get(ValueLayout.JAVA_BYTE, i) != pattern) {
                    throw new AssertionError(path + " byte " + i + " is " + buf.get(ValueLayout.JAVA_BYTE, i)
                            + ", written " + pattern);
                }
            }
        }
    }

    /** Writes raw bytes into the image file at {@code offset}, as another tool would. */
    public static void poke(Path image, long offset, byte... bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), offset);
        }
    }

    /** The raw bytes of the image file at {@code offset}. */
    public static byte[] peek(Path image, long offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            ch.read(b, offset);
        }
        return b.array();
    }
}
