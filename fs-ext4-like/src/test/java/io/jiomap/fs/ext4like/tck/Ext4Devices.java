package io.jiomap.fs.ext4like.tck;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.device.memory.MemoryDeviceProvider;
import io.jiomap.device.nvme.NvmeLikeProvider;
import io.jiomap.device.sata.SataLikeProvider;
import io.jiomap.tck.DeviceCompletion;
import io.jiomap.tck.DeviceFactory;
import io.jiomap.tck.DeviceSetup;
import java.util.Optional;

/**
 * The three devices the ext4-like contract runs on, each opened only as it can be: memory (any cache and FUA,
 * thread or inline completion), nvme-like (a cache always with FUA), sata-like (a cache never with FUA). None can
 * hold bios inside itself for the test.
 */
public record Ext4Devices(String name) implements DeviceFactory {
    public static final Ext4Devices MEMORY = new Ext4Devices(MemoryDeviceProvider.TYPE);
    public static final Ext4Devices NVME_LIKE = new Ext4Devices(NvmeLikeProvider.TYPE);
    public static final Ext4Devices SATA_LIKE = new Ext4Devices(SataLikeProvider.TYPE);

    @Override
    public Optional<BlockDevice> open(DeviceSetup setup) throws JiomapException {
        boolean exact = setup.writeCacheMatters();
        String geometry = "size=" + setup.capacityBytes() + ",lbs=" + setup.logicalBlockSize()
                + ",max-transfer=" + setup.maxTransferBytes();
        return switch (name) {
            case MemoryDeviceProvider.TYPE -> {
                if (setup.completion() == DeviceCompletion.HELD) {
                    yield Optional.empty();
                }
                yield Optional.of(new MemoryDeviceProvider().open(DeviceSpec.parse("memory:" + geometry
                        + ",vwc=" + onOff(setup.volatileWriteCache()) + ",fua=" + onOff(setup.fua())
                        + ",completion=" + (setup.completion() == DeviceCompletion.SUBMITTER ? "submitter" : "thread"))));
            }
            case NvmeLikeProvider.TYPE -> {
                if (setup.completion() != DeviceCompletion.ASYNC
                        || (exact && setup.volatileWriteCache() != setup.fua())) {
                    yield Optional.empty();
                }
                yield Optional.of(new NvmeLikeProvider().open(DeviceSpec.parse(NvmeLikeProvider.TYPE + ":" + geometry
                        + ",vwc=" + onOff(!exact || setup.volatileWriteCache()) + ",queues=2")));
            }
            case SataLikeProvider.TYPE -> {
                if (setup.completion() != DeviceCompletion.ASYNC
                        || (exact && setup.volatileWriteCache() && setup.fua())) {
                    yield Optional.empty();
                }
                yield Optional.of(new SataLikeProvider().open(DeviceSpec.parse(SataLikeProvider.TYPE + ":" + geometry
                        + ",vwc=" + onOff(!exact || setup.volatileWriteCache()))));
            }
            default -> throw new IllegalStateException("no device type " + name);
        };
    }

    private static String onOff(boolean on) {
        return on ? "on" : "off";
    }
}
