package io.shoal.api;

import com.fasterxml.jackson.core.type.TypeReference;
import io.shoal.chunkstore.SnapshotRef;
import io.shoal.chunkstore.snapshot.CatalogListing;
import io.shoal.chunkstore.snapshot.Publication;
import io.shoal.node.TransferView;
import io.shoal.node.api.GetCall;
import io.shoal.node.api.LogAppended;
import io.shoal.node.api.LogBatch;
import io.shoal.node.api.NodeStatus;
import io.shoal.node.api.PublishCall;
import io.shoal.node.api.Written;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * A node running beside the service, spoken to over its HTTP API. Paths travel as paths: the node
 * reads and writes them on this machine, so both must see the same files.
 */
final class RemoteShoal extends NodeShoal {
  private static final TypeReference<List<CatalogListing.Listed>> LISTED = new TypeReference<>() {};
  private static final TypeReference<List<TransferView>> TRANSFERS = new TypeReference<>() {};

  private final String nodeId;

  private RemoteShoal(Path dataDir, HttpLink link, String nodeId) {
    super(dataDir, link, "shoal-api-client-" + nodeId);
    this.nodeId = nodeId;
  }

  static Shoal connect(Path dataDir) throws IOException {
    HttpLink link = HttpLink.of(dataDir);
    NodeStatus status = link.get("/status", NodeStatus.class);
    return new RemoteShoal(dataDir, link, status.node().id());
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  Published publish(String name, Path path, long logOffset) throws IOException {
    PublishCall call = publishCall(name, path, logOffset);
    return Views.published(link.post("/publish", call, Publication.Outcome.class), logOffset);
  }

  @Override
  public List<SnapshotVersion> versions() throws IOException {
    List<NodeStatus.WinnerView> winners = link.get("/status", NodeStatus.class).winners();
    return Views.versions(link.get("/ls", LISTED), winners == null ? List.of() : winners);
  }

  @Override
  public Restored restore(String ref, Path target, Consumer<RestoreProgress> progress)
      throws IOException {
    checkTarget(target);
    String name = SnapshotRef.parse(ref).name();
    GetCall call = new GetCall(ref, target.toAbsolutePath().toString(), false, true);
    return Restores.await(
        link.postAsync("/get", call, Written.class),
        name,
        () -> link.get("/transfers", TRANSFERS),
        progress,
        watcher);
  }

  @Override
  public Appended append(String name, List<byte[]> records) throws IOException {
    checkRecords(records);
    Appended first = null;
    int count = 0;
    long end = 0;
    for (byte[] r : records) { // one record per request: the route takes a body as one record
      LogAppended a =
          link.postBytes("/log/append?name=" + HttpLink.encode(name), r, LogAppended.class);
      first = first == null ? Views.appended(a) : first;
      count += a.count();
      end = a.end();
    }
    return new Appended(first.first(), count, end);
  }

  @Override
  public LogRead read(String name, long from, int max, Duration wait) throws IOException {
    String q =
        "/log/read?name="
            + HttpLink.encode(name)
            + "&from="
            + from
            + "&max="
            + max
            + "&wait="
            + wait.toMillis();
    return Views.read(link.get(q, LogBatch.class));
  }

  @Override
  public void close() {
    watcher.close();
  }
}
