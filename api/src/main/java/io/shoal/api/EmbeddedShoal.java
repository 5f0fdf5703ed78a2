package io.shoal.api;

import io.shoal.node.NodeConfig;
import io.shoal.node.ShoalNode;
import io.shoal.node.api.GetCall;
import io.shoal.node.api.NodeStatus;
import io.shoal.node.api.PublishCall;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/** A node in the service's process: calls go straight to it. */
final class EmbeddedShoal extends NodeShoal {
  private final ShoalNode node;

  private EmbeddedShoal(ShoalNode node, NodeConfig config) throws IOException {
    super(config.dataDir(), HttpLink.of(config.dataDir()), "shoal-api-" + node.id().toHex());
    this.node = node;
  }

  static Shoal start(NodeConfig config) throws IOException {
    ShoalNode node = ShoalNode.start(config);
    try {
      return new EmbeddedShoal(node, config);
    } catch (IOException | RuntimeException e) {
      node.close();
      throw e;
    }
  }

  @Override
  public String nodeId() {
    return node.id().toHex();
  }

  @Override
  Published publish(String name, Path path, long logOffset) throws IOException {
    PublishCall call = publishCall(name, path, logOffset);
    return Views.published(node.publish(call), logOffset);
  }

  @Override
  public List<SnapshotVersion> versions() {
    List<NodeStatus.WinnerView> winners = node.status().winners();
    return Views.versions(node.listing(), winners == null ? List.of() : winners);
  }

  @Override
  public Restored restore(String ref, Path target, Consumer<RestoreProgress> progress)
      throws IOException {
    checkTarget(target);
    String name = io.shoal.chunkstore.SnapshotRef.parse(ref).name();
    GetCall call = new GetCall(ref, target.toAbsolutePath().toString(), false, true);
    return Restores.await(node.materializeAsync(call), name, node::transfers, progress, watcher);
  }

  @Override
  public Appended append(String name, List<byte[]> records) throws IOException {
    checkRecords(records);
    return Views.appended(node.logs().append(name, records));
  }

  @Override
  public LogRead read(String name, long from, int max, Duration wait) throws IOException {
    try {
      return Views.read(node.logs().read(name, from, max, wait).get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while reading log " + name);
    } catch (ExecutionException e) {
      throw Restores.unwrap(e.getCause());
    }
  }

  @Override
  public void close() {
    watcher.close();
    node.close();
  }
}
