package io.jiomap.testkit.contract;

import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.tck.DioContractTest;
import io.jiomap.tck.TckFixture;
import io.jiomap.tck.scripted.ScriptedFs;
import io.jiomap.testkit.Installed;
import java.util.Map;

/**
 * The direct-I/O contract (the TCK) on a device plugin, in one class: the TCK's scripted filesystem, which reaches
 * the most test vectors, on the plugin's devices ({@link ProviderDevices}).
 *
 * <pre>{@code
 * class MyDeviceDioContractTest extends DeviceDioTck {
 *     MyDeviceDioContractTest() {
 *         super("my-device");
 *     }
 * }
 * }</pre>
 */
public abstract class DeviceDioTck extends DioContractTest {
    private final BlockDeviceProvider provider;

    /** The type found by name on the test class path; fails naming the installed types if it is not there. */
    protected DeviceDioTck(String type) {
        this(Installed.deviceProvider(type));
    }

    protected DeviceDioTck(BlockDeviceProvider provider) {
        this.provider = provider;
    }

    /** Options every device gets besides those the test's setup implies; none by default. */
    protected Map<String, String> extraOptions() {
        return Map.of();
    }

    @Override
    protected final TckFixture fixture() {
        return new TckFixture(new ScriptedFs(), new ProviderDevices(provider, extraOptions()));
    }
}
