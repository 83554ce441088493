package io.jiomap.device.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.api.block.DeviceSpec;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MemoryDeviceProviderTest {
    private final Io io = new Io();

    @AfterEach
    void closeDevices() {
        io.close();
    }

    @Test
    void serviceLoaderFindsTheProvider() {
        // Tests run inside the device's module, which provides the service but does not declare that it uses it.
        MemoryDeviceProvider.class.getModule().addUses(BlockDeviceProvider.class);

        assertThat(ServiceLoader.load(BlockDeviceProvider.class).stream().map(ServiceLoader.Provider::get))
                .anySatisfy(provider -> {
                    assertThat(provider).isInstanceOf(MemoryDeviceProvider.class);
                    assertThat(provider.type()).isEqualTo("memory");
                });
    }

    @Test
    void unknownOptionIsRefusedWithEinvalNamingIt() {
        assertThatThrownBy(() -> io.open("memory:size=1m,colour=blue"))
                .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
                .hasMessageContaining("colour")
                .hasMessageContaining("queue-depth");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "memory:lbs=1024; lbs=1024; 512 or 4096",
            "memory:lbs=4096,pbs=2048; pbs=2048; power of two",
            "memory:pbs=6k; pbs=6k; power of two",
            "memory:size=1000; size=1000; multiple of lbs",
            "memory:size=0; size=0; positive",
            "memory:size=5t; size=5t; up to 4t",
            "memory:size=lots; size=lots; multiple of lbs",
            "memory:vwc=maybe; vwc=maybe; on or off",
            "memory:fua=sometimes; fua=sometimes; on or off",
            "memory:completion=poll; completion=poll; thread, submitter or delay",
            "memory:completion=delay,delay=10; delay=10; unit",
            "memory:completion=delay,delay=1h; delay=1h; unit",
            "memory:delay=2ms; delay=2ms; needs completion=delay",
            "memory:queue-depth=0; queue-depth=0; 1 to 65536",
            "memory:queue-depth=65537; queue-depth=65537; 1 to 65536",
            "memory:max-transfer=1000; max-transfer=1000; multiple of lbs",
            "memory:max-transfer=2g; max-transfer=2g; up to 1g"})
    void badValueIsRefusedWithEinvalNamingTheOptionAndWhatIsAllowed(String spec, String named, String allowed) {
        assertThatThrownBy(() -> io.open(spec))
                .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
                .hasMessageStartingWith("EINVAL: ")
                .hasMessageContaining(named)
                .hasMessageContaining(allowed);
    }

    @Test
    void otherDeviceTypeIsRefusedWithEinval() {
        assertThatThrownBy(() -> new MemoryDeviceProvider().open(DeviceSpec.parse("nvme:size=1g")))
                .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
                .hasMessageContaining("nvme");
    }

    @Test
    void defaultsAreTheDocumentedOnes() throws Exception {
        MemoryDevice device = io.open("memory");

        assertThat(device.capabilities()).isEqualTo(new DeviceCapabilities(512, 4096, 1L << 30, 512 << 10, 512, 1,
                1024, false, false, false, new DeviceCapabilities.Discard(512, 1 << 30, true)));
        assertThat(device.interruptThread()).isNotNull();
    }

    @Test
    void capabilitiesFollowTheOptions() throws Exception {
        DeviceCapabilities big = io.open("memory:size=8g,lbs=4k,vwc,queue-depth=32,max-transfer=1m").capabilities();
        DeviceCapabilities noFua = io.open("memory:size=1m,vwc=on,fua=off,pbs=64k").capabilities();

        assertThat(big).isEqualTo(new DeviceCapabilities(4096, 4096, 8L << 30, 1 << 20, 512, 1, 32, true, true,
                false, new DeviceCapabilities.Discard(4096, 1 << 30, true)));
        assertThat(io.open("memory:size=1m,discard=off").capabilities().canDiscard()).isFalse();
        assertThat(noFua.volatileWriteCache()).isTrue();
        assertThat(noFua.fua()).isFalse();
        assertThat(noFua.physicalBlockSize()).isEqualTo(65536);
    }

    @Test
    void everyOptionIsDocumentedWithItsDefault() {
        BlockDeviceProvider provider = new MemoryDeviceProvider();

        assertThat(provider.options()).containsOnlyKeys("size", "lbs", "pbs", "vwc", "fua", "completion", "delay",
                "queue-depth", "max-transfer", "discard");
        assertThat(provider.options().values()).allSatisfy(help -> assertThat(help).contains("default"));
        assertThat(provider.description()).isNotBlank();
    }

    @Test
    void devicesAreNumberedInOpeningOrder() throws Exception {
        BlockDevice first = io.open("memory:size=1m,completion=submitter");
        BlockDevice second = io.open("memory:size=1m,completion=submitter");

        int n = Integer.parseInt(first.name().substring("memory".length()));
        assertThat(first.name()).isEqualTo("memory" + n);
        assertThat(second.name()).isEqualTo("memory" + (n + 1));
    }

    @Test
    void closeAllClosesEveryOpenDeviceAndRefusesNewOnes() throws Exception {
        MemoryDeviceProvider provider = new MemoryDeviceProvider();
        MemoryDevice closedEarly = provider.open(DeviceSpec.parse("memory:size=1m"));
        MemoryDevice open = provider.open(DeviceSpec.parse("memory:size=1m"));
        closedEarly.close();
        assertThat(provider.openDevices()).containsExactly(open);

        provider.closeAll();

        assertThat(open.isClosed()).isTrue();
        assertThat(open.interruptThread().isAlive()).isFalse();
        assertThat(provider.openDevices()).isEmpty();
        assertThatThrownBy(() -> provider.open(DeviceSpec.parse("memory:size=1m")))
                .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENODEV));
    }
}
