package io.jiomap.fs.faulty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.core.Mount;
import io.jiomap.device.memory.MemoryDeviceProvider;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The option grammar: what is refused, with which errno and message. */
class FaultyOptionsTest {
    private final BlockDevice device;
    private final FaultyFileSystemType faulty = new FaultyFileSystemType();

    FaultyOptionsTest() throws JiomapException {
        device = new MemoryDeviceProvider().open(DeviceSpec.parse("memory:size=16m"));
    }

    @AfterEach
    void close() {
        device.close();
    }

    @Test
    void onDiskAFaultyFilesystemIsTheWrappedTypesAndWithoutOverNothingCarriesIt() {
        assertThat(faulty.onDiskType(Map.of("over", "xfs-like", "fail-begin", "eio"))).contains("xfs-like");
        assertThat(faulty.onDiskType(Map.of("fail-begin", "eio"))).contains("faulty");
    }

    private void assertRefused(Map<String, String> options, int errno, String... named) {
        assertThatThrownBy(() -> Mount.mount(faulty, device, Mount.Options.defaults().withFsOptions(options)))
                .isInstanceOfSatisfying(JiomapException.class, e -> {
                    assertThat(e.errno()).as(e.getMessage()).isEqualTo(errno);
                    assertThat(e.getMessage()).contains(named);
                });
    }

    @Test
    void unknownOptionsAreRefusedWithEinvalNamingThem() {
        assertRefused(Map.of("over", "raw", "fail-bgein", "eio", "flakey", "1"), Errno.EINVAL,
                "[fail-bgein, flakey]", "known: [delay, fail-begin, fail-end-io, force, over]");
    }

    @Test
    void withoutOverItSaysWhatIsMissing() {
        assertRefused(Map.of("fail-begin", "eio"), Errno.EINVAL, "over=TYPE");
    }

    @Test
    void anInnerTypeThatIsNotInstalledIsNamedWithTheInstalledOnes() {
        assertRefused(Map.of("over", "xfs-lik"), Errno.ENODEV, "over=xfs-lik", "installed: raw, scripted");
    }

    @Test
    void itCannotWrapItself() {
        assertRefused(Map.of("over", "faulty"), Errno.EINVAL, "cannot wrap itself");
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "fail-begin; enospc@0; a call number from 1",
            "fail-begin; enosp; an errno name",
            "fail-end-io; eio@8k-4k; END after START",
            "force; dirty+stale; dirty, new or shared",
            "delay; 11s; at most 10s",
            "delay; 5 parsecs; a duration",
            "fail-begin; eio@third; @N, @N+"})
    void aBadValueIsRefusedWithEinvalSayingWhatIsExpected(String key, String value, String expected) {
        assertRefused(Map.of("over", "raw", key, value), Errno.EINVAL, key + "=" + value, expected);
    }

    @Test
    void innerOptionsReachTheInnerTypeWhichRefusesWhatItDoesNotKnow() {
        assertRefused(Map.of("over", "raw", "inner.logsize", "4m"), Errno.EINVAL, "logsize");
    }

    @Test
    void mkfsAndFsckGoToTheInnerType() throws Exception {
        faulty.mkfs(device, Map.of("over", "scripted"));
        assertThat(faulty.fsck(device, Map.of("over", "scripted")).fsType()).isEqualTo("scripted");
        assertThat(faulty.probe(device)).as("faulty never claims a device").isFalse();
    }

    @Test
    void theDescriptionDocumentsTheGrammar() {
        assertThat(faulty.description()).contains("over=TYPE", "inner.KEY=VALUE", "fail-begin=ERRNO[@WHERE]",
                "fail-end-io=ERRNO[@WHERE]", "force=dirty|new|shared", "delay=DURATION[@WHERE]", "N+", "START-END",
                "/PATH");
    }
}
