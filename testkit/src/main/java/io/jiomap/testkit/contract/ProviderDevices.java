package io.jiomap.testkit.contract;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.tck.DeviceCompletion;
import io.jiomap.tck.DeviceFactory;
import io.jiomap.tck.DeviceSetup;
import io.jiomap.testkit.FreshDevices;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A TCK {@link DeviceFactory} for any device type, through the option names jiomap's device types share
 * ({@code size}, {@code lbs}, {@code vwc}, {@code max-transfer}): a setup the type refuses (EINVAL) or opens
 * differently (e.g. a cache without FUA when FUA was asked) is answered empty, so the test is skipped naming the
 * setup. Only asynchronous completion is asked of a device this way: inline and held completion need a device that
 * offers them, which the TCK's scripted device does.
 */
public final class ProviderDevices implements DeviceFactory {
    private final BlockDeviceProvider provider;
    private final Map<String, String> extraOptions;

    /** @param extraOptions options every device gets besides those the setup implies */
    public ProviderDevices(BlockDeviceProvider provider, Map<String, String> extraOptions) {
        this.provider = provider;
        this.extraOptions = Map.copyOf(extraOptions);
    }

    @Override
    public String name() {
        return provider.type();
    }

    @Override
    public Optional<BlockDevice> open(DeviceSetup setup) throws JiomapException {
        if (setup.completion() != DeviceCompletion.ASYNC) {
            return Optional.empty();
        }
        // Only the options this device type has: a real file takes its block size and cache from the filesystem
        // under it, and whether that fits the setup is checked on the opened device below.
        Map<String, String> known = provider.options();
        Map<String, String> options = new LinkedHashMap<>();
        options.put("size", Long.toString(setup.capacityBytes()));
        if (known.containsKey("lbs")) {
            options.put("lbs", Integer.toString(setup.logicalBlockSize()));
        }
        if (known.containsKey("max-transfer")) {
            options.put("max-transfer", Integer.toString(setup.maxTransferBytes()));
        }
        if (setup.writeCacheMatters() && known.containsKey("vwc")) {
            options.put("vwc", setup.volatileWriteCache() ? "on" : "off");
        }
        options.putAll(extraOptions);
        BlockDevice device;
        try (FreshDevices fresh = new FreshDevices(provider, options)) {
            device = fresh.open();
        } catch (JiomapException e) {
            if (e.errno() == Errno.EINVAL) {
                return Optional.empty();
            }
            throw e;
        }
        DeviceCapabilities c = device.capabilities();
        boolean cacheAsAsked = !setup.writeCacheMatters() || (c.volatileWriteCache() == setup.volatileWriteCache()
                && (!setup.volatileWriteCache() || c.fua() == setup.fua()));
        if (!cacheAsAsked || c.logicalBlockSize() != setup.logicalBlockSize()
                || c.maxTransferBytes() != setup.maxTransferBytes()) {
            device.close();
            return Optional.empty();
        }
        return Optional.of(device);
    }
}
