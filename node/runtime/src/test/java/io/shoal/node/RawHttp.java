package io.shoal.node;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Crafted HTTP/1.x requests over a plain socket, for what {@code HttpClient} will not send: a
 * foreign Host header, none at all, any Content-Type. The request asks the server to close, and the
 * reply is read to the end of the stream.
 */
final class RawHttp {
  static final int READ_TIMEOUT_MILLIS = 20_000;

  /**
   * A parsed reply.
   *
   * @param status the status code
   * @param headers header values by lower-case name
   * @param body the body as text (raw: chunked bodies are not decoded)
   */
  record Reply(int status, Map<String, List<String>> headers, String body) {
    String header(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null ? null : v.get(0);
    }
  }

  private RawHttp() {}

  /** {@code METHOD PATH HTTP/1.1} with the given headers (in order) and body. */
  static String request(String method, String path, Map<String, String> headers, String body) {
    StringBuilder sb = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
    headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (!body.isEmpty()) {
      sb.append("Content-Length: ").append(bytes.length).append("\r\n");
    }
    sb.append("Connection: close\r\n\r\n").append(body);
    return sb.toString();
  }

  /** Headers in order, from pairs: {@code headers("Host", "x", "Origin", "y")}. */
  static Map<String, String> headers(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  static Reply send(InetSocketAddress to, String request) throws IOException {
    try (Socket s = new Socket(to.getAddress(), to.getPort())) {
      s.setSoTimeout(READ_TIMEOUT_MILLIS);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      return parse(all.toString(StandardCharsets.UTF_8));
    }
  }

  private static Reply parse(String text) {
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      throw new IllegalStateException("not an HTTP reply: '" + text + "'");
    }
    List<String> lines = text.substring(0, end).lines().toList();
    String statusLine = lines.get(0);
    int firstSpace = statusLine.indexOf(' ');
    int status = Integer.parseInt(statusLine.substring(firstSpace + 1, firstSpace + 4));
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      int colon = line.indexOf(':');
      headers
          .computeIfAbsent(
              line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(line.substring(colon + 1).trim());
    }
    return new Reply(status, headers, text.substring(end + 4));
  }
}
