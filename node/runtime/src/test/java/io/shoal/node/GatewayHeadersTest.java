package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.HashAlgorithm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The gateway's pure pieces, by tables: paths, entity tags, media types, escaping. */
class GatewayHeadersTest {
  static final String TAG = "\"xxh128:0123-abcd\"";

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "/snapshots/docs              | docs   |              | false",
        "/snapshots/docs/             | docs   |              | true",
        "/snapshots/docs@2/a/b.md     | docs@2 | a/b.md       | false",
        "/snapshots/docs/sub/         | docs   | sub          | true",
        "/snapshots/docs/c++%20x.txt  | docs   | c++ x.txt    | false",
        "/snapshots/docs/100%25.txt   | docs   | 100%.txt     | false",
        "/snapshots/docs/%C3%A9t%C3%A9 | docs  | été          | false",
      })
  void parse_goodPaths_nameRefPathAndListing(
      String raw, String ref, String path, boolean directory) {
    GatewayTarget t = GatewayTarget.parse(SnapshotGateway.PREFIX, raw);

    assertThat(t.ref().toString()).isEqualTo(ref);
    assertThat(t.path()).isEqualTo(path == null ? "" : path);
    assertThat(t.directory()).isEqualTo(directory);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/snapshots/",
        "/snapshots/docs/../x",
        "/snapshots/docs/./x",
        "/snapshots/docs/%2e%2E/x",
        "/snapshots/docs/a%2Fb",
        "/snapshots/docs/a%2fb",
        "/snapshots%2Fdocs/a",
        "/snapshots/docs/a%00",
        "/snapshots/docs//a",
        "/snapshots/docs/a%zz",
        "/snapshots/docs/a%4",
        "/snapshots/docs/%C0%AF",
        "/snapshots/docs/%FF",
      })
  void parse_hostilePaths_areRefused(String raw) {
    assertThatThrownBy(() -> GatewayTarget.parse(SnapshotGateway.PREFIX, raw))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void encodePath_thenParse_roundTrips() {
    String path = "<img src=x>/a \"b\"&'c'/100% c++ é?#.txt";
    String raw = "/snapshots/docs@1/" + GatewayTarget.encodePath(path);

    assertThat(raw).doesNotContain("<", ">", "\"", "'", " ", "?", "#", "+");
    assertThat(GatewayTarget.parse(SnapshotGateway.PREFIX, raw).path()).isEqualTo(path);
  }

  @Test
  void entityTag_isStrong_andDependsOnRootAndPath() {
    ChunkId root = new ChunkId(HashAlgorithm.XXH128, 1, 2);
    ChunkId other = new ChunkId(HashAlgorithm.XXH128, 1, 3);

    String tag = EntityTag.of(root, "a.md");
    assertThat(tag).startsWith("\"").endsWith("\"").contains(root.toHex());
    assertThat(tag.substring(1, tag.length() - 1)).doesNotContain("\"").matches("[!#-~]+");
    assertThat(EntityTag.of(root, "a.md")).isEqualTo(tag);
    assertThat(EntityTag.of(other, "a.md")).isNotEqualTo(tag);
    assertThat(EntityTag.of(root, "b.md")).isNotEqualTo(tag);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "'\"xxh128:0123-abcd\"'                  | true",
        "'W/\"xxh128:0123-abcd\"'                | true",
        "'*'                                     | true",
        "' \"a\" , W/\"b\",\"xxh128:0123-abcd\"' | true",
        "'\"a\", \"b\"'                          | false",
        "'xxh128:0123-abcd'                      | false",
        "'\"xxh128:0123-abcd'                    | false",
        "''                                      | false",
      })
  void noneMatchHits_comparesWeakly(String header, boolean hits) {
    assertThat(EntityTag.noneMatchHits(header, TAG)).isEqualTo(hits);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "'\"xxh128:0123-abcd\"'           | true",
        "' \"xxh128:0123-abcd\" '         | true",
        "'W/\"xxh128:0123-abcd\"'         | false",
        "'\"other\"'                      | false",
        "'Tue, 15 Nov 1994 08:12:31 GMT'  | false",
      })
  void rangeAllowed_needsTheStrongTag(String ifRange, boolean allowed) {
    assertThat(EntityTag.rangeAllowed(ifRange, TAG)).isEqualTo(allowed);
    assertThat(EntityTag.rangeAllowed(null, TAG)).isTrue();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "README.md        | text/markdown; charset=utf-8",
        "docs/NOTES.MD    | text/markdown; charset=utf-8",
        "a.txt            | text/plain; charset=utf-8",
        "a.html           | text/html; charset=utf-8",
        "a.json           | application/json",
        "a.css            | text/css; charset=utf-8",
        "a.js             | text/javascript; charset=utf-8",
        "a.png            | image/png",
        "a.jpg            | image/jpeg",
        "a.svg            | image/svg+xml",
        "a.pdf            | application/pdf",
        "a.tar            | application/x-tar",
        "a.tar.gz         | application/gzip",
        "a.zip            | application/zip",
        "Makefile         | application/octet-stream",
        ".md              | application/octet-stream",
        "dir.md/file      | application/octet-stream",
        "a.exe            | application/octet-stream",
      })
  void forPath_byExtension(String path, String type) {
    assertThat(MediaTypes.forPath(path)).isEqualTo(type);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8 | true",
        "text/html                                                      | true",
        "text/*;q=0.5, application/json;q=0.4                           | true",
        "application/json                                               | false",
        "*/*                                                            | false",
        "text/html;q=0.5, application/json                              | false",
        "text/html;q=0.5, */*;q=0.9                                     | false",
        "text/html;q=abc, application/json;q=0.1                        | false",
        "text/html, */*;q=0.1                                           | true",
        "''                                                             | false",
      })
  void prefersHtml_byQualityAndSpecificity(String accept, boolean html) {
    assertThat(MediaTypes.prefersHtml(accept)).isEqualTo(html);
    assertThat(MediaTypes.prefersHtml(null)).isFalse();
  }

  @Test
  void escape_leavesNoMarkup() {
    assertThat(SnapshotListing.escape("<script>alert('x')</script> & \"q\""))
        .isEqualTo("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  }
}
