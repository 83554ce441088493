package io.jiomap.tck;

import io.jiomap.tck.matrix.ExpectedMatrix;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What every contract interface builds on: the session of the running test, and the contract's default setup
 * (docs/dio-contract.md, "Default setup": 4 KiB filesystem blocks where the filesystem has them, 512-byte sectors, a 1
 * MiB MAPPED file, writes at 64 KiB, a device with a write cache and FUA).
 */
@ExtendWith(ExpectedMatrix.class)
public interface ContractBase {
    long KIB = 1024;
    long MIB = 1024 * 1024;
    /** Where the test vectors write. */
    long POS = 64 * KIB;
    /** A range away from {@link #POS} that drains (fallocate) touch. */
    long DRAIN_RANGE = 512 * KIB;
    /** The default file: at least 1 MiB, MAPPED throughout. */
    FileLayout DEFAULT_LAYOUT = FileLayout.mapped(MIB);

    /** The running test's session. */
    TckSession tck();
}
