/**
 * The transfer protocol and fetch scheduler (sans-IO, in node.core) and their Netty runtime
 * (node.net). Arrives with the gossip and transfer issues.
 */
package io.shoal.node;
