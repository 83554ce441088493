package io.jiomap.cli.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.cli.MiniJson;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonWriterTest {
    @Test
    void nestedObjectsArraysAndEscapedStringsParseBackToTheSameValues() {
        String doc = new JsonWriter().beginObject()
                .member("fio version", "jiomap-1")
                .member("quote\"and\\slash", "line\nbreak\ttab\u0001")
                .member("n", 42L)
                .member("x", 1.5)
                .member("nan", Double.NaN)
                .member("ok", true)
                .name("empty").beginObject().endObject()
                .name("list").beginArray().value(1L).value("two").beginObject().member("k", "v").endObject()
                .endArray()
                .endObject().finish();

        Object parsed = MiniJson.parse(doc);

        assertThat(MiniJson.at(parsed, "fio version")).isEqualTo("jiomap-1");
        assertThat(MiniJson.at(parsed, "quote\"and\\slash")).isEqualTo("line\nbreak\ttab\u0001");
        assertThat(MiniJson.at(parsed, "n")).isEqualTo(42L);
        assertThat(MiniJson.number(parsed, "x")).isEqualTo(1.5);
        assertThat(MiniJson.number(parsed, "nan")).isZero();
        assertThat(MiniJson.at(parsed, "ok")).isEqualTo(true);
        assertThat((Map<?, ?>) MiniJson.at(parsed, "empty")).isEmpty();
        assertThat((List<?>) MiniJson.at(parsed, "list")).hasSize(3);
        assertThat(MiniJson.at(parsed, "list", 2, "k")).isEqualTo("v");
    }

    @Test
    void misuseFailsInsteadOfWritingBrokenJson() {
        assertThatThrownBy(() -> new JsonWriter().beginObject().value(1L)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new JsonWriter().beginObject().finish()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new JsonWriter().beginArray().endObject()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new JsonWriter().beginArray().name("k")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theTestParserRejectsWhatIsNotJson() {
        assertThatThrownBy(() -> MiniJson.parse("{\"a\": 1,}")).hasMessageContaining("invalid JSON");
        assertThatThrownBy(() -> MiniJson.parse("{\"a\": NaN}")).hasMessageContaining("invalid JSON");
        assertThatThrownBy(() -> MiniJson.parse("{\"a\": 1, \"a\": 2}")).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> MiniJson.parse("[1] x")).hasMessageContaining("trailing");
    }
}
