package org.subspace.protocol.store;

import akka.actor.typed.ActorRef;
import org.subspace.protocol.CborSerializable;

/**
 * Asking a node's artifact store for an artifact's bytes. The bytes come back in chunks small
 * enough for Artery's ordinary lane (never one giant frame), through the raw binary serializer;
 * the receiver reassembles them and checks the sha256 before using them.
 */
public final class ArtifactStoreProtocol {
  /** Bytes per chunk: well under Artery's default 256 KiB maximum frame. */
  public static final int CHUNK_BYTES = 128 * 1024;

  private ArtifactStoreProtocol() {}

  public sealed interface Command extends CborSerializable {}

  public record Fetch(ArtifactRef ref, ActorRef<FetchResult> replyTo) implements Command {}

  /** The answer: the bytes in {@code count} chunks, or why they cannot be had. */
  public sealed interface FetchResult {}

  /** Chunk {@code index} of {@code count}; serialized by the raw binary serializer, not by Jackson. */
  public record ArtifactChunk(ArtifactRef ref, int index, int count, byte[] bytes) implements FetchResult {}

  public record ArtifactMissing(ArtifactRef ref, String reason) implements FetchResult, CborSerializable {}
}
