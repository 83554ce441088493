package io.jiomap.tck.scripted;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.tck.DeviceFactory;
import io.jiomap.tck.DeviceSetup;
import java.util.Optional;

/** Opens a {@link ScriptedDevice} for any {@link DeviceSetup}: the device half of a fixture for a filesystem plugin. */
public final class ScriptedDevices implements DeviceFactory {
    @Override
    public String name() {
        return "scripted device";
    }

    @Override
    public Optional<BlockDevice> open(DeviceSetup setup) {
        ScriptedDevice.Completion completion = switch (setup.completion()) {
            case ASYNC -> ScriptedDevice.Completion.THREAD;
            case SUBMITTER -> ScriptedDevice.Completion.SUBMITTER;
            case HELD -> ScriptedDevice.Completion.HELD;
        };
        return Optional.of(ScriptedDevice.builder()
                .capacity(setup.capacityBytes())
                .logicalBlockSize(setup.logicalBlockSize())
                .physicalBlockSize(Math.max(4096, setup.logicalBlockSize()))
                .dmaAlignment(setup.logicalBlockSize())
                .volatileWriteCache(setup.volatileWriteCache())
                .fua(setup.fua())
                .maxTransfer(setup.maxTransferBytes())
                .completion(completion)
                // Poll queues, so the polled-read rules (docs/dio-contract.md, "TV23", "TV24") are reachable on every
                // fixture.
                .polling(true)
                .build());
    }
}
