/**
 * The transfer protocol's state machines, free of I/O: {@link io.shoal.node.core.FetchCore} decides
 * which chunk to ask which peer for, and {@link io.shoal.node.core.UploadCore} decides which
 * request to serve next. Drivers (Netty in {@code io.shoal.node}, the simulator) feed them inputs
 * with the current time and carry out their outputs.
 */
package io.shoal.node.core;
