package io.jiomap.crash;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * One workload of a {@link Workloads} set: a deterministic program of {@link Op}s that the harness runs against a fresh
 * filesystem. Its concrete ops depend on the filesystem's block size and the device's logical block size (and, for
 * raw, on the size a file has when it is opened), so a {@link Violation} lists the ops as they ran; pass them to
 * {@link Workloads#replay} to run exactly those again.
 */
public final class Workload {
    private final String name;
    private final long seed;
    private final int files;
    private final long maxFileSize;
    private final Supplier<Program> program;

    Workload(String name, long seed, int files, long maxFileSize, Supplier<Program> program) {
        this.name = Objects.requireNonNull(name, "name");
        this.seed = seed;
        this.files = files;
        this.maxFileSize = maxFileSize;
        this.program = Objects.requireNonNull(program, "program");
    }

    /** How many files it starts with. */
    public int files() {
        return files;
    }

    /** The size its generated ops keep every file within. */
    public long maxFileSize() {
        return maxFileSize;
    }

    /** What it is and how to make it again, e.g. {@code fsx(seed=42, ops=200, files=2, ...)}. */
    public String name() {
        return name;
    }

    /** The seed it was generated from (fsx), or its number in an enumeration (bounded). */
    public long seed() {
        return seed;
    }

    /** A fresh run of the program. */
    Program program() {
        return program.get();
    }

    @Override
    public String toString() {
        return name;
    }
}
