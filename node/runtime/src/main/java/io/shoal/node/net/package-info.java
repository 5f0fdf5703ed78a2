/**
 * The Netty runtime: frames, the Kryo codec, the authenticated handshake, peer connections and the
 * HTTP API. Everything that touches a socket is here.
 */
package io.shoal.node.net;
