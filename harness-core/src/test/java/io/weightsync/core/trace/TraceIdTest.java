package io.weightsync.core.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class TraceIdTest {

    @Test
    void randomIdsAreSixteenLowercaseHexDigitsAndDistinct() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            TraceId id = TraceId.random();
            assertThat(id.bits()).isNotZero();
            assertThat(id.toString()).matches("[0-9a-f]{16}");
            seen.add(id.toString());
        }
        assertThat(seen).hasSize(1_000);
    }

    @Test
    void parseNormalisesUpperCaseToLowerCase() {
        TraceId id = TraceId.parse("3F9A0C21D4E5B6A7");

        assertThat(id.toString()).isEqualTo("3f9a0c21d4e5b6a7");
        assertThat(id).isEqualTo(TraceId.parse("3f9a0c21d4e5b6a7"));
    }

    @Test
    void textFormKeepsLeadingZerosAndHighBit() {
        assertThat(TraceId.parse("000000000000abcd").toString()).isEqualTo("000000000000abcd");
        assertThat(new TraceId(-1L).toString()).isEqualTo("ffffffffffffffff");
        assertThat(TraceId.parse("ffffffffffffffff").bits()).isEqualTo(-1L);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "3f9a0c21d4e5b6a", "3f9a0c21d4e5b6a70", "3f9a0c21d4e5b6ag",
            " 3f9a0c21d4e5b6a", "0x3f9a0c21d4e5b6", "3f9a0c21-d4e5b6a", "３f9a0c21d4e5b6a7"})
    void rejectsAnythingButSixteenHexDigitsNamingTheValue(String bad) {
        assertThat(TraceId.isValid(bad)).isFalse();
        assertThatThrownBy(() -> TraceId.parse(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(bad == null ? "null" : "'" + bad + "'");
    }

    @Test
    void serialisesToJsonAsItsTextForm() throws Exception {
        ObjectMapper json = new ObjectMapper();
        TraceId id = TraceId.parse("3f9a0c21d4e5b6a7");

        assertThat(json.writeValueAsString(id)).isEqualTo("\"3f9a0c21d4e5b6a7\"");
        assertThat(json.readValue("\"3F9A0C21D4E5B6A7\"", TraceId.class)).isEqualTo(id);
    }
}
