package io.shoal.node;

import java.util.Locale;
import java.util.Map;

/**
 * The media types the gateway serves, and which listing format a client's {@code Accept} prefers.
 *
 * <p>Snapshot content comes from peers, so the gateway must not let a browser run it as this node's
 * origin: that origin holds the API (and the dashboard's login). Every gateway answer says {@code
 * X-Content-Type-Options: nosniff}, so a browser never guesses a more active type than the one
 * sent; an unknown extension is {@code application/octet-stream}, which a browser downloads. HTML
 * and SVG, the two types here a browser would run scripts in, are served as what they are (a page
 * renders as a page, which is what someone opening one through the gateway wants) but with {@link
 * #SANDBOX_POLICY}: a sandbox without {@code allow-scripts} or {@code allow-same-origin}, so no
 * script runs, and the document has an opaque origin that can read neither the API nor its cookies.
 * Serving HTML as {@code text/plain} would be as safe but useless to a reader.
 */
final class MediaTypes {
  static final String OCTET_STREAM = "application/octet-stream";

  /**
   * The {@code Content-Security-Policy} of a served HTML or SVG file: sandboxed, no scripts, no
   * plug-ins, no forms; images, styles, fonts and media only from this node (plain GETs).
   */
  static final String SANDBOX_POLICY =
      "sandbox; default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline';"
          + " font-src 'self'; media-src 'self'; base-uri 'none'; form-action 'none'";

  /** The {@code Content-Security-Policy} of a listing page: its own inline style, nothing else. */
  static final String LISTING_POLICY =
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

  private static final Map<String, String> BY_EXTENSION =
      Map.ofEntries(
          Map.entry("md", "text/markdown; charset=utf-8"),
          Map.entry("txt", "text/plain; charset=utf-8"),
          Map.entry("log", "text/plain; charset=utf-8"),
          Map.entry("csv", "text/csv; charset=utf-8"),
          Map.entry("html", "text/html; charset=utf-8"),
          Map.entry("htm", "text/html; charset=utf-8"),
          Map.entry("css", "text/css; charset=utf-8"),
          Map.entry("js", "text/javascript; charset=utf-8"),
          Map.entry("json", "application/json"),
          Map.entry("svg", "image/svg+xml"),
          Map.entry("png", "image/png"),
          Map.entry("jpg", "image/jpeg"),
          Map.entry("jpeg", "image/jpeg"),
          Map.entry("gif", "image/gif"),
          Map.entry("webp", "image/webp"),
          Map.entry("pdf", "application/pdf"),
          Map.entry("tar", "application/x-tar"),
          Map.entry("gz", "application/gzip"),
          Map.entry("tgz", "application/gzip"),
          Map.entry("zip", "application/zip"));

  private MediaTypes() {}

  /** The type of a file at {@code path}, by its extension (any case). */
  static String forPath(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    int dot = name.lastIndexOf('.');
    if (dot <= 0) {
      return OCTET_STREAM; // no extension, or a dot file such as ".md"
    }
    return BY_EXTENSION.getOrDefault(
        name.substring(dot + 1).toLowerCase(Locale.ROOT), OCTET_STREAM);
  }

  /** Whether a file of {@code type} could run scripts in a browser, so it is sandboxed. */
  static boolean isActive(String type) {
    return type.startsWith("text/html") || type.startsWith("image/svg+xml");
  }

  /**
   * Whether {@code accept} (an {@code Accept} value, or null) ranks {@code text/html} above {@code
   * application/json} (RFC 9110 §12.5.1: each by the most specific range that matches it, with its
   * {@code q}). A tie, as with {@code *}{@code /*} or no header, gives JSON.
   */
  static boolean prefersHtml(String accept) {
    if (accept == null) {
      return false;
    }
    return quality(accept, "text", "html") > quality(accept, "application", "json");
  }

  /** The {@code q} that {@code accept} gives {@code type/subtype}; 0 when no range matches. */
  static double quality(String accept, String type, String subtype) {
    int bestSpecificity = -1;
    double q = 0;
    for (String range : accept.split(",", -1)) {
      String[] parts = range.split(";", -1);
      String media = parts[0].trim().toLowerCase(Locale.ROOT);
      int slash = media.indexOf('/');
      if (slash < 0) {
        continue;
      }
      String t = media.substring(0, slash);
      String s = media.substring(slash + 1);
      int specificity;
      if (t.equals(type) && s.equals(subtype)) {
        specificity = 2;
      } else if (t.equals(type) && s.equals("*")) {
        specificity = 1;
      } else if (t.equals("*") && s.equals("*")) {
        specificity = 0;
      } else {
        continue;
      }
      if (specificity > bestSpecificity) {
        bestSpecificity = specificity;
        q = qOf(parts);
      }
    }
    return q;
  }

  private static double qOf(String[] parts) {
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      if (p.length() > 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
        try {
          double q = Double.parseDouble(p.substring(2).trim());
          return q >= 0 && q <= 1 ? q : 0;
        } catch (NumberFormatException e) {
          return 0; // a q that does not parse: that range counts for nothing
        }
      }
    }
    return 1;
  }
}
