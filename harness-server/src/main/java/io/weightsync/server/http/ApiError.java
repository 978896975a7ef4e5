package io.weightsync.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request the server refuses, rendered as vLLM renders its errors:
 * {@code {"error": {"message", "type", "code"}}} with {@code code} the HTTP status.
 *
 * <p>Thrown by parsers and handlers; {@link HarnessServer}'s failure handler turns it into the
 * response. Anything else that escapes a handler is a server bug and answers 500.
 */
public final class ApiError extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** HTTP status, also written as {@code error.code}. */
    public final int status;
    /** vLLM's error class names: BadRequestError, NotFoundError, ... */
    public final String type;

    public ApiError(int status, String type, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
    }

    public static ApiError badRequest(String message) {
        return new ApiError(400, "BadRequestError", message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, "NotFoundError", message);
    }

    public static ApiError unauthorized(String message) {
        return new ApiError(401, "UnauthorizedError", message);
    }

    public static ApiError tooLarge(String message) {
        return new ApiError(413, "RequestEntityTooLarge", message);
    }

    public static ApiError overloaded(String message) {
        return new ApiError(503, "ServiceUnavailableError", message);
    }

    public static ApiError internal(String message) {
        return new ApiError(500, "InternalServerError", message);
    }

    /** The response body. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", getMessage());
        error.put("type", type);
        error.put("code", status);
        return root.toString();
    }
}
