package io.jiomap.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.core.CompletionMode;
import java.util.List;
import org.junit.jupiter.api.Test;

class FuseOptionsTest {
    @Test
    void optionsAreCommaSeparatedRepeatableAndTheLastOneWins() {
        FuseOptions o = FuseOptions.parse(List.of("ro,uid=12,umask=077", "gid=34,rw,completion=workqueue",
                "workers=3,depth=8,allow_other,default_permissions,quiet"));

        assertThat(o.readOnly()).isFalse();
        assertThat(o.uid()).isEqualTo(12);
        assertThat(o.gid()).isEqualTo(34);
        assertThat(o.umask()).isEqualTo(077);
        assertThat(o.completion()).isEqualTo(CompletionMode.WORKQUEUE);
        assertThat(o.workers()).isEqualTo(3);
        assertThat(o.depth()).isEqualTo(8);
        assertThat(o.allowOther()).isTrue();
        assertThat(o.defaultPermissions()).isTrue();
        assertThat(o.quiet()).isTrue();
    }

    @Test
    void theDefaultsAreReadWriteCallerCompletionAndTheFilesystemsOwnership() {
        FuseOptions o = FuseOptions.parse(List.of());

        assertThat(o.readOnly()).isFalse();
        assertThat(o.completion()).isEqualTo(CompletionMode.CALLER);
        assertThat(o.overridesOwnership()).isFalse();
        assertThat(o.uring()).as("/dev/fuse unless -o uring").isFalse();
        assertThat(FuseOptions.parse(List.of("uring")).uring()).isTrue();
    }

    @Test
    void anyOfUidGidAndUmaskOverridesOwnershipWithTheOthersDefaultingToTheMountingUserAndUmask022() {
        FuseOptions o = FuseOptions.parse(List.of("gid=34"));

        assertThat(o.overridesOwnership()).isTrue();
        assertThat(o.reportedGid()).isEqualTo(34);
        assertThat(o.reportedUid()).isEqualTo(Libc.getuid());
        assertThat(o.reportedUmask()).isEqualTo(022);
        assertThat(FuseOptions.parse(List.of("umask=007")).reportedGid()).isEqualTo(Libc.getgid());
    }

    @Test
    void unknownOptionsAndBadValuesAreRefusedNamingThem() {
        assertThatThrownBy(() -> FuseOptions.parse(List.of("ro,colour=blue,size=3")))
                .hasMessageContaining("colour=blue, size=3").hasMessageContaining("known:");
        assertThatThrownBy(() -> FuseOptions.parse(List.of("umask=9")))
                .hasMessageContaining("umask=9").hasMessageContaining("octal");
        assertThatThrownBy(() -> FuseOptions.parse(List.of("uid")))
                .hasMessageContaining("uid needs a value");
        assertThatThrownBy(() -> FuseOptions.parse(List.of("completion=sometimes")))
                .hasMessageContaining("completion=sometimes");
        assertThatThrownBy(() -> FuseOptions.parse(List.of("workers=0")))
                .hasMessageContaining("workers=0");
    }
}
