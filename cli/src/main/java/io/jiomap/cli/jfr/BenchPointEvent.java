package io.jiomap.cli.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * One measured point of {@code jiomap bench} (a mode at a QD in one round), committed when the point ends; its
 * duration is the measured window. {@code jfr print --events io.jiomap.BenchPoint rec.jfr} lists them.
 */
@Name(BenchPointEvent.NAME)
@Label("Bench Point")
@Category({"jiomap", "Benchmark"})
@Description("One measured point of jiomap bench: a completion mode at a queue depth in one round")
@StackTrace(false)
public final class BenchPointEvent extends Event {
    public static final String NAME = "io.jiomap.BenchPoint";

    @Label("Completion Mode")
    public String mode;

    @Label("Queue Depth")
    public int qd;

    @Label("Round")
    public int round;

    @Label("I/Os")
    public long ios;

    @Label("IOPS")
    public double iops;

    @Label("Bandwidth")
    @DataAmount(DataAmount.BYTES)
    public long bytesPerSecond;

    @Label("Process CPU per I/O")
    @Timespan(Timespan.NANOSECONDS)
    public long processCpuPerIo;

    @Label("Bench Thread CPU per I/O")
    @Timespan(Timespan.NANOSECONDS)
    public long threadCpuPerIo;

    @Label("p50 Latency")
    @Timespan(Timespan.NANOSECONDS)
    public long p50;

    @Label("p99 Latency")
    @Timespan(Timespan.NANOSECONDS)
    public long p99;

    @Label("Caller Completions")
    public long callerCompletions;

    @Label("Workqueue Completions")
    public long workqueueCompletions;

    @Label("Inline Completions")
    public long inlineCompletions;
}
