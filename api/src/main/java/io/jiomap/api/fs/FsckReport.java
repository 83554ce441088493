package io.jiomap.api.fs;

import java.util.List;

/**
 * What a filesystem check found. {@code jiomap fsck} exits 0 only when {@link #clean()}.
 *
 * @param fsType   the filesystem type that checked
 * @param problems each inconsistency, one sentence a person can act on (what, where, expected vs found); empty when
 *                 clean
 * @param summary  what was checked, for the report (e.g. "4 allocation groups, 12 inodes, 1034 blocks in use")
 */
public record FsckReport(String fsType, List<String> problems, List<String> summary) {
    public FsckReport {
        problems = List.copyOf(problems);
        summary = List.copyOf(summary);
    }

    public boolean clean() {
        return problems.isEmpty();
    }
}
