package io.jiomap.crash;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** An immutable set of {@link FsxOp}s: {@code FsxOp.all().without(FsxOp.CLONE)}. */
public final class FsxOps {
    private final Set<FsxOp> ops;

    private FsxOps(Set<FsxOp> ops) {
        this.ops = Collections.unmodifiableSet(ops);
    }

    static FsxOps of(FsxOp... ops) {
        EnumSet<FsxOp> set = EnumSet.noneOf(FsxOp.class);
        Collections.addAll(set, ops);
        return new FsxOps(set);
    }

    /** This set without the given ops. */
    public FsxOps without(FsxOp... remove) {
        EnumSet<FsxOp> set = EnumSet.noneOf(FsxOp.class);
        set.addAll(ops);
        for (FsxOp op : remove) {
            set.remove(op);
        }
        return new FsxOps(set);
    }

    /** This set with the given ops added. */
    public FsxOps with(FsxOp... add) {
        EnumSet<FsxOp> set = EnumSet.noneOf(FsxOp.class);
        set.addAll(ops);
        Collections.addAll(set, add);
        return new FsxOps(set);
    }

    public boolean contains(FsxOp op) {
        return ops.contains(op);
    }

    public Set<FsxOp> asSet() {
        return ops;
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FsxOps other && other.ops.equals(ops);
    }

    @Override
    public int hashCode() {
        return ops.hashCode();
    }

    @Override
    public String toString() {
        return ops.toString();
    }
}
