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
   * Protocol versions this build speaks. Version 1: handshake (Hello, AuthProof, Refused) and
   * gossip (Ping, Ack, PingReq, Nack, Gossip, Sync).
   */
  public static final int MIN_VERSION = 1;

  public static final int MAX_VERSION = 1;

  /** Frame kind of a Kryo-encoded control message. */
  static final int KIND_CONTROL = 1;

  /** Largest frame accepted or sent, length field excluded. */
  public static final int MAX_FRAME_BYTES = 4 * 1024 * 1024;

  /** Largest control message body. */
  public static final int MAX_CONTROL_BYTES = 1024 * 1024;

  /** Longest cluster id, in UTF-8 bytes. */
  public static final int MAX_CLUSTER_ID_BYTES = 128;

  /** Bytes of a handshake nonce. */
  static final int NONCE_BYTES = 32;

  private WireProtocol() {}
}
