package org.example.jiomap.casefold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.testkit.JiomapTest;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** What the options mean, and what a mistake in them is told. */
class CasefoldOptionsTest {
    private final CasefoldFileSystemType type = new CasefoldFileSystemType();

    @Test
    void theTypeIsFoundWithServiceLoaderUnderItsName() {
        assertThat(ServiceLoader.load(FileSystemType.class).stream().map(p -> p.get().name()))
                .contains(CasefoldFileSystemType.NAME);
    }

    @Test
    void aFreshFilesystemForAMountIsMadeOverTheTypeTheMountNames() {
        assertThat(type.mkfsOptionsFor(Map.of("over", "ext4-like", "inner.foo", "bar")))
                .isEqualTo(Map.of("over", "ext4-like"));
        assertThat(type.mkfsOptionsFor(Map.of())).isEmpty();
    }

    @Test
    void withoutOverTheOptionsAreRefusedSayingWhatIsNeeded() {
        assertThatThrownBy(() -> CasefoldOptions.parse(Map.of()))
                .isInstanceOfSatisfying(JiomapException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EINVAL);
                    assertThat(e.getMessage()).contains("over=TYPE");
                });
    }

    @Test
    void anUnknownOptionIsRefusedByName() {
        assertThatThrownBy(() -> CasefoldOptions.parse(Map.of("over", "raw", "lowercase", "yes")))
                .isInstanceOfSatisfying(JiomapException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EINVAL);
                    assertThat(e.getMessage()).contains("[lowercase]");
                });
    }

    @Test
    void innerOptionsGoToTheWrappedTypeWithoutTheirPrefix() throws JiomapException {
        assertThat(CasefoldOptions.parse(Map.of("over", "xfs-like", "inner.agcount", "4")).innerOptions())
                .isEqualTo(Map.of("agcount", "4"));
    }

    @JiomapTest(fs = "raw", devices = "memory")
    void aTypeThatIsNotInstalledIsRefusedNamingTheInstalledOnes(io.jiomap.api.block.BlockDevice device) {
        assertThatThrownBy(() -> type.mkfs(device, Map.of("over", "zfs")))
                .isInstanceOfSatisfying(JiomapException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.ENODEV);
                    assertThat(e.getMessage()).contains("over=zfs").contains("ext4-like").contains("raw")
                            .doesNotContain(CasefoldFileSystemType.NAME + ",");
                });
    }
}
