package io.jiomap.cli.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.api.fs.MountContext;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.cli.CliRun;
import io.jiomap.cli.Jiomap;
import io.jiomap.cli.command.ExitCode;
import io.jiomap.cli.plugin.Plugins;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageCommandsTest {
    @TempDir
    Path dir;

    @Test
    void mkfsCreatesTheImageAtTheGivenSizeAndReportsWhatItMade() throws Exception {
        Path image = dir.resolve("a.img");

        CliRun run = CliRun.of("mkfs", "--fs=raw", "--size=8m", image.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(Files.size(image)).isEqualTo(8L << 20);
        assertThat(run.out()).contains(image + ": raw on ").contains("8m")
                .containsPattern("block size 512, 16384 blocks");
    }

    @Test
    void mkfsOfAMissingImageWithoutASizeSaysHowToMakeOne() {
        Path image = dir.resolve("missing.img");

        CliRun run = CliRun.of("mkfs", "--fs=raw", image.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(run.err()).contains("ENOENT").contains(image + " does not exist").contains("--size");
        assertThat(image).doesNotExist();
    }

    @Test
    void mkfsRefusesOptionsTheFilesystemDoesNotKnow() {
        CliRun run = CliRun.of("mkfs", "--fs=raw", "--size=1m", "-o", "colour=blue", dir.resolve("b.img").toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(run.err()).contains("EINVAL").contains("colour");
    }

    @Test
    void theImagePathCannotAlsoBeGivenInTheDeviceSpec() {
        CliRun run = CliRun.of("mkfs", "--fs=raw", "--size=1m", "--device=file:path=/etc/passwd",
                dir.resolve("c.img").toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("leave path= out of --device");
    }

    @Test
    void fsckOfAnImageNoInstalledTypeRecognisesNamesTheTypesTried() throws Exception {
        Path image = dir.resolve("blank.img");
        CliRun.of("mkfs", "--fs=raw", "--size=1m", image.toString());

        CliRun run = CliRun.of("fsck", image.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(run.err()).contains("holds no filesystem that an installed type recognises (tried ext4-like, raw, xfs-like)");
    }

    @Test
    void fsckOfACleanFilesystemExitsZeroAndSaysWhatItChecked() {
        Path image = dir.resolve("raw.img");
        CliRun.of("mkfs", "--fs=raw", "--size=1m", image.toString());

        CliRun run = CliRun.of("fsck", "--fs=raw", image.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("checked: raw has no metadata").endsWith(image + ": clean\n");
    }

    @Test
    void fsckFindsTheTypeFromTheSuperblockAndExitsNonZeroListingEachProblem() {
        Path image = dir.resolve("bad.img");
        CliRun.of("mkfs", "--fs=raw", "--size=1m", image.toString());
        Plugins plugins = withType(new Broken());

        StringWriter out = new StringWriter();
        int code = Jiomap.run(new String[] {"fsck", image.toString()}, plugins, new PrintWriter(out),
                new PrintWriter(new StringWriter()));

        assertThat(code).isEqualTo(ExitCode.FAILURE);
        assertThat(out.toString()).contains(image + ": broken")
                .contains("PROBLEM: block 7 is owned by inode 12 and by the free-space index")
                .contains("PROBLEM: free block count 10 in the superblock, 9 counted")
                .endsWith(image + ": 2 problems\n");
    }

    private static Plugins withType(FileSystemType extra) {
        Plugins base = CliRun.plugins();
        return new Plugins() {
            @Override
            public List<BlockDeviceProvider> deviceProviders() {
                return base.deviceProviders();
            }

            @Override
            public List<FileSystemType> fileSystemTypes() {
                List<FileSystemType> all = new ArrayList<>(base.fileSystemTypes());
                all.add(extra);
                return all;
            }
        };
    }

    /** A type that claims every device and always finds the same two problems. */
    private static final class Broken implements FileSystemType {
        @Override
        public String name() {
            return "broken";
        }

        @Override
        public String description() {
            return "finds problems";
        }

        @Override
        public void mkfs(BlockDevice device, Map<String, String> options) {
        }

        @Override
        public FileSystem mount(BlockDevice device, MountContext context) {
            throw new IllegalStateException("fsck must not mount");
        }

        @Override
        public boolean probe(BlockDevice device) {
            return true;
        }

        @Override
        public FsckReport fsck(BlockDevice device, Map<String, String> options) {
            return new FsckReport("broken", List.of("block 7 is owned by inode 12 and by the free-space index",
                    "free block count 10 in the superblock, 9 counted"), List.of("everything"));
        }
    }
}
