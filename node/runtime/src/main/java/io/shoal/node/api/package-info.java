/**
 * What the node's HTTP API receives and sends, as plain records the CLI decodes too: the calls
 * ({@link io.shoal.node.api.PublishCall}, {@link io.shoal.node.api.GetCall}) and the answers
 * ({@link io.shoal.node.api.Written}, {@link io.shoal.node.api.NodeStatus}, {@link
 * io.shoal.node.api.Verified}). No behaviour beyond building an answer from its source.
 */
package io.shoal.node.api;
