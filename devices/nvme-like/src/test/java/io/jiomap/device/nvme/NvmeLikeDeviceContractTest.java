package io.jiomap.device.nvme;

import io.jiomap.device.model.ModelDeviceProvider;
import io.jiomap.device.model.contract.ModelDeviceContract;

/** The block device contract and write-cache rules, on {@code nvme-like}. */
class NvmeLikeDeviceContractTest extends ModelDeviceContract {
    private final NvmeLikeProvider provider = new NvmeLikeProvider();

    @Override
    protected ModelDeviceProvider provider() {
        return provider;
    }

    @Override
    protected String singleQueue() {
        return "queues=1,";
    }
}
