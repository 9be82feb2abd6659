package org.subspace.protocol.store;

import akka.actor.typed.ActorRef;
import org.subspace.protocol.CborSerializable;

/**
 * Pulling an artifact's bytes from a node's store. The receiver asks ({@link Fetch}); the
 * server answers with an {@link Offer}: a one-time token for a byte stream of its own on the
 * serving node's transfer port (TCP, under the cluster's TLS when the cluster has it). The
 * bytes never travel as actor messages, so they never share Artery's queues with stage
 * messages; the stream is flow-controlled end to end by TCP and Akka Streams' backpressure, so
 * neither end holds more than a few buffers, whatever the artifact's size.
 */
public final class ArtifactStoreProtocol {
  private ArtifactStoreProtocol() {}

  public sealed interface Command extends CborSerializable {}

  public record Fetch(ArtifactRef ref, ActorRef<FetchResult> replyTo) implements Command {}

  /** What the receiver of a transfer hears. */
  public sealed interface FetchResult extends CborSerializable {}

  /**
   * Connect to {@code host:port} and send {@code token} and a newline: the artifact's bytes
   * follow, then the server closes the connection. The token is good for one connection.
   */
  public record Offer(ArtifactRef ref, String host, int port, String token) implements FetchResult {}

  public record ArtifactMissing(ArtifactRef ref, String reason) implements FetchResult {}
}
