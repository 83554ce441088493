package io.jiomap.crash;

import io.jiomap.device.toolkit.crash.Mode;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link CrashTest} run did and found. {@link #toString()} is the summary {@code jiomap crashtest} prints; it
 * holds no timing, so the same configuration and seed give the same text.
 */
public final class CrashReport {
    private static final int SHOWN = 10;

    private final String fsType;
    private final String workloads;
    private final int workloadsTotal;
    private final int workloadsRun;
    private final int budget;
    private final long seed;
    private final Map<Mode, Integer> statesByMode;
    private final List<Violation> violations;

    CrashReport(String fsType, String workloads, int workloadsTotal, int workloadsRun, int budget, long seed,
                Map<Mode, Integer> statesByMode, List<Violation> violations) {
        this.fsType = fsType;
        this.workloads = workloads;
        this.workloadsTotal = workloadsTotal;
        this.workloadsRun = workloadsRun;
        this.budget = budget;
        this.seed = seed;
        this.statesByMode = Collections.unmodifiableMap(new EnumMap<>(statesByMode));
        this.violations = List.copyOf(violations);
    }

    /** The crash states mounted, fscked and compared with the oracle. */
    public int statesChecked() {
        int total = 0;
        for (int n : statesByMode.values()) {
            total += n;
        }
        return total;
    }

    /** The workloads run (all of them, unless the budget was smaller than their number). */
    public int workloadsRun() {
        return workloadsRun;
    }

    /** The workloads in the set. */
    public int workloadsTotal() {
        return workloadsTotal;
    }

    /** The states checked per mode. */
    public Map<Mode, Integer> statesByMode() {
        return statesByMode;
    }

    public List<Violation> violations() {
        return violations;
    }

    public boolean clean() {
        return violations.isEmpty();
    }

    public String fsType() {
        return fsType;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append("crash test of ").append(fsType).append(": ")
                .append(clean() ? "CLEAN" : violations.size() + " VIOLATION" + (violations.size() == 1 ? "" : "S"))
                .append('\n');
        sb.append("  workloads: ").append(workloadsRun).append(" run of ").append(workloadsTotal).append(" (")
                .append(workloads).append(")\n");
        sb.append("  crash states checked: ").append(statesChecked()).append(" (budget ").append(budget)
                .append(", seed ").append(seed).append(")\n");
        sb.append("  by mode:");
        statesByMode.forEach((mode, n) -> sb.append(' ').append(mode).append('=').append(n));
        sb.append('\n');
        if (!clean()) {
            Map<Violation.Kind, Integer> byKind = new EnumMap<>(Violation.Kind.class);
            for (Violation v : violations) {
                byKind.merge(v.kind(), 1, Integer::sum);
            }
            sb.append("  violations by kind:");
            byKind.forEach((kind, n) -> sb.append(' ').append(kind).append('=').append(n));
            sb.append('\n');
        }
        for (int i = 0; i < Math.min(SHOWN, violations.size()); i++) {
            sb.append("  ").append(i + 1).append(". ").append(violations.get(i).summary());
        }
        if (violations.size() > SHOWN) {
            sb.append("  ... and ").append(violations.size() - SHOWN).append(" more\n");
        }
        if (!clean()) {
            sb.append("  (each Violation's toString() lists its ops for Workloads.replay)\n");
        }
        return sb.toString();
    }
}
