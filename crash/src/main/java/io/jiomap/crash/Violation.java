package io.jiomap.crash;

import io.jiomap.device.toolkit.crash.Mode;
import java.util.List;

/**
 * One thing the harness found wrong: in a crash state (it did not mount, fsck found problems, the oracle saw lost,
 * stale or foreign data, a wrong size, a missing file, or a remount saw something else) or while the workload ran (an
 * op failed, a read disagreed with the model).
 *
 * @param kind     what failed
 * @param workload the workload's name (how to generate it again)
 * @param seed     the workload's seed
 * @param ops      the ops as they ran, up to the end of the workload or the op that failed: pass them to
 *                 {@link Workloads#replay} to run them again
 * @param mode     the crash state's mode; null for a violation found while the workload ran
 * @param state    the crash state's description (mode, crash point, writes applied), or where in the workload
 * @param problems each problem, one sentence naming the file, the bytes and what was expected and found
 */
public record Violation(Kind kind, String workload, long seed, List<Op> ops, Mode mode, String state,
                        List<String> problems) {
    /** What failed. */
    public enum Kind {
        /** An op of the workload failed, or a read or a size during the workload disagreed with the model. */
        WORKLOAD,
        /** Mounting (recovery) or remounting the crash state failed. */
        MOUNT,
        /** fsck after recovery reported problems or failed. */
        FSCK,
        /** The oracle: acknowledged data lost, stale/foreign/garbage data, a size out of bounds, a missing file. */
        ORACLE,
        /** The second mount saw something else than the first: recovery or unmount is not idempotent. */
        REMOUNT,
        /** The filesystem threw an unexpected exception. */
        EXCEPTION
    }

    private static final int STATE_SHOWN = 400;
    private static final int PROBLEMS_SHOWN = 8;

    public Violation {
        ops = List.copyOf(ops);
        problems = List.copyOf(problems);
    }

    /**
     * The violation without its op list, for summaries: the state description cut to {@value #STATE_SHOWN} characters
     * and at most {@value #PROBLEMS_SHOWN} problems.
     */
    public String summary() {
        String shownState = state.length() <= STATE_SHOWN ? state : state.substring(0, STATE_SHOWN) + "...";
        StringBuilder sb = new StringBuilder().append('[').append(kind).append("] ").append(workload).append('\n')
                .append("    state: ").append(shownState).append('\n');
        for (int i = 0; i < Math.min(PROBLEMS_SHOWN, problems.size()); i++) {
            sb.append("    - ").append(problems.get(i)).append('\n');
        }
        if (problems.size() > PROBLEMS_SHOWN) {
            sb.append("    - ... and ").append(problems.size() - PROBLEMS_SHOWN).append(" more problems\n");
        }
        return sb.toString();
    }

    /** Everything: the full state description, every problem and the ops. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append('[').append(kind).append("] ").append(workload).append('\n')
                .append("    state: ").append(state).append('\n');
        for (String p : problems) {
            sb.append("    - ").append(p).append('\n');
        }
        sb.append("    ops (Workloads.replay):\n");
        for (int i = 0; i < ops.size(); i++) {
            sb.append("      #").append(i).append(' ').append(ops.get(i)).append('\n');
        }
        return sb.toString();
    }
}
