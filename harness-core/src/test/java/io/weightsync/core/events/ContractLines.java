package io.weightsync.core.events;

import io.weightsync.core.trace.TraceId;
import java.util.List;

/** One example of every contract line, as text and as the event it must parse to. */
final class ContractLines {

    static final TraceId TRACE = TraceId.parse("3f9a0c21d4e5b6a7");

    record Example(String line, Event event) {
        @Override
        public String toString() {
            return line;
        }
    }

    static final List<Example> ALL = List.of(
            new Example("[weights][3f9a0c21d4e5b6a7] client.send t=1764345600.123",
                    new WeightsEvent.ClientSend(TRACE, 1_764_345_600_123L)),
            new Example("[weights][3f9a0c21d4e5b6a7] server.recv t=1764345608.701",
                    new WeightsEvent.ServerRecv(TRACE, 1_764_345_608_701L)),
            new Example("[weights][3f9a0c21d4e5b6a7] rpc.start t=1764345608.702",
                    new WeightsEvent.RpcStart(TRACE, 1_764_345_608_702L)),
            new Example("[weights][3f9a0c21d4e5b6a7] rpc.done t=1764345608.757 rpc_ms=55.3",
                    new WeightsEvent.RpcDone(TRACE, 1_764_345_608_757L, 55.3)),
            new Example("[weights][3f9a0c21d4e5b6a7] client.done wall_ms=8640 rpc_ms=55.3 queue_ms=8584.7",
                    new WeightsEvent.ClientDone(TRACE, 8640, 55.3, 8584.7)),
            new Example("[ckpt] write.done step=12 write_ms=840.5", new CkptEvent.WriteDone(12, 840.5)),
            new Example("[ckpt] wait.start target_step=12", new CkptEvent.WaitStart(12)),
            new Example("[ckpt] wait.done target_step=12 wait_ms=1003", new CkptEvent.WaitDone(12, 1003)),
            new Example("[gen] batch.start inflight=256 target_batch=512", new GenEvent.BatchStart(256, 512)),
            new Example("[gen] batch.done completions=512 dur_ms=41230.25 inflight=0",
                    new GenEvent.BatchDone(512, 41230.25, 0)),
            new Example("[rollout] trunc_pct=12.5 current_step=14 ckpt_step=12 staleness=2",
                    new RolloutEvent(12.5, 14, 12, 2)));

    private ContractLines() {}
}
