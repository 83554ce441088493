package io.jiomap.device.sata;

import io.jiomap.device.model.ModelDeviceProvider;
import io.jiomap.device.model.contract.ModelDeviceContract;

/** The block device contract and write-cache rules, on {@code sata-like}. */
class SataLikeDeviceContractTest extends ModelDeviceContract {
    private final SataLikeProvider provider = new SataLikeProvider();

    @Override
    protected ModelDeviceProvider provider() {
        return provider;
    }

    @Override
    protected String singleQueue() {
        return "";
    }
}
