package io.jiomap.testkit.contract;

import io.jiomap.api.fs.FileSystemType;
import io.jiomap.tck.DeviceFactory;
import io.jiomap.tck.DioContractTest;
import io.jiomap.tck.FsFeature;
import io.jiomap.tck.TckFixture;
import io.jiomap.tck.scripted.ScriptedDevices;
import io.jiomap.testkit.Installed;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The direct-I/O contract (the TCK: docs/dio-contract.md, "Test vectors", "Completion decision table";
 * docs/design-rules.md, "Rule 1") on a
 * filesystem plugin, in one class:
 *
 * <pre>{@code
 * class MyFsTckTest extends FileSystemTck {
 *     MyFsTckTest() {
 *         super("my-fs", FsFeature.HOLES, FsFeature.UNWRITTEN_EXTENTS, FsFeature.TRUNCATE, FsFeature.FALLOCATE);
 *     }
 * }
 * }</pre>
 *
 * The features are what the filesystem does (see {@link FsFeature}); a test needing one it does not declare is
 * skipped, naming it. The test file is arranged through the API ({@link ApiArrangedFs}); the devices are the TCK's
 * scriptable ones, which can be set up as every test asks (those asked to hold bios start holding once the file is
 * arranged, since the filesystem writes to make and arrange itself).
 */
public abstract class FileSystemTck extends DioContractTest {
    private final FileSystemType type;
    private final Set<FsFeature> features;

    /** The type found by name on the test class path; fails naming the installed types if it is not there. */
    protected FileSystemTck(String typeName, FsFeature... features) {
        this(Installed.fileSystemType(typeName), features);
    }

    protected FileSystemTck(FileSystemType type, FsFeature... features) {
        this.type = type;
        this.features = features.length == 0 ? Set.of() : EnumSet.of(features[0], features);
    }

    /** Options for mkfs; none by default. */
    protected Map<String, String> mkfsOptions() {
        return Map.of();
    }

    /** Options for mount; none by default. */
    protected Map<String, String> mountOptions() {
        return Map.of();
    }

    /** Where the devices come from: the TCK's scripted devices unless overridden. */
    protected DeviceFactory devices() {
        return new ScriptedDevices();
    }

    @Override
    protected final TckFixture fixture() {
        HoldAfterArranging held = new HoldAfterArranging(devices());
        return new TckFixture(new ApiArrangedFs(type, features, mkfsOptions(), mountOptions(), held::arranged),
                held);
    }
}
