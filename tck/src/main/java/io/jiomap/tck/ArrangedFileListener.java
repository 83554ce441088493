package io.jiomap.tck;

/**
 * A device that changes what it does once the test file is arranged: {@link TckEnv} tells it, after the
 * filesystem was made, mounted and the file arranged, and before the test issues anything.
 */
public interface ArrangedFileListener {
    /** The file is arranged as {@code layout} says; from now on the test's I/O comes. */
    void fileArranged(FileLayout layout);

    /** The test is over: cleanup follows (unmount, close), which must not meet the faults the test asked for. */
    void testEnded();
}
