package io.weightsync.core.events;

import io.weightsync.core.trace.TraceId;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one log line into a {@link ParseResult}; never throws, whatever the input.
 *
 * <p>Tolerates what real logs put around an event line: any prefix before the tag (loguru's {@code
 * 2025-10-14 12:00:01.234 | INFO | mod:fn:88 - }, vLLM's {@code (APIServer pid=1234) INFO 10-14
 * 12:00:01 [api_server.py:99] }), ANSI colour codes anywhere, keys in any order, unknown {@code
 * key=value} pairs (returned in {@link ParseResult#extraFields()}), trailing whitespace and {@code \r}.
 * A bad number, a missing key or a bad trace id makes the line malformed, with one problem per defect.
 * A known tag with an unknown event name (a future line) is ignored.
 *
 * <p>Built for throughput: no regular expressions; a line without {@code [} is rejected after one
 * {@code indexOf}, and numbers are read straight from the line without substrings ({@link LineValues}).
 */
public final class EventLineParser {

    private enum ValueType { EPOCH_SECONDS, DECIMAL, WHOLE }

    private static final String[] TAGS = {"weights]", "ckpt]", "gen]", "rollout]"};
    private static final EventKind[][] KINDS_BY_TAG = new EventKind[TAGS.length][];
    private static final Map<EventKind, ValueType[]> TYPES = new EnumMap<>(EventKind.class);

    static {
        for (int t = 0; t < TAGS.length; t++) {
            String tag = TAGS[t].substring(0, TAGS[t].length() - 1);
            KINDS_BY_TAG[t] = Arrays.stream(EventKind.values())
                    .filter(k -> k.tag().equals(tag)).toArray(EventKind[]::new);
        }
        for (EventKind kind : EventKind.values()) {
            ValueType[] types = new ValueType[kind.keys().size()];
            for (int i = 0; i < types.length; i++) {
                String key = kind.keys().get(i);
                types[i] = key.equals("t") ? ValueType.EPOCH_SECONDS
                        : key.endsWith("_ms") || key.equals("trunc_pct") ? ValueType.DECIMAL
                        : ValueType.WHOLE;
            }
            TYPES.put(kind, types);
        }
    }

    /**
     * Known tags tried per line before giving up. Each try may scan the rest of the line, so a cap keeps
     * a line stuffed with tags linear instead of quadratic.
     */
    private static final int MAX_TAG_ATTEMPTS = 3;

    private EventLineParser() {}

    /** Parses one line (with or without its terminator); null and empty lines are ignored. */
    public static ParseResult parse(String line) {
        if (line == null || line.indexOf('[') < 0) {
            return ParseResult.ignored();
        }
        String text = AnsiCodes.strip(line);
        int from = 0;
        int attemptsLeft = MAX_TAG_ATTEMPTS;
        while (attemptsLeft > 0) {
            int open = text.indexOf('[', from);
            if (open < 0) {
                break;
            }
            for (int t = 0; t < TAGS.length; t++) {
                if (text.startsWith(TAGS[t], open + 1)) {
                    ParseResult result = parseTagged(text, open + 1 + TAGS[t].length(), t);
                    if (result.isEventLine()) {
                        return result;
                    }
                    attemptsLeft--;
                    break;
                }
            }
            from = open + 1;
        }
        return ParseResult.ignored();
    }

    /** {@code pos} is just after the tag's closing bracket. */
    private static ParseResult parseTagged(String line, int pos, int tagIndex) {
        int n = line.length();
        int traceStart = -1;
        int traceEnd = -1;
        if (tagIndex == 0) {
            // [weights][<trace>]
            pos = skipSpaces(line, pos);
            if (pos >= n || line.charAt(pos) != '[') {
                return ParseResult.ignored();
            }
            traceStart = pos + 1;
            traceEnd = line.indexOf(']', traceStart);
            if (traceEnd < 0) {
                return ParseResult.ignored();
            }
            pos = traceEnd + 1;
        }
        EventKind kind;
        if (KINDS_BY_TAG[tagIndex].length == 1 && KINDS_BY_TAG[tagIndex][0] == EventKind.ROLLOUT) {
            kind = EventKind.ROLLOUT;
        } else {
            int nameStart = skipSpaces(line, pos);
            int nameEnd = nameStart;
            while (nameEnd < n && line.charAt(nameEnd) > ' ') {
                nameEnd++;
            }
            kind = lookup(line, nameStart, nameEnd, KINDS_BY_TAG[tagIndex]);
            if (kind == null) {
                return ParseResult.ignored();
            }
            pos = nameEnd;
        }
        return parseFields(line, pos, kind, traceStart, traceEnd);
    }

    private static EventKind lookup(String line, int start, int end, EventKind[] candidates) {
        int length = end - start;
        for (EventKind kind : candidates) {
            String name = kind.eventName();
            if (name.length() == length && line.startsWith(name, start)) {
                return kind;
            }
        }
        return null;
    }

    private static ParseResult parseFields(String line, int pos, EventKind kind, int traceStart, int traceEnd) {
        List<String> keys = kind.keys();
        int keyCount = keys.size();
        int[] valueStart = new int[keyCount];
        int[] valueEnd = new int[keyCount];
        Arrays.fill(valueStart, -1);
        Map<String, String> extras = Map.of();
        boolean anyKnownKey = false;

        // split on whitespace into key=value tokens; tokens without a key are ignored
        int n = line.length();
        int i = pos;
        while (true) {
            i = skipSpaces(line, i);
            if (i >= n) {
                break;
            }
            int tokenStart = i;
            int eq = -1;
            while (i < n && line.charAt(i) > ' ') {
                if (eq < 0 && line.charAt(i) == '=') {
                    eq = i;
                }
                i++;
            }
            if (eq <= tokenStart) {
                continue;
            }
            int keyLength = eq - tokenStart;
            int index = -1;
            for (int k = 0; k < keyCount; k++) {
                String key = keys.get(k);
                if (key.length() == keyLength && line.startsWith(key, tokenStart)) {
                    index = k;
                    break;
                }
            }
            if (index >= 0) {
                anyKnownKey = true;
                if (valueStart[index] < 0) {
                    valueStart[index] = eq + 1;
                    valueEnd[index] = i;
                }
            } else {
                if (extras.isEmpty()) {
                    extras = new LinkedHashMap<>();
                }
                extras.putIfAbsent(line.substring(tokenStart, eq), line.substring(eq + 1, i));
            }
        }
        if (kind == EventKind.ROLLOUT && !anyKnownKey) {
            return ParseResult.ignored(); // "[rollout] starting workers" and the like
        }

        LineValues values = new LineValues(keyCount);
        TraceId trace = null;
        if (traceStart >= 0) {
            String traceText = line.substring(traceStart, traceEnd);
            if (TraceId.isValid(traceText)) {
                trace = TraceId.parse(traceText);
            } else {
                values.problem("trace: " + LineValues.quote(traceText, 0, traceText.length()) + " is not 16 hex digits");
            }
        }
        ValueType[] types = TYPES.get(kind);
        for (int k = 0; k < keyCount; k++) {
            String key = keys.get(k);
            if (valueStart[k] < 0) {
                if (kind.isOptional(key)) {
                    values.notMeasured(k);
                } else {
                    values.problem(key + ": missing");
                }
                continue;
            }
            switch (types[k]) {
                case EPOCH_SECONDS -> values.readEpochSeconds(k, key, line, valueStart[k], valueEnd[k]);
                case DECIMAL -> values.readDecimal(k, key, line, valueStart[k], valueEnd[k]);
                case WHOLE -> values.readWhole(k, key, line, valueStart[k], valueEnd[k]);
            }
        }
        if (kind == EventKind.ROLLOUT && !values.hasProblems()) {
            double pct = values.doubles()[0];
            if (!(pct >= 0.0 && pct <= 100.0)) {
                values.problem("trunc_pct: " + LineValues.quote(line, valueStart[0], valueEnd[0]) + " is outside 0..100");
            }
        }
        if (values.hasProblems()) {
            return ParseResult.malformed(kind, values.problems(), extras);
        }
        return ParseResult.event(build(kind, trace, values.longs(), values.doubles()), extras);
    }

    /** Values are in {@link EventKind#keys()} order; every one has been read and checked. */
    private static Event build(EventKind kind, TraceId trace, long[] l, double[] d) {
        return switch (kind) {
            case CLIENT_SEND -> new WeightsEvent.ClientSend(trace, l[0]);
            case SERVER_RECV -> new WeightsEvent.ServerRecv(trace, l[0]);
            case RPC_START -> new WeightsEvent.RpcStart(trace, l[0]);
            case RPC_DONE -> new WeightsEvent.RpcDone(trace, l[0], d[1]);
            case CLIENT_DONE -> new WeightsEvent.ClientDone(trace, d[0], d[1], d[2]);
            case CKPT_WRITE_DONE -> new CkptEvent.WriteDone(l[0], d[1]);
            case CKPT_WAIT_START -> new CkptEvent.WaitStart(l[0]);
            case CKPT_WAIT_DONE -> new CkptEvent.WaitDone(l[0], d[1]);
            case GEN_BATCH_START -> new GenEvent.BatchStart(l[0], l[1]);
            case GEN_BATCH_DONE -> new GenEvent.BatchDone(l[0], d[1], l[2]);
            case ROLLOUT -> new RolloutEvent(d[0], l[1], l[2], l[3]);
        };
    }

    private static int skipSpaces(String line, int i) {
        int n = line.length();
        while (i < n && line.charAt(i) <= ' ') {
            i++;
        }
        return i;
    }

}
