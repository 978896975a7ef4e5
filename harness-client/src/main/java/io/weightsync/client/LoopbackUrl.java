package io.weightsync.client;

import java.util.List;
import okhttp3.HttpUrl;

/**
 * The base URL of a load run, checked: an http(s) URL on a loopback address. Load tests only hit
 * loopback (a stray host name must not turn a soak into an attack on someone's server); a remote
 * host is reached through {@code ssh -L}, which makes it loopback here.
 */
public final class LoopbackUrl {

    private static final List<String> LOOPBACK = List.of("127.0.0.1", "localhost", "::1");

    private LoopbackUrl() {}

    /**
     * @param flag how the user gave it ({@code --base-url}, {@code -DbaseUrl}), for the message
     * @throws IllegalArgumentException one line naming the flag and the defect
     */
    public static HttpUrl parse(String url, String flag) {
        HttpUrl parsed = HttpUrl.parse(url);
        if (parsed == null) {
            throw new IllegalArgumentException(flag + " '" + url + "' is not an http(s) URL");
        }
        if (!LOOPBACK.contains(parsed.host()) && !parsed.host().matches("127(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException(flag + " must be a loopback address (127.0.0.1, ::1), was " + parsed.host()
                    + ": load tests only hit loopback; tunnel a remote host with ssh -L");
        }
        return parsed;
    }
}
