package io.shoal.node.net;

/**
 * Versions, frame kinds and bounds of the peer protocol (see {@code docs/protocol.md}).
 *
 * <pre>
 * frame on the wire:
 * +--------------------+-----------+---------------------------+
 * | length u32 (= 1+N) | kind u8   | body, N bytes             |
 * +--------------------+-----------+---------------------------+
 * kind 1: control message, Kryo-encoded (registration id varint, then the fields)
 * </pre>
 */
public final class WireProtocol {
  /**
   * Lowest protocol version this build speaks.
   *
   * <ul>
   *   <li>Version 1: plaintext TCP; handshake Hello (with a nonce), AuthProof (HMAC under a shared
   *       cluster key), Refused; gossip (Ping, Ack, PingReq, Nack, Gossip, Sync); transfer
   *       (HaveQuery, HaveReply, HaveUpdate, ChunkRequest, ChunkRefused, Cancel, chunk frames).
   *   <li>Version 2: TLS 1.3 with mutual certificate authentication first (unless the node runs
   *       insecure); the node id comes from the certificate. Hello loses its nonce; AuthProof and
   *       the cluster key are gone (registration id 11 retired). Gossip and transfer unchanged.
   *   <li>Version 3: a catalog delta may carry a pin or unpin of its name (a presence flag after
   *       the held versions). Peers of version 2 would read the flag as a signature length, so they
   *       are refused at the handshake rather than misread.
   *   <li>Version 4: DeltaRequest (registration id 36) asks for a chunk as a delta against older
   *       chunks the requester holds, and a chunk frame may carry one (encoding 2). A peer of
   *       version 3 would close the connection on either as malformed, so it is refused at the
   *       handshake instead.
   *   <li>Version 5: a member record carries its zone (a string of at most 32 characters of {@code
   *       [a-z0-9._-]}, empty for none) after its signature, and the member signs it with the rest.
   *       A peer of version 4 would misread every member update, so it is refused at the handshake.
   *   <li>Version 6: ViewFrame (registration id 40) carries the partial-view messages (HyParView
   *       membership, Plumtree broadcast) of a node run with {@code --membership views}, each node
   *       it names with its address. A peer of version 5 would close the connection on one as
   *       malformed, so it is refused at the handshake instead. CatalogSyncRequest and
   *       CatalogSyncPage (ids 41, 42) carry a neighbour's catalog table, page by page, in the same
   *       mode.
   *   <li>Version 7: LogTailRequest and LogTailReply (ids 43, 44) stream a change log's newest
   *       records from its writer to a follower ahead of the segments that seal them. A peer of
   *       version 6 would close the connection on either as malformed, so it is refused at the
   *       handshake instead.
   * </ul>
   */
  public static final int MIN_VERSION = 7;

  /** Highest protocol version this build speaks. */
  public static final int MAX_VERSION = 7;

  /** Frame kind of a Kryo-encoded control message. */
  static final int KIND_CONTROL = 1;

  /**
   * Largest frame accepted or sent, length field excluded, once the peer is authenticated: a chunk
   * of the chunker's limit ({@link ChunkFrame#MAX_RAW_BYTES}, 4 MiB) and its header, with room.
   * Until chunk sizes were chosen per snapshot it was 4 MiB flat, which refused the frame of a
   * chunk within 31 bytes of the limit; the chunker's size classes stay below that old bound.
   */
  public static final int MAX_FRAME_BYTES = ChunkFrame.MAX_RAW_BYTES + (64 << 10);

  /**
   * Largest frame accepted before the peer is authenticated (TLS done and Hello accepted), length
   * field excluded: a Hello or a Refused fits with room to spare, a chunk frame does not.
   */
  public static final int MAX_PREAUTH_FRAME_BYTES = 4 * 1024;

  /** Largest control message body. */
  public static final int MAX_CONTROL_BYTES = 1024 * 1024;

  /** Longest cluster id, in UTF-8 bytes. */
  public static final int MAX_CLUSTER_ID_BYTES = 128;

  private WireProtocol() {}
}
