package io.shoal.node;

import io.shoal.node.net.HttpApi;
import io.shoal.node.net.HttpApi.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The HTTP routes of the change logs ({@link NodeLogs}), all behind the token:
 *
 * <ul>
 *   <li>{@code POST /log/append?name=NAME[&split=lines]}: the body is one record, or with {@code
 *       split=lines} one record per line (a last newline ends the last line, it adds no record);
 *       answers {@link io.shoal.node.api.LogAppended}.
 *   <li>{@code GET /log/read?name=NAME&from=OFFSET[&max=N][&wait=MILLIS]}: records from {@code
 *       OFFSET} on, waiting up to {@code wait} (at most 30 s) when there are none yet; answers
 *       {@link io.shoal.node.api.LogBatch}, record data in base64.
 *   <li>{@code GET /log/ls}: the logs this node holds ({@link io.shoal.node.api.LogInfo}).
 * </ul>
 */
final class LogRoutes {
  private LogRoutes() {}

  static HttpApi add(HttpApi api, NodeLogs logs) {
    return api.route(
            "POST",
            "/log/append",
            true,
            r -> Response.json(logs.append(required(r, "name"), records(r))))
        .asyncRoute(
            "GET",
            "/log/read",
            r ->
                logs.read(
                        required(r, "name"),
                        number(r, "from", -1),
                        (int)
                            Math.min(
                                number(r, "max", NodeLogs.MAX_READ_RECORDS), Integer.MAX_VALUE),
                        Duration.ofMillis(number(r, "wait", 0)))
                    .thenApply(Response::json))
        .route("GET", "/log/ls", true, r -> Response.json(logs.list()));
  }

  private static List<byte[]> records(HttpApi.Request r) {
    String split = r.param("split");
    if (split == null) {
      return List.of(r.body());
    }
    if (!split.equals("lines")) {
      throw new IllegalArgumentException("split must be 'lines', not '" + split + "'");
    }
    return lines(r.body());
  }

  /** The lines of {@code body}; a newline at its very end ends the last line. */
  static List<byte[]> lines(byte[] body) {
    List<byte[]> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < body.length; i++) {
      if (body[i] == '\n') {
        out.add(Arrays.copyOfRange(body, start, i));
        start = i + 1;
      }
    }
    if (start < body.length) {
      out.add(Arrays.copyOfRange(body, start, body.length));
    }
    return out;
  }

  private static String required(HttpApi.Request r, String name) {
    String v = r.param(name);
    if (v == null) {
      throw new IllegalArgumentException("missing query parameter '" + name + "'");
    }
    return v;
  }

  /**
   * Parameter {@code name} as a number of at least 0, or {@code absent} if not given (-1:
   * required).
   */
  private static long number(HttpApi.Request r, String name, long absent) {
    String v = r.param(name);
    if (v == null) {
      if (absent < 0) {
        throw new IllegalArgumentException("missing query parameter '" + name + "'");
      }
      return absent;
    }
    try {
      long n = Long.parseLong(v);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "'" + name + "' must be a number of at least 0, not '" + v + "'");
    }
  }
}
