package io.jiomap.device.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.JiomapException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeviceConfigTest {
    private static final DeviceProfile MULTI = new DeviceProfile("multi", "m", 8, 2, 256, true, false, 0);
    private static final DeviceProfile SINGLE = new DeviceProfile("single", "s", 1, 1, 32, false, true, 1_000_000);

    @Test
    void defaultsComeFromTheProfile() throws JiomapException {
        DeviceConfig c = DeviceConfig.parse(MULTI, Map.of());

        assertThat(c.capacityBytes()).isEqualTo(1L << 30);
        assertThat(c.logicalBlockSize()).isEqualTo(512);
        assertThat(c.physicalBlockSize()).isEqualTo(4096);
        assertThat(c.queues()).isEqualTo(2);
        assertThat(c.queueDepth()).isEqualTo(256);
        assertThat(c.volatileWriteCache()).isTrue();
        assertThat(c.fua()).isTrue();
        assertThat(c.serviceTime().isNone()).isTrue();
        assertThat(c.image()).isNull();
        assertThat(DeviceConfig.parse(SINGLE, Map.of()).serviceTime().flushLatencyNanos()).isEqualTo(1_000_000);
    }

    @Test
    void fuaFollowsTheCacheOnlyWhereTheProfileHonoursIt() throws JiomapException {
        assertThat(DeviceConfig.parse(MULTI, Map.of("vwc", "off")).fua()).isFalse();
        assertThat(DeviceConfig.parse(SINGLE, Map.of("vwc", "on")).fua()).isFalse();
    }

    @Test
    void queueCountIsAnOptionOnlyOfMultiQueueProfiles() throws JiomapException {
        assertThat(DeviceConfig.parse(MULTI, Map.of("queues", "8")).queues()).isEqualTo(8);
        assertThat(DeviceConfig.optionHelp(SINGLE)).doesNotContainKey("queues");
        assertThatThrownBy(() -> DeviceConfig.parse(SINGLE, Map.of("queues", "2")))
                .hasMessageContaining("unknown single device option 'queues'");
        assertThatThrownBy(() -> DeviceConfig.parse(MULTI, Map.of("queues", "9")))
                .hasMessageContaining("multi device option queues=9").hasMessageContaining("from 1 to 8");
        assertThatThrownBy(() -> DeviceConfig.parse(SINGLE, Map.of("queue-depth", "33")))
                .hasMessageContaining("queue-depth=33").hasMessageContaining("from 1 to 32");
        assertThatThrownBy(() -> DeviceConfig.parse(MULTI, Map.of("queues", "2k")))
                .hasMessageContaining("queues=2k");
    }

    @Test
    void serviceTimeOptionsBuildTheModel() throws JiomapException {
        DeviceConfig c = DeviceConfig.parse(SINGLE, Map.of("latency", "10us", "flush-latency", "2ms",
                "bandwidth", "2g"));

        assertThat(c.serviceTime()).isEqualTo(new ServiceTime(10_000, 2_000_000, 2L << 30));
        assertThat(c.serviceTime().transferNanos(4096)).isEqualTo(1908);
    }

    @Test
    void everyOptionIsDocumented() {
        assertThat(DeviceConfig.optionHelp(MULTI)).allSatisfy((k, v) -> assertThat(v).contains("default"));
    }
}
