package io.shoal.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.node.api.PublishCall;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snapshot gateway as a browser or a cache sees it, on a real node: entity tags and conditional
 * requests (RFC 9110 §13), types by extension, listings, hostile paths.
 */
class GatewayTest {
  /** A file name that is markup: a listing must show it as text. */
  static final String HOSTILE_NAME = "<img src=x onerror=alert(1)>.txt";

  /** A name with characters a double decoding (or a form decoding) gets wrong. */
  static final String PERCENT_NAME = "c++ 100%.txt";

  /** What a browser's Accept says when it opens a page. */
  static final String BROWSER_ACCEPT =
      "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

  @TempDir Path tmp;
  private TestSwarm swarm;
  private ShoalNode node;
  private String token;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void start() throws Exception {
    swarm = new TestSwarm(tmp);
    node = swarm.start(swarm.config("n"));
    token = swarm.apiToken("n");
    Path site = tmp.resolve("site");
    Files.createDirectories(site.resolve("sub"));
    Files.writeString(site.resolve("readme.md"), "# shoal\nversion one\n");
    Files.writeString(site.resolve("index.html"), "<p>hi</p>");
    Files.writeString(site.resolve("data"), "no extension");
    Files.writeString(site.resolve("sub/a.txt"), "in sub");
    Files.writeString(site.resolve(HOSTILE_NAME), "hostile");
    Files.writeString(site.resolve(PERCENT_NAME), "plus and percent");
    node.publish(new PublishCall("site", site.toString(), null, null, null));
    Files.writeString(site.resolve("readme.md"), "# shoal\nversion two\n");
    node.publish(new PublishCall("site", site.toString(), null, null, null));
  }

  @AfterEach
  void stop() {
    swarm.close();
  }

