/**
 * The {@code shoal} command: the only code in shoal that prints for people. Each subcommand is one
 * class; {@link io.shoal.cli.Main} wires them and turns errors into one line on stderr and a
 * non-zero exit code.
 */
package io.shoal.cli;
