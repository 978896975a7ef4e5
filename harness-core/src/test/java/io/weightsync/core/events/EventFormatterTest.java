package io.weightsync.core.events;

import static io.weightsync.core.events.ContractLines.TRACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class EventFormatterTest {

    @ParameterizedTest
    @FieldSource("io.weightsync.core.events.ContractLines#ALL")
    void writesTheExactContractText(ContractLines.Example example) {
        assertThat(example.event().toLine()).isEqualTo(example.line());
    }

    @Test
    void examplesCoverEveryLineKind() {
        Set<EventKind> covered = ContractLines.ALL.stream().map(e -> e.event().kind())
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(EventKind.class)));

        assertThat(covered).containsExactlyInAnyOrder(EventKind.values());
    }

    @Test
    void writesEpochSecondsWithExactlyThreeDecimals() {
        assertThat(new WeightsEvent.ClientSend(TRACE, 1_764_345_600_000L).toLine()).endsWith(" t=1764345600.000");
        assertThat(new WeightsEvent.ClientSend(TRACE, 1_764_345_600_007L).toLine()).endsWith(" t=1764345600.007");
        assertThat(new WeightsEvent.ClientSend(TRACE, 42L).toLine()).endsWith(" t=0.042");
    }

    @Test
    void writesDurationsToTheMicrosecondWithoutTrailingZerosOrExponent() {
        assertThat(line(0.0)).endsWith(" rpc_ms=0");
        assertThat(line(55.30)).endsWith(" rpc_ms=55.3");
        assertThat(line(55.25)).endsWith(" rpc_ms=55.25");
        assertThat(line(0.0015)).endsWith(" rpc_ms=0.002");
        assertThat(line(1.23456789)).endsWith(" rpc_ms=1.235");
        assertThat(line(-3.5)).endsWith(" rpc_ms=-3.5");
        assertThat(line(1e-9)).endsWith(" rpc_ms=0");
        assertThat(line(1e15)).endsWith(" rpc_ms=1000000000000000");
        assertThat(line(1.5e20)).endsWith(" rpc_ms=150000000000000000000");
    }

    @Test
    void clientDoneOfComputesQueueAsWallMinusRpc() {
        WeightsEvent.ClientDone done = WeightsEvent.ClientDone.of(TRACE, 8640, 55.3);

        assertThat(done.queueMillis()).isEqualTo(8640 - 55.3);
        assertThat(done.toLine()).endsWith(" wall_ms=8640 rpc_ms=55.3 queue_ms=8584.7");
    }

    @Test
    void clientDoneLeavesOutRpcAndQueueThatWereNotMeasuredInsteadOfWritingZero() {
        WeightsEvent.ClientDone done = WeightsEvent.ClientDone.of(TRACE, 8640, Double.NaN);

        assertThat(done.queueMillis()).isNaN();
        assertThat(done.toLine()).isEqualTo("[weights][" + TRACE + "] client.done wall_ms=8640");
        assertThatThrownBy(() -> WeightsEvent.ClientDone.of(TRACE, Double.NaN, 1)).hasMessageContaining("wall_ms");
        assertThatThrownBy(() -> WeightsEvent.ClientDone.of(TRACE, 1, Double.POSITIVE_INFINITY))
                .hasMessageContaining("rpc_ms");
    }

    @Test
    void rolloutOfComputesStalenessAsCurrentMinusCheckpointStep() {
        assertThat(RolloutEvent.of(3.25, 20, 17).staleness()).isEqualTo(3);
    }

    @Test
    void recordsRejectValuesNoLineCouldCarryNamingTheKey() {
        assertThatThrownBy(() -> new WeightsEvent.RpcDone(TRACE, 1L, Double.NaN)).hasMessageContaining("rpc_ms");
        assertThatThrownBy(() -> new WeightsEvent.ClientSend(TRACE, -1L)).hasMessageContaining("t must not");
        assertThatThrownBy(() -> new WeightsEvent.ClientSend(null, 1L)).hasMessageContaining("trace");
        assertThatThrownBy(() -> new RolloutEvent(100.5, 1, 1, 0)).hasMessageContaining("trunc_pct");
        assertThatThrownBy(() -> new GenEvent.BatchDone(1, Double.POSITIVE_INFINITY, 0))
                .hasMessageContaining("dur_ms");
    }

    @Test
    void everyKindListsTheContractKeysInWrittenOrder() {
        for (ContractLines.Example example : ContractLines.ALL) {
            String[] tokens = example.line().split(" ");
            String[] keys = Arrays.stream(tokens).filter(t -> t.contains("="))
                    .map(t -> t.substring(0, t.indexOf('='))).toArray(String[]::new);
            assertThat(keys).as(example.line()).containsExactlyElementsOf(example.event().kind().keys());
        }
    }

    private static String line(double rpcMillis) {
        return new WeightsEvent.RpcDone(TRACE, 0L, rpcMillis).toLine();
    }
}
