package io.jiomap.testkit.contract;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.tck.FsFeature;
import io.jiomap.testkit.Installed;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Declaring a feature the API cannot arrange is refused up front instead of failing tests one by one. */
class UnarrangeableFeatureTest {
    @Test
    void dirtyMappingsCannotBeArrangedThroughTheApi() {
        assertThatThrownBy(() -> new ApiArrangedFs(Installed.fileSystemType("raw"),
                Set.of(FsFeature.DIRTY_MAPPINGS, FsFeature.FALLOCATE), Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DIRTY_MAPPINGS").hasMessageContaining("FileSystemUnderTest");
    }

    @Test
    void aFileSystemTypeNotInstalledIsNamedWithTheInstalledOnes() {
        assertThatThrownBy(() -> Installed.fileSystemType("xfs-lik"))
                .hasMessageContaining("'xfs-lik' is not installed; installed: raw, scripted");
    }
}
