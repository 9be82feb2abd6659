package org.subspace.protocol.store;

import akka.actor.typed.ActorRef;
import org.subspace.protocol.CborSerializable;

/**
 * Pulling an artifact's bytes from a node's store, flow-controlled by the receiver. The
 * receiver asks ({@link Fetch}); the server answers with an {@link Offer} naming the sender of
 * this one transfer; the receiver then grants credit ({@link Demand}) and the sender sends no
 * more {@link ArtifactChunk}s than granted, so neither end nor Artery's queues ever hold more
 * than a window of chunks, whatever the artifact's size. Chunks travel on Artery's large-message
 * lane (see {@code cluster.conf}), so stage messages never queue behind artifact bytes. Either
 * end gives up when the other makes no progress for a while.
 */
public final class ArtifactStoreProtocol {
  /** Bytes per chunk: within Artery's large-message frame (2 MiB by default). */
  public static final int CHUNK_BYTES = 1 << 20;

  private ArtifactStoreProtocol() {}

  /** Chunks in an artifact of {@code ref.bytes()} bytes: at least one, so even an empty one completes. */
  public static long chunks(ArtifactRef ref) {
    return Math.max(1, (ref.bytes() + CHUNK_BYTES - 1) / CHUNK_BYTES);
  }

  public sealed interface Command extends CborSerializable {}

  public record Fetch(ArtifactRef ref, ActorRef<FetchResult> replyTo) implements Command {}

  /** What the receiver of a transfer hears. */
  public sealed interface FetchResult {}

  /** The transfer is ready: grant {@code sender} credit to receive chunks. */
  public record Offer(ArtifactRef ref, ActorRef<Transfer> sender) implements FetchResult, CborSerializable {}

  /** Chunk {@code index} of the artifact named {@code sha256}; serialized raw, not by Jackson. */
  public record ArtifactChunk(String sha256, long index, byte[] bytes) implements FetchResult {}

  public record ArtifactMissing(ArtifactRef ref, String reason) implements FetchResult, CborSerializable {}

  /** What the sender of a transfer hears from its receiver. */
  public sealed interface Transfer extends CborSerializable {}

  /** Send up to {@code chunks} more chunks. */
  public record Demand(int chunks) implements Transfer {}

  /** The receiver gave up: stop sending. */
  public record Cancel(String reason) implements Transfer {}
}
