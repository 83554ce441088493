package io.jiomap.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.vfs.DioCounters;
import io.jiomap.core.ring.IoRing;
import io.jiomap.core.trace.CompletionContext;
import io.jiomap.tck.observe.EndIoCall;
import io.jiomap.tck.observe.TraceLog;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Checks the contract tests share. */
public final class DioAssertions {
    private DioAssertions() {
    }

    /** How many completions ran in each context, by the mount's counters. */
    public static Map<CompletionContext, Long> completionCounts(DioCounters c) {
        Map<CompletionContext, Long> m = new EnumMap<>(CompletionContext.class);
        m.put(CompletionContext.SUBMITTER, c.submitter());
        m.put(CompletionContext.WAITER, c.waiter());
        m.put(CompletionContext.IRQ, c.irq());
        m.put(CompletionContext.CALLER, c.caller());
        m.put(CompletionContext.WORKQUEUE, c.workqueue());
        return m;
    }

    /**
     * The file range was written since the file was arranged and is durable on the device (docs/design-rules.md,
     * "Rule 5").
     */
    public static void assertDurable(TckEnv env, long pos, long length) {
        assertThat(env.notDurable(pos, length)).as("file range [%d, %d) durable", pos, pos + length).isEmpty();
    }

    /**
     * The engine synced the write once ({@code generic_write_sync}): the filesystem's fsync on exactly
     * {@code [pos, pos + length)}, as fdatasync or fsync, by the engine's trace on any filesystem; where the
     * filesystem also lists the fsync calls it got ({@link FsFeature#OBSERVABLE_FSYNC}), that list agrees.
     */
    public static void assertWriteSync(TckEnv env, long pos, long length, boolean datasync) {
        assertThat(env.trace().syncs()).as("syncs of the write").singleElement().satisfies(s -> {
            assertThat(s.start()).as("sync start").isEqualTo(pos);
            assertThat(s.end()).as("sync end (inclusive)").isEqualTo(pos + length - 1);
            assertThat(s.datasync()).as("datasync").isEqualTo(datasync);
            assertThat(s.result()).as("sync result").isZero();
        });
        if (env.has(FsFeature.OBSERVABLE_FSYNC)) {
            assertThat(env.fsyncCalls()).as("fsync calls the filesystem got").singleElement().satisfies(f -> {
                assertThat(f.start()).as("fsync start").isEqualTo(pos);
                assertThat(f.end()).as("fsync end (inclusive)").isEqualTo(pos + length - 1);
                assertThat(f.datasync()).as("datasync").isEqualTo(datasync);
            });
        }
    }

    /** The engine synced nothing: the write needed no fsync (FUA or no cache covered it). */
    public static void assertNoWriteSync(TckEnv env) {
        assertThat(env.trace().syncs()).as("syncs of the write").isEmpty();
        if (env.has(FsFeature.OBSERVABLE_FSYNC)) {
            assertThat(env.fsyncCalls()).as("fsync calls the filesystem got").isEmpty();
        }
    }

    /** The environment saw exactly one direct-I/O completion, and it ran {@code where}, by trace and counters. */
    public static void assertCompletedIn(TckEnv env, CompletionContext where) {
        assertThat(env.trace().completions()).as("completion decisions taken")
                .singleElement().extracting(TraceLog.Completion::where).isEqualTo(where);
        Map<CompletionContext, Long> expected = new EnumMap<>(CompletionContext.class);
        for (CompletionContext c : CompletionContext.values()) {
            expected.put(c, c == where ? 1L : 0L);
        }
        assertThat(completionCounts(env.counters())).as("completions counted per context").isEqualTo(expected);
    }

    /** The single completion decision taken so far. */
    public static TraceLog.Completion theCompletion(TckEnv env) {
        List<TraceLog.Completion> all = env.trace().completions();
        assertThat(all).as("completion decisions taken").hasSize(1);
        return all.getFirst();
    }

    /** The single submission traced so far (its flags are the final dio flags). */
    public static TraceLog.Submission theSubmission(TckEnv env) {
        List<TraceLog.Submission> all = env.trace().submissions();
        assertThat(all).as("submissions traced").hasSize(1);
        return all.getFirst();
    }

    /**
     * end_io ran exactly once with these arguments if the filesystem has one ({@link FsFeature#WRITE_END_IO}),
     * and never if it has none; returns the call, or null.
     */
    public static EndIoCall assertEndIoOnce(TckEnv env, long size, int error, int flags, long iocbPosition) {
        List<EndIoCall> calls = env.calls().endIoCalls();
        if (!env.has(FsFeature.WRITE_END_IO)) {
            assertThat(calls).as("end_io calls of a filesystem that passes none").isEmpty();
            return null;
        }
        assertThat(calls).as("end_io calls").hasSize(1);
        EndIoCall c = calls.getFirst();
        assertThat(c.size()).as("end_io size").isEqualTo(size);
        assertThat(c.error()).as("end_io error").isEqualTo(error);
        assertThat(c.flags()).as("end_io flags (UNWRITTEN=1, COW=2)").isEqualTo(flags);
        assertThat(c.iocbPosition()).as("iocb position when end_io ran (still the start)").isEqualTo(iocbPosition);
        return c;
    }

    /** Waits (bounded, polling as the owner) until {@code n} CQEs are ready, then reaps every ready one. */
    public static List<Cqe> reap(IoRing ring, int n) {
        Waits.await(n + " CQEs").until(() -> ring.poll() >= n);
        List<Cqe> out = new ArrayList<>();
        ring.reap((userData, result) -> out.add(new Cqe(userData, result)));
        return out;
    }
}
