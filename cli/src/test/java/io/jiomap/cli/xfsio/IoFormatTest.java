package io.jiomap.cli.xfsio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class IoFormatTest {
    @Test
    void sizesPrintAsXfsIoPrintsThem() {
        assertThat(IoFormat.size(16384)).isEqualTo("16 KiB");
        assertThat(IoFormat.size(1536)).isEqualTo("1.500 KiB");
        assertThat(IoFormat.size(10L << 20)).isEqualTo("10 MiB");
        assertThat(IoFormat.size(32)).isEqualTo("32.000000 bytes");
        assertThat(IoFormat.size(0)).isEqualTo("0.000000 bytes");
    }

    @Test
    void numbersTakeXfsIoSuffixesAndBases() {
        assertThat(IoFormat.number("4k", 4096)).isEqualTo(4096);
        assertThat(IoFormat.number("2b", 4096)).isEqualTo(8192);
        assertThat(IoFormat.number("3s", 4096)).isEqualTo(1536);
        assertThat(IoFormat.number("0x41", 4096)).isEqualTo(65);
        assertThat(IoFormat.number("1m", 4096)).isEqualTo(1 << 20);
        assertThatThrownBy(() -> IoFormat.number("12q", 4096)).hasMessageContaining("non-numeric argument -- 12q");
    }

    @Test
    void getoptTakesClusteredAndAttachedOptionsAndStopsAtOperands() {
        Getopt o = new Getopt("pwrite", List.of("-qS0x41", "-b", "8192", "0", "-1"), "b:S:q");

        assertThat(o.has('q')).isTrue();
        assertThat(o.value('S')).isEqualTo("0x41");
        assertThat(o.value('b')).isEqualTo("8192");
        assertThat(o.operands()).containsExactly("0", "-1");
    }

    @Test
    void commandLinesSplitAtBlanksKeepingQuotedWordsWhole() {
        assertThat(XfsIo.split("  pwrite  -S 0x41 0 4k ")).containsExactly("pwrite", "-S", "0x41", "0", "4k");
        assertThat(XfsIo.split("open -f 'a b'")).containsExactly("open", "-f", "a b");
        assertThatThrownBy(() -> XfsIo.split("open 'a")).hasMessageContaining("unbalanced quote");
    }
}
