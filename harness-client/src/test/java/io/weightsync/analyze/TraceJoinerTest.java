package io.weightsync.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import io.weightsync.core.events.WeightsEvent;
import io.weightsync.core.trace.TraceId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceJoinerTest {

    private final List<UpdateTrace> folded = new ArrayList<>();

    private static List<WeightsEvent> fiveLines(long id) {
        TraceId t = new TraceId(id);
        long send = 1_000_000L + id * 1000;
        return List.of(new WeightsEvent.ClientSend(t, send), new WeightsEvent.ServerRecv(t, send + 10),
                new WeightsEvent.RpcStart(t, send + 11), new WeightsEvent.RpcDone(t, send + 61, 50),
                WeightsEvent.ClientDone.of(t, 70, 50));
    }

    @Test
    void aTraceIsHandedOverTheMomentItsFifthLineArrivesWhateverTheOrder() {
        TraceJoiner joiner = new TraceJoiner(10, folded::add);
        List<WeightsEvent> lines = new ArrayList<>(fiveLines(1));
        java.util.Collections.reverse(lines);
        lines.forEach(joiner::accept);

        assertThat(folded).singleElement().satisfies(t -> {
            assertThat(t.isComplete()).isTrue();
            assertThat(t.recvGapMillis()).isEqualTo(10);
            assertThat(t.queueMillis()).isEqualTo(20);
        });
        assertThat(joiner.complete()).isEqualTo(1);
    }

    @Test
    void aRepeatedPhaseIsADuplicateEvenAfterTheTraceCompleted() {
        TraceJoiner joiner = new TraceJoiner(10, folded::add);
        List<WeightsEvent> lines = fiveLines(2);
        joiner.accept(lines.get(0));
        joiner.accept(lines.get(0));
        lines.subList(1, 5).forEach(joiner::accept);
        joiner.accept(lines.get(4));
        joiner.finish();

        assertThat(joiner.duplicates()).isEqualTo(2);
        assertThat(joiner.duplicateExamples()).containsExactly("0000000000000002 client.send", "0000000000000002 client.done");
        assertThat(joiner.unfinished()).isZero();
        assertThat(folded).hasSize(1);
    }

    @Test
    void tooManyOpenTracesEvictTheOldestAsUnfinishedSoMemoryStaysBounded() {
        TraceJoiner joiner = new TraceJoiner(3, folded::add);
        for (long id = 1; id <= 5; id++) {
            joiner.accept(fiveLines(id).get(0));
        }
        assertThat(joiner.evicted()).isEqualTo(2);
        assertThat(folded).extracting(t -> t.trace().bits()).containsExactly(1L, 2L);

        joiner.finish();
        assertThat(joiner.unfinished()).isEqualTo(5);
        assertThat(folded).hasSize(5).allSatisfy(t -> assertThat(t.phasesMissing()).isEqualTo(
                "server.recv,rpc.start,rpc.done,client.done"));
    }
}
