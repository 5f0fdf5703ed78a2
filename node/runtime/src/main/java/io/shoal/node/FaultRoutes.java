package io.shoal.node;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.shoal.gossip.NodeId;
import io.shoal.node.net.HttpApi;
import io.shoal.node.net.HttpApi.Response;
import io.shoal.node.net.LinkFaults;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin route that injects faults into this node's peer links ({@link LinkFaults}), served only
 * with {@code --enable-fault-injection} and, like every state route, only with the node's token:
 *
 * <ul>
 *   <li>{@code GET /admin/faults}: the rules in force;
 *   <li>{@code POST /admin/faults} with a JSON body {@code {"dropTo": [ID...], "dropFrom": [ID...],
 *       "latencyMs": N, "lossRate": X, "frozen": B, "seed": S}} (every field optional, absent ones
 *       off): replaces the rules whole;
 *   <li>{@code DELETE /admin/faults}: clears them.
 * </ul>
 *
 * A body over {@link #MAX_BODY_BYTES} answers 413; an unknown field, a malformed id or a value out
 * of range answers 400 with one line naming it, and leaves the rules as they were.
 */
final class FaultRoutes {
  static final String PATH = "/admin/faults";

  /** Largest body: 1,024 ids of 32 hex digits each in two lists fit well within it. */
  static final int MAX_BODY_BYTES = 96 * 1024;

  private static final Logger log = LoggerFactory.getLogger(FaultRoutes.class);
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private FaultRoutes() {}

  /** The body of a POST (an absent or null field is off), and of every answer. */
  record Body(
      List<String> dropTo,
      List<String> dropFrom,
      Long latencyMs,
      Double lossRate,
      Boolean frozen,
      Long seed) {}

  /** Adds the routes when {@code enabled} (the node's {@code --enable-fault-injection}). */
  static void addIf(boolean enabled, HttpApi api, LinkFaults faults, NodeId self) {
    if (enabled) {
      add(api, faults, self);
    }
  }

  private static void add(HttpApi api, LinkFaults faults, NodeId self) {
    log.warn(
        "fault injection is on: the token's holder can cut, slow or freeze this node's peer"
            + " links through /admin/faults (--enable-fault-injection)");
    api.route("GET", PATH, false, r -> Response.json(body(faults.rules())))
        .route(
            "POST",
            PATH,
            false,
            r -> {
              if (r.body().length > MAX_BODY_BYTES) {
                return Response.error(413, "the body is larger than " + MAX_BODY_BYTES + " bytes");
              }
              LinkFaults.Rules rules = parse(r.body());
              faults.set(rules);
              log.info("node {}: link faults set: {}", self.shortHex(), describe(rules));
              return Response.json(body(rules));
            })
        .route(
            "DELETE",
            PATH,
            false,
            r -> {
              faults.set(LinkFaults.Rules.none());
              log.info("node {}: link faults cleared", self.shortHex());
              return Response.json(body(faults.rules()));
            });
  }

  /**
   * The rules a POST body asks for.
   *
   * @throws IllegalArgumentException with one line naming what is wrong
   */
  static LinkFaults.Rules parse(byte[] json) {
    Body b;
    try {
      b = JSON.readValue(json, Body.class);
    } catch (UnrecognizedPropertyException e) {
      throw new IllegalArgumentException(
          "unknown field '"
              + e.getPropertyName()
              + "'; known: dropTo, dropFrom, latencyMs, lossRate, frozen, seed",
          e);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(
          "the body is not a JSON object of link faults: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("the body cannot be read: " + e.getMessage(), e);
    }
    if (b == null) {
      throw new IllegalArgumentException("the body is not a JSON object of link faults");
    }
    return new LinkFaults.Rules(
        ids("dropTo", b.dropTo()),
        ids("dropFrom", b.dropFrom()),
        b.latencyMs() == null ? 0 : b.latencyMs(),
        b.lossRate() == null ? 0 : b.lossRate(),
        b.frozen() != null && b.frozen(),
        b.seed() == null ? 0 : b.seed());
  }

  private static Set<NodeId> ids(String field, List<String> hex) {
    if (hex == null) {
      return Set.of();
    }
    if (hex.size() > LinkFaults.MAX_PEERS) {
      throw new IllegalArgumentException(
          field + " names " + hex.size() + " peers; at most " + LinkFaults.MAX_PEERS);
    }
    Set<NodeId> out = new LinkedHashSet<>();
    for (String h : hex) {
      try {
        out.add(NodeId.parse(h));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  static Body body(LinkFaults.Rules r) {
    return new Body(
        r.dropTo().stream().map(NodeId::toHex).sorted().toList(),
        r.dropFrom().stream().map(NodeId::toHex).sorted().toList(),
        r.latencyMillis(),
        r.lossRate(),
        r.frozen(),
        r.seed());
  }

  private static String describe(LinkFaults.Rules r) {
    if (r.isNone()) {
      return "none";
    }
    return String.format(
        java.util.Locale.ROOT,
        "drop to %d peer(s), drop from %d peer(s), latency %d ms, loss rate %.3f%s",
        r.dropTo().size(),
        r.dropFrom().size(),
        r.latencyMillis(),
        r.lossRate(),
        r.frozen() ? ", frozen" : "");
  }
}
