package io.shoal.node;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.snapshot.FileEntry;
import io.shoal.chunkstore.snapshot.FileTable;
import io.shoal.node.net.HttpApi;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of a directory snapshot, or of one directory in it, as the gateway lists them for
 * {@code GET /snapshots/NAME[@VERSION]/[DIR/]}: JSON, or an HTML page for a browser. Names come
 * from peers and may be hostile: the page escapes every one, its links percent-encode every path
 * component, and its {@link MediaTypes#LISTING_POLICY} lets no script run even if that failed.
 *
 * @param name the snapshot's name
 * @param version the version listed (links name it, so they stay on this version)
 * @param root the snapshot's root id
 * @param directory the directory listed, {@code ""} for the whole snapshot
 * @param fileCount how many files are under it
 * @param truncated whether more files are under it than listed ({@link #MAX_LISTED_FILES})
 * @param files the files listed, in the snapshot's order
 */
record SnapshotListing(
    String name,
    long version,
    String root,
    String directory,
    long fileCount,
    boolean truncated,
    List<Listed> files) {
  /**
   * Most files one listing shows: a listing is built in memory, and a file table may hold millions.
   */
  static final int MAX_LISTED_FILES = 10_000;

  /**
   * One regular file.
   *
   * @param path its path in the snapshot
   * @param sizeBytes its length
   */
  record Listed(String path, long sizeBytes) {}

  /** The regular files under {@code directory} ({@code ""}: all) of {@code table}. */
  static SnapshotListing of(CatalogEntry entry, FileTable table, String directory) {
    String prefix = directory.isEmpty() ? "" : directory + "/";
    List<Listed> files = new ArrayList<>();
    long count = 0;
    for (FileEntry e : table.entries()) {
      if (!e.directory() && e.path().startsWith(prefix)) {
        count++;
        if (files.size() < MAX_LISTED_FILES) {
          files.add(new Listed(e.path(), e.sizeBytes()));
        }
      }
    }
    return new SnapshotListing(
        entry.name(),
        entry.version(),
        entry.root().toTaggedString(),
        directory,
        count,
        count > files.size(),
        List.copyOf(files));
  }

  byte[] json() {
    return HttpApi.Response.json(this).body();
  }

  /** The page: a table of links with sizes; nothing in it comes unescaped from the snapshot. */
  byte[] html() {
    String label = name + "@" + version + "/" + (directory.isEmpty() ? "" : directory + "/");
    String base = SnapshotGateway.PREFIX + GatewayTarget.encode(name + "@" + version) + "/";
    StringBuilder b = new StringBuilder(256 + files.size() * 128);
    b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
        .append(escape(label))
        .append("</title>\n<style>body{font-family:sans-serif}td.size{text-align:right;")
        .append("padding-left:2em;font-family:monospace}</style></head>\n<body><h1>")
        .append(escape(label))
        .append("</h1>\n<p>")
        .append(fileCount)
        .append(fileCount == 1 ? " file" : " files")
        .append(truncated ? ", the first " + files.size() + " shown" : "")
        .append("</p>\n<table>\n");
    for (Listed f : files) {
      b.append("<tr><td><a href=\"")
          .append(escape(base + GatewayTarget.encodePath(f.path())))
          .append("\">")
          .append(escape(f.path()))
          .append("</a></td><td class=\"size\">")
          .append(f.sizeBytes())
          .append("</td></tr>\n");
    }
    b.append("</table></body></html>\n");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** {@code s} safe as HTML text and as a quoted attribute value. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
