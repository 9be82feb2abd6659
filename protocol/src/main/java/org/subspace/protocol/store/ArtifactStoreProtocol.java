package org.subspace.protocol.store;

import akka.actor.typed.ActorRef;
import org.subspace.protocol.CborSerializable;

/** Asking a node's artifact store for an artifact's bytes. */
public final class ArtifactStoreProtocol {
  private ArtifactStoreProtocol() {}

  public sealed interface Command extends CborSerializable {}

  public record Fetch(ArtifactRef ref, ActorRef<FetchResult> replyTo) implements Command {}

  /** The answer: the bytes (verified against the hash by the receiver too), or why not. */
  public sealed interface FetchResult {}

  /** Carries raw bytes; serialized by the raw binary serializer, not by Jackson. */
  public record ArtifactData(ArtifactRef ref, byte[] bytes) implements FetchResult {}

  public record ArtifactMissing(ArtifactRef ref, String reason) implements FetchResult, CborSerializable {}
}
