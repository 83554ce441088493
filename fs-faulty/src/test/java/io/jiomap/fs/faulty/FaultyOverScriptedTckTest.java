package io.jiomap.fs.faulty;

import io.jiomap.api.JiomapException;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.tck.DioContractTest;
import io.jiomap.tck.FileLayout;
import io.jiomap.tck.FileSystemUnderTest;
import io.jiomap.tck.FsFeature;
import io.jiomap.tck.TckFixture;
import io.jiomap.tck.observe.FsyncCall;
import io.jiomap.tck.scripted.ScriptedDevices;
import io.jiomap.tck.scripted.ScriptedFileSystemType;
import io.jiomap.tck.scripted.ScriptedFs;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole TCK on faulty over the scripted filesystem with no fault asked for, so every mapping shape the TCK
 * arranges passes through the wrapper: the inodes are the scripted filesystem's own (faulty hands out the inner
 * inodes), so the scripted arrangement works unchanged and every test must pass as it does on scripted.
 */
class FaultyOverScriptedTckTest extends DioContractTest {
    @Override
    protected TckFixture fixture() {
        ScriptedFs scripted = new ScriptedFs();
        FileSystemType faulty = new FaultyFileSystemType(() -> List.of(new ScriptedFileSystemType()));
        return new TckFixture(new FileSystemUnderTest() {
            @Override
            public String name() {
                return "faulty over " + scripted.name();
            }

            @Override
            public FileSystemType type() {
                return faulty;
            }

            @Override
            public Map<String, String> mkfsOptions() {
                return Map.of("over", ScriptedFileSystemType.NAME);
            }

            @Override
            public Map<String, String> mountOptions() {
                return Map.of("over", ScriptedFileSystemType.NAME);
            }

            @Override
            public Set<FsFeature> features() {
                return scripted.features();
            }

            @Override
            public OpenFile openFile(Mount mount, FileLayout layout) throws JiomapException {
                return scripted.openFile(mount, layout);
            }

            @Override
            public List<FsyncCall> fsyncCalls(OpenFile file) {
                return scripted.fsyncCalls(file);
            }
        }, new ScriptedDevices());
    }
}
