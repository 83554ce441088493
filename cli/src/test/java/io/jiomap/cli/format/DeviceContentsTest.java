package io.jiomap.cli.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.cli.CliRun;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What counts as blank, and what the kernel's signatures are called. */
class DeviceContentsTest {
    private static final long SIZE = 8L << 20;

    @TempDir
    Path dir;

    private DeviceContents inspect(Path image) throws Exception {
        try (BlockDevice dev = CliRun.plugins().deviceProvider("file")
                .open(new DeviceSpec("file", Map.of("path", image.toString())))) {
            return DeviceContents.inspect(dev, CliRun.plugins().fileSystemTypes());
        }
    }

    private Path zeroImage() {
        Path image = dir.resolve("z.img");
        Images.mkfs(image, "raw", "8m");
        return image;
    }

    @Test
    void aFreshMemoryDeviceAndANewImageAreBlank() throws Exception {
        try (BlockDevice dev = CliRun.plugins().deviceProvider("memory")
                .open(new DeviceSpec("memory", Map.of("size", "8m")))) {
            assertThat(DeviceContents.inspect(dev, CliRun.plugins().fileSystemTypes()).blank()).isTrue();
        }
        assertThat(inspect(zeroImage()).blank()).isTrue();
    }

    @Test
    void aNonZeroByteInTheFirstOrLastMibIsNotBlankAndOneInBetweenIsNotLookedAt() throws Exception {
        Path image = zeroImage();
        Images.poke(image, SIZE / 2, (byte) 7);
        assertThat(inspect(image).blank()).as("the middle is not read").isTrue();

        Images.poke(image, SIZE - (1 << 20), (byte) 7);
        assertThat(inspect(image).firstNonZero()).isEqualTo(SIZE - (1 << 20));

        Images.poke(image, (1 << 20) - 1, (byte) 7);
        DeviceContents contents = inspect(image);
        assertThat(contents.blank()).isFalse();
        assertThat(contents.signatures()).isEmpty();
        assertThat(contents.firstNonZero()).isEqualTo((1 << 20) - 1);
    }

    @Test
    void partitionTablesAndSwapAreNamedForWhatTheyAre() throws Exception {
        Path image = zeroImage();
        Images.poke(image, 510, (byte) 0x55, (byte) 0xAA);
        Images.poke(image, 512, "EFI PART".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Images.poke(image, 4086, "SWAPSPACE2".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

        assertThat(inspect(image).describe()).isEqualTo("a swap area and a gpt partition table and a dos"
                + " partition table or boot sector");
    }

    @Test
    void anExt4LikeFilesystemIsClaimedByItsTypeAloneThoughItCarriesExtsMagic() throws Exception {
        Path image = dir.resolve("e.img");
        Images.mkfs(image, "ext4-like", "64m");

        assertThat(inspect(image).signatures()).singleElement().satisfies(s -> {
            assertThat(s.type()).isEqualTo("ext4-like");
            assertThat(s.offset()).isEqualTo(1080);
            assertThat(s.sizeBytes()).isEqualTo(64L << 20);
        });
    }
}
