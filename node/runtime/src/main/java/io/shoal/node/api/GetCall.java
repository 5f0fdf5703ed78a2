package io.shoal.node.api;

import java.util.List;

/**
 * A request to write a snapshot out on this machine.
 *
 * @param ref {@code NAME} or {@code NAME@VERSION}
 * @param path absolute output path
 * @param force replace an existing output
 * @param sync fsync before the output appears
 * @param paths globs of the files to fetch and write ({@code --path}); null or empty for all
 */
public record GetCall(String ref, String path, boolean force, boolean sync, List<String> paths) {
  /** All files. */
  public GetCall(String ref, String path, boolean force, boolean sync) {
    this(ref, path, force, sync, null);
  }
}
