package io.jiomap.testkit.contract;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.tck.device.BlockDeviceContractTest;
import io.jiomap.tck.device.ContractDevices;
import io.jiomap.tck.device.DeviceWish;
import io.jiomap.testkit.FreshDevices;
import io.jiomap.testkit.Installed;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The block device contract ({@link BlockDeviceContractTest}) on a device plugin, in one class:
 *
 * <pre>{@code
 * class MyDeviceContractTest extends DeviceTck {
 *     MyDeviceContractTest() {
 *         super("my-device");
 *     }
 * }
 * }</pre>
 *
 * Each wish becomes the shared option names ({@link DeviceWish#asOptions()}); a wish the type refuses with EINVAL
 * is skipped, naming it, except the plain one (a capacity and nothing else), which every device type must open.
 * Override {@link #flushesAreNotQueued()} or {@link #heldCompletionStallsTheQueue()} where the device differs.
 */
public abstract class DeviceTck extends BlockDeviceContractTest {
    private final BlockDeviceProvider provider;

    /** The type found by name on the test class path; fails naming the installed types if it is not there. */
    protected DeviceTck(String type) {
        this(Installed.deviceProvider(type));
    }

    protected DeviceTck(BlockDeviceProvider provider) {
        this.provider = provider;
    }

    /** Options every device gets besides the wish's; none by default. */
    protected Map<String, String> extraOptions() {
        return Map.of();
    }

    /** See {@link ContractDevices#flushesAreNotQueued()}. */
    protected boolean flushesAreNotQueued() {
        return false;
    }

    /** See {@link ContractDevices#heldCompletionStallsTheQueue()}. */
    protected boolean heldCompletionStallsTheQueue() {
        return true;
    }

    @Override
    protected final ContractDevices devices() {
        return new ContractDevices() {
            @Override
            public String name() {
                return provider.type();
            }

            @Override
            public Optional<BlockDevice> open(DeviceWish wish) throws JiomapException {
                Map<String, String> options = new LinkedHashMap<>(
                        DeviceSpec.parse(provider.type() + ":" + wish.asOptions()).options());
                options.putAll(extraOptions());
                try (FreshDevices fresh = new FreshDevices(provider, options)) {
                    return Optional.of(fresh.open());
                } catch (JiomapException e) {
                    boolean plain = wish.equals(DeviceWish.ofCapacity(wish.capacityBytes()));
                    if (e.errno() == Errno.EINVAL && !plain) {
                        return Optional.empty();
                    }
                    throw e;
                }
            }

            @Override
            public boolean flushesAreNotQueued() {
                return DeviceTck.this.flushesAreNotQueued();
            }

            @Override
            public boolean heldCompletionStallsTheQueue() {
                return DeviceTck.this.heldCompletionStallsTheQueue();
            }
        };
    }
}
