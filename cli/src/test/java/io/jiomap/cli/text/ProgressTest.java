package io.jiomap.cli.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void pipedProgressWritesPlainLinesWithTheTimeLeftAndNoStatusLine() {
        StringWriter sink = new StringWriter();
        Progress p = new Progress(new PrintWriter(sink), false);

        p.status("measuring 1/4", 0, 4);
        p.line("point 1", 1, 4);
        p.line("point 4", 4, 4);
        p.finish();

        assertThat(sink.toString()).doesNotContain("\r", "\033", "measuring");
        assertThat(sink.toString().lines().toList()).hasSize(2);
        assertThat(sink.toString().lines().findFirst().orElseThrow())
                .matches("point 1  elapsed \\d+:\\d\\d, about \\d+:\\d\\d left");
        assertThat(sink.toString().lines().toList().get(1)).matches("point 4  elapsed \\d+:\\d\\d");
    }

    @Test
    void onATerminalTheStatusLineIsRewrittenInPlaceAndClearedBeforeALineThatStays() {
        StringWriter sink = new StringWriter();
        Progress p = new Progress(new PrintWriter(sink), true);

        p.status("measuring 1/2", 0, 2);
        p.line("point 1", 1, 2);
        p.status("measuring 2/2", 1, 2);
        p.finish();

        assertThat(sink.toString()).startsWith("\r\033[Kmeasuring 1/2  elapsed ")
                .contains("\r\033[Kpoint 1  elapsed ")
                .contains("\r\033[Kmeasuring 2/2  elapsed ")
                .endsWith("\r\033[K");
    }

    @Test
    void clockWritesMinutesAndSecondsThenHours() {
        assertThat(Progress.clock(0)).isEqualTo("0:00");
        assertThat(Progress.clock(75.4)).isEqualTo("1:15");
        assertThat(Progress.clock(3725)).isEqualTo("1:02:05");
    }
}
