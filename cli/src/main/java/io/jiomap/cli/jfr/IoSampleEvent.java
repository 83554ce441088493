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
 * One sampled I/O of {@code jiomap bench --jfr-sample=N} (one in N), committed when it is reaped. Without the option
 * none is created, so the hot loop pays one comparison per I/O.
 */
@Name(IoSampleEvent.NAME)
@Label("Sampled I/O")
@Category({"jiomap", "Benchmark"})
@Description("One I/O in N of jiomap bench, sampled with --jfr-sample=N")
@StackTrace(false)
public final class IoSampleEvent extends Event {
    public static final String NAME = "io.jiomap.IoSample";

    @Label("Completion Mode")
    public String mode;

    @Label("Queue Depth")
    public int qd;

    @Label("Offset")
    @DataAmount(DataAmount.BYTES)
    public long offset;

    @Label("Length")
    @DataAmount(DataAmount.BYTES)
    public int length;

    @Label("Result")
    @Description("Bytes transferred, or a negative errno")
    public long result;

    @Label("Latency")
    @Description("Submit to reap")
    @Timespan(Timespan.NANOSECONDS)
    public long latency;
}
