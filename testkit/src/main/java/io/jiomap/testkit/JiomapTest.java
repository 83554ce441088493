package io.jiomap.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the test method once for every (filesystem, device) pair, each time on a freshly made filesystem on a fresh
 * device, named after the pair in reports ({@code [raw on memory]}). Parameters it fills: {@link JiomapRig} (all
 * of it), {@link io.jiomap.core.Mount}, {@link io.jiomap.api.vfs.FileSystem}, {@link io.jiomap.api.fs.FileSystemType},
 * {@link io.jiomap.api.block.BlockDevice} (as the provider opened it), {@link io.jiomap.api.block.BlockDeviceProvider}
 * and {@link io.jiomap.core.OpenFile} (see {@link TestFile}).
 *
 * <pre>{@code
 * @JiomapTest(fs = {"xfs-like", "ext4-like"}, devices = {"nvme-like", "sata-like"})
 * void overwriteReadsBack(JiomapRig rig, @TestFile("/data") OpenFile file) throws Exception { ... }
 * }</pre>
 *
 * Types come from {@link java.util.ServiceLoader} on the test class path, so the test runs over whatever plugins the
 * project has. Naming one that is not installed fails the test with the installed names.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
@ExtendWith(JiomapExtension.class)
public @interface JiomapTest {
    /** Filesystem types as {@code TYPE[:mount-option=value,...]}; empty: every installed type. */
    String[] fs() default {};

    /** Device types as {@code TYPE[:option=value,...]} (the jiomap device spec); empty: every installed type. */
    String[] devices() default {};

    /**
     * mkfs options per filesystem type, {@code TYPE:option=value,...}; a type not listed gets what it derives from its
     * mount options ({@code FileSystemType.mkfsOptionsFor}: {@code over=TYPE} for faulty, none for most).
     */
    String[] mkfs() default {};

    /** The device size every device gets unless its spec says {@code size=}. */
    String size() default "64m";
}