  private HttpRequest.Builder request(String rawPath, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.httpAddress().getPort() + rawPath))
            .header("Authorization", "Bearer " + token);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b;
  }

  private HttpResponse<String> get(String rawPath, String... headers)
      throws IOException, InterruptedException {
    return client.send(request(rawPath, headers).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> head(String rawPath, String... headers)
      throws IOException, InterruptedException {
    return client.send(
        request(rawPath, headers).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  @Test
  @DisplayName(
      "a file's ETag is strong, the same on every request, and differs by version and path")
  void etag_isStrongStable_andDiffersByVersionAndPath() throws Exception {
    HttpResponse<String> first = get("/snapshots/site@1/readme.md");
    HttpResponse<String> again = get("/snapshots/site@1/readme.md");
    HttpResponse<String> second = get("/snapshots/site@2/readme.md");
    HttpResponse<String> other = get("/snapshots/site@1/index.html");

    assertThat(first.body()).isEqualTo("# shoal\nversion one\n");
    String tag = header(first, "ETag");
    assertThat(tag).startsWith("\"").endsWith("\"").doesNotStartWith("W/");
    assertThat(header(again, "ETag")).isEqualTo(tag);
    assertThat(header(second, "ETag")).isNotNull().isNotEqualTo(tag);
    assertThat(header(other, "ETag")).isNotNull().isNotEqualTo(tag);
    assertThat(header(head("/snapshots/site@1/readme.md"), "ETag")).isEqualTo(tag);
  }

  @Test
  @DisplayName(
      "If-None-Match with the file's tag (weakly compared, or *) answers 304 without a body")
  void ifNoneMatch_matchingTag_is304() throws Exception {
    String path = "/snapshots/site@1/readme.md";
    String tag = header(get(path), "ETag");

    for (String condition : List.of(tag, "W/" + tag, "\"other\", " + tag, "*")) {
      HttpResponse<String> r = get(path, "If-None-Match", condition);
      assertThat(r.statusCode()).as(condition).isEqualTo(304);
      assertThat(r.body()).as(condition).isEmpty();
      assertThat(header(r, "ETag")).as(condition).isEqualTo(tag);
    }
    assertThat(head(path, "If-None-Match", tag).statusCode()).isEqualTo(304);
    assertThat(get(path, "If-None-Match", tag, "Range", "bytes=0-1").statusCode())
        .as("If-None-Match is evaluated before Range")
        .isEqualTo(304);
    HttpResponse<String> stale = get(path, "If-None-Match", "\"other\"");
    assertThat(stale.statusCode()).isEqualTo(200);
    assertThat(stale.body()).isEqualTo("# shoal\nversion one\n");
    HttpResponse<String> newer = get("/snapshots/site@2/readme.md", "If-None-Match", tag);
    assertThat(newer.statusCode()).as("the tag of version 1 on version 2").isEqualTo(200);
  }

  @Test
  @DisplayName("If-Range serves the range only for the file's strong tag; else the whole file, 200")
  void ifRange_servesTheRangeOnlyForTheStrongTag() throws Exception {
    String path = "/snapshots/site@1/readme.md";
    String tag = header(get(path), "ETag");

    HttpResponse<String> match = get(path, "Range", "bytes=0-6", "If-Range", tag);
    assertThat(match.statusCode()).isEqualTo(206);
    assertThat(match.body()).isEqualTo("# shoal");
    assertThat(header(match, "Content-Range")).isEqualTo("bytes 0-6/20");
    for (String condition :
        List.of("\"other\"", "W/" + tag, "Tue, 15 Nov 1994 08:12:31 GMT", tag + "x")) {
      HttpResponse<String> r = get(path, "Range", "bytes=0-6", "If-Range", condition);
      assertThat(r.statusCode()).as(condition).isEqualTo(200);
      assertThat(r.body()).as(condition).isEqualTo("# shoal\nversion one\n");
      assertThat(header(r, "Content-Range")).as(condition).isNull();
    }
  }

  @Test
  @DisplayName("HEAD answers as GET; a range past the end is 416 with Content-Range bytes */SIZE")
  void head_andUnsatisfiableRange_followRfc9110() throws Exception {
    String path = "/snapshots/site@1/sub/a.txt";
    HttpResponse<String> get = get(path);
    HttpResponse<String> head = head(path);

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    for (String h : List.of("Content-Length", "Content-Type", "ETag", "Accept-Ranges")) {
      assertThat(header(head, h)).as(h).isNotNull().isEqualTo(header(get, h));
    }
    HttpResponse<String> outside = get(path, "Range", "bytes=6-");
    assertThat(outside.statusCode()).isEqualTo(416);
    assertThat(header(outside, "Content-Range")).isEqualTo("bytes */6");
  }

  @Test
  @DisplayName("a file's Content-Type follows its extension; nosniff always; HTML runs sandboxed")
  void contentType_byExtension_nosniff_andSandboxedHtml() throws Exception {
    HttpResponse<String> md = get("/snapshots/site@1/readme.md");
    HttpResponse<String> txt = get("/snapshots/site@1/sub/a.txt");
    HttpResponse<String> html = get("/snapshots/site@1/index.html");
    HttpResponse<String> none = get("/snapshots/site@1/data");

    assertThat(header(md, "Content-Type")).isEqualTo("text/markdown; charset=utf-8");
    assertThat(header(txt, "Content-Type")).isEqualTo("text/plain; charset=utf-8");
    assertThat(header(html, "Content-Type")).isEqualTo("text/html; charset=utf-8");
    assertThat(header(none, "Content-Type")).isEqualTo("application/octet-stream");
    for (HttpResponse<String> r : List.of(md, txt, html, none)) {
      assertThat(header(r, "X-Content-Type-Options")).isEqualTo("nosniff");
    }
    assertThat(header(html, "Content-Security-Policy"))
        .startsWith("sandbox;")
        .contains("default-src 'none'")
        .doesNotContain("allow-scripts", "allow-same-origin");
    assertThat(header(md, "Content-Security-Policy")).isNull();
  }

  @Test
  @DisplayName(
      "GET /snapshots/NAME/ lists the files with sizes as JSON (by default and on request)")
  void listing_isJsonByDefault() throws Exception {
    ObjectMapper json = new ObjectMapper();
    for (String accept : List.of("", "application/json", "*/*")) {
      HttpResponse<String> r =
          accept.isEmpty() ? get("/snapshots/site/") : get("/snapshots/site/", "Accept", accept);

      assertThat(r.statusCode()).as(accept).isEqualTo(200);
      assertThat(header(r, "Content-Type")).as(accept).isEqualTo("application/json");
      JsonNode listing = json.readTree(r.body());
      assertThat(listing.get("name").asText()).isEqualTo("site");
      assertThat(listing.get("version").asLong()).isEqualTo(2);
      assertThat(listing.get("fileCount").asLong()).isEqualTo(6);
      assertThat(listing.get("truncated").asBoolean()).isFalse();
      List<String> files = new ArrayList<>();
      listing.get("files").forEach(f -> files.add(f.get("path").asText()));
      assertThat(files)
          .containsExactlyInAnyOrder(
              "readme.md", "index.html", "data", "sub/a.txt", HOSTILE_NAME, PERCENT_NAME);
      listing
          .get("files")
          .forEach(
              f -> {
                if (f.get("path").asText().equals("readme.md")) {
                  assertThat(f.get("sizeBytes").asLong()).isEqualTo(20);
                }
              });
    }
    JsonNode sub = json.readTree(get("/snapshots/site@1/sub/").body());
    assertThat(sub.get("files")).hasSize(1);
    assertThat(sub.get("files").get(0).get("path").asText()).isEqualTo("sub/a.txt");
    assertThat(sub.get("files").get(0).get("sizeBytes").asLong()).isEqualTo(6);
    assertThat(json.readTree(get("/snapshots/site@1").body()).get("fileCount").asLong())
        .as("the snapshot named without a slash")
        .isEqualTo(6);
    assertThat(get("/snapshots/site@1/nosuch/").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("a browser gets the listing as HTML, every hostile name escaped, links that work")
  void listing_forABrowser_isEscapedHtml() throws Exception {
    HttpResponse<String> r = get("/snapshots/site@1/", "Accept", BROWSER_ACCEPT);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(header(r, "Content-Type")).isEqualTo("text/html; charset=utf-8");
    assertThat(header(r, "Content-Security-Policy")).contains("default-src 'none'");
    assertThat(header(r, "Vary")).isEqualTo("Accept");
    String page = r.body();
    assertThat(page).doesNotContain("<img").contains("&lt;img src=x onerror=alert(1)&gt;.txt");
    List<String> links = new ArrayList<>();
    Matcher m = Pattern.compile("href=\"([^\"]*)\"").matcher(page);
    while (m.find()) {
      links.add(m.group(1).replace("&amp;", "&"));
    }
    assertThat(links).hasSize(6).allMatch(l -> l.startsWith("/snapshots/site@1/"));
    for (String link : links) {
      assertThat(get(link).statusCode()).as(link).isEqualTo(200);
    }
    String hostileLink =
        links.stream().filter(l -> l.contains("onerror")).findFirst().orElseThrow();
    assertThat(get(hostileLink).body()).isEqualTo("hostile");
  }

  @Test
  @DisplayName("a path is decoded once: + stays a plus and %25 a percent sign")
  void path_isDecodedOnce() throws Exception {
    HttpResponse<String> r = get("/snapshots/site@1/c++%20100%25.txt");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("plus and percent");
  }

  @Test
  @DisplayName("hostile paths (.., encoded slashes, NUL, empty components) are refused with 400")
  void hostilePaths_areRefused() throws Exception {
    for (String path :
        List.of(
            "/snapshots/site@1/../site@1/readme.md",
            "/snapshots/site@1/%2E%2E/readme.md",
            "/snapshots/site@1/sub%2Fa.txt",
            "/snapshots/site@1%2Fsub/a.txt",
            "/snapshots%2Fsite@1/readme.md",
            "/snapshots/site@1/readme.md%00",
            "/snapshots/site@1//readme.md",
            "/snapshots/site@1/%C0%AF")) {
      HttpResponse<String> r = get(path);

      assertThat(r.statusCode()).as(path).isEqualTo(400);
      assertThat(r.body()).as(path).contains("\"error\"");
    }
    assertThat(get("/snapshots/site@1/nosuch.txt").statusCode()).isEqualTo(404);
    assertThat(get("/snapshots/site@1/readme.md/").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("a single-file snapshot still answers at /snapshots/NAME, with a tag and a type")
  void singleFileSnapshot_servesItsFile() throws Exception {
    Path blob = tmp.resolve("notes.md");
    Files.write(blob, "single".getBytes(UTF_8));
    node.publish(new PublishCall("notes", blob.toString(), null, null, null));

    HttpResponse<String> r = get("/snapshots/notes");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("single");
    assertThat(header(r, "Content-Type")).isEqualTo("text/markdown; charset=utf-8");
    assertThat(header(r, "ETag")).isEqualTo(header(get("/snapshots/notes/notes.md"), "ETag"));
    assertThat(get("/snapshots/notes", "If-None-Match", header(r, "ETag")).statusCode())
        .isEqualTo(304);
  }
}
