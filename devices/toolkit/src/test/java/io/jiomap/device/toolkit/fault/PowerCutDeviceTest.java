package io.jiomap.device.toolkit.fault;

import static io.jiomap.device.toolkit.Devices.flush;
import static io.jiomap.device.toolkit.Devices.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.api.block.SyncBio;
import io.jiomap.device.toolkit.Devices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PowerCutDeviceTest {
    private static final int BLOCK = 4096;
    private final Devices io = new Devices();

    @AfterEach
    void closeDevices() {
        io.close();
    }

    @Test
    void aPowerCutLosesWhatWasNotDurableAndKeepsWhatWas() throws Exception {
        BlockDevice device = io.memory("memory:size=16m,lbs=4096,vwc=on,fua=on");
        PowerCutDevice view = new PowerCutDevice(device);
        assertThat(write(view, 0, io.pattern(BLOCK, 1))).isZero();
        assertThat(flush(view)).isZero();
        assertThat(write(view, BLOCK, io.pattern(BLOCK, 2), Bio.FUA)).isZero();
        assertThat(write(view, 2 * BLOCK, io.pattern(BLOCK, 3))).isZero();

        view.powerCut();

        assertThat(io.read(device, 0, BLOCK)).as("flushed").isEqualTo(Devices.bytes(io.pattern(BLOCK, 1)));
        assertThat(io.read(device, BLOCK, BLOCK)).as("FUA").isEqualTo(Devices.bytes(io.pattern(BLOCK, 2)));
        assertThat(io.read(device, 2 * BLOCK, BLOCK)).as("only in the cache").containsOnly(0);
    }

    @Test
    void aDiscardGoesThroughTheViewAndTheDevicesPowerModelDecidesWhatACutLeaves() throws Exception {
        BlockDevice device = io.memory("memory:size=16m,lbs=4096,vwc=on");
        PowerCutDevice view = new PowerCutDevice(device);
        assertThat(view.capabilities().discard()).isEqualTo(device.capabilities().discard());
        assertThat(write(view, 0, io.pattern(2 * BLOCK, 4))).isZero();
        assertThat(flush(view)).isZero();

        assertThat(SyncBio.discard(view, 0, BLOCK)).isZero();
        view.powerCut();

        // Unflushed, a discard may or may not have reached the media; the memory device's media takes it at once.
        assertThat(io.read(device, 0, BLOCK)).as("discarded").containsOnly(0);
        assertThat(io.read(device, BLOCK, BLOCK)).isEqualTo(Devices.bytes(io.pattern(2 * BLOCK, 4).asSlice(BLOCK,
                BLOCK)));
        assertThat(SyncBio.discard(view, 0, BLOCK)).as("after the cut").isEqualTo(-Errno.ENODEV);
    }

    @Test
    void afterACutEveryBioThroughTheViewEndsWithEnodevWhileTheDeviceStaysUsable() throws Exception {
        BlockDevice device = io.memory("memory:size=16m,lbs=4096,vwc=on,fua=on");
        PowerCutDevice view = new PowerCutDevice(device);

        view.powerCut();

        assertThat(write(view, 0, io.pattern(BLOCK, 1))).isEqualTo(-Errno.ENODEV);
        assertThat(SyncBio.read(view, 0, io.buffer(BLOCK), 0, BLOCK)).isEqualTo(-Errno.ENODEV);
        assertThat(flush(view)).isEqualTo(-Errno.ENODEV);
        assertThat(view.isClosed()).isTrue();
        assertThat(device.isClosed()).as("the device plays the reboot").isFalse();
        assertThat(write(device, 0, io.pattern(BLOCK, 4))).isZero();
        assertThat(write(new PowerCutDevice(device), BLOCK, io.pattern(BLOCK, 5))).as("through a new view").isZero();
    }

    @Test
    void closingTheViewCutsItOffWithoutClosingTheDeviceOrLosingItsCache() throws Exception {
        BlockDevice device = io.memory("memory:size=16m,lbs=4096,vwc=on,fua=on");
        PowerCutDevice view = new PowerCutDevice(device);
        assertThat(write(view, 0, io.pattern(BLOCK, 1))).isZero();

        view.close();

        assertThat(write(view, BLOCK, io.pattern(BLOCK, 2))).isEqualTo(-Errno.ENODEV);
        assertThat(device.isClosed()).isFalse();
        assertThat(io.read(device, 0, BLOCK)).as("no power cut").isEqualTo(Devices.bytes(io.pattern(BLOCK, 1)));
    }

    @Test
    void theDeviceThatLosesPowerMaySitBelowOtherDecorators() throws Exception {
        BlockDevice device = io.memory("memory:size=16m,lbs=4096,vwc=on,fua=on");
        PowerCutDevice view = new PowerCutDevice(new FaultyDevice(device));
        assertThat(write(view, 0, io.pattern(BLOCK, 1))).isZero();

        view.powerCut();

        assertThat(io.read(device, 0, BLOCK)).containsOnly(0);
    }

    @Test
    void aDeviceThatCannotLosePowerIsRefusedWithAMessageSayingWhy() {
        BlockDevice plain = new BlockDevice() {
            @Override
            public String name() {
                return "plain0";
            }

            @Override
            public DeviceCapabilities capabilities() {
                return new DeviceCapabilities(4096, 4096, 1 << 20, 1 << 20, 4096, 1, 8, false, false, false);
            }

            @Override
            public void submit(Bio bio) {
                bio.complete(0);
            }

            @Override
            public boolean isClosed() {
                return false;
            }

            @Override
            public void close() {
            }
        };

        assertThatThrownBy(() -> new PowerCutDevice(plain)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("plain0").hasMessageContaining("SimulatesPowerLoss");
    }
}
