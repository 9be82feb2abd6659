package org.subspace.workers.actors;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.subspace.protocol.Sha256;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.workers.store.CorruptArtifactException;

/**
 * Fetches an artifact from another node's {@link ArtifactServer}: a short-lived actor collects
 * the chunks in order, checks the sha256 and completes the future (or fails it on a missing
 * artifact, a hash mismatch or a timeout).
 */
public final class ArtifactFetch {
  /** Prometheus: subspace_artifact_transferred_bytes_total (bytes received from other nodes' stores). */
  private static final Counter TRANSFERRED_BYTES = Metrics.counter("subspace.artifact.transferred.bytes");

  private ArtifactFetch() {}

  private record Timeout() implements NoSerializationVerificationNeeded {}

  public static CompletionStage<byte[]> fetch(ActorSystem<?> system, ActorRef<ArtifactStoreProtocol.Command> server,
      ArtifactRef ref, Duration timeout) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    system.systemActorOf(collector(server, ref, timeout, result), "fetch-" + UUID.randomUUID(), Props.empty());
    return result;
  }

  /** Fetches {@code ref} into {@code store} unless it is there already. */
  public static void fetchInto(ActorSystem<?> system, ActorRef<ArtifactStoreProtocol.Command> server,
      ArtifactRef ref, ArtifactStore store, Duration timeout) {
    if (!store.contains(ref)) {
      store.putVerified(ref, fetch(system, server, ref, timeout).toCompletableFuture().join());
    }
  }

  /** Receives the server's answers and its own timeout: hence a behavior of Object. */
  private static Behavior<Object> collector(ActorRef<ArtifactStoreProtocol.Command> server,
      ArtifactRef ref, Duration timeout, CompletableFuture<byte[]> result) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startSingleTimer(new Timeout(), timeout);
      server.tell(new ArtifactStoreProtocol.Fetch(ref, context.getSelf().narrow()));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(ref.bytes(), Integer.MAX_VALUE - 8));
      int[] next = {0};
      return Behaviors.receive(Object.class)
          .onMessage(ArtifactStoreProtocol.ArtifactChunk.class, chunk -> {
            if (chunk.index() != next[0]) {
              result.completeExceptionally(new CorruptArtifactException(
                  ref.shortName() + ": chunk " + chunk.index() + " arrived where " + next[0] + " was expected"));
              return Behaviors.stopped();
            }
            bytes.writeBytes(chunk.bytes());
            next[0]++;
            if (next[0] < chunk.count()) {
              return Behaviors.same();
            }
            byte[] all = bytes.toByteArray();
            if (all.length != ref.bytes() || !Sha256.hex(all).equals(ref.sha256())) {
              result.completeExceptionally(new CorruptArtifactException(ref.shortName() + ": fetched bytes do not "
                  + "match the hash"));
            } else {
              TRANSFERRED_BYTES.increment(all.length);
              result.complete(all);
            }
            return Behaviors.stopped();
          })
          .onMessage(ArtifactStoreProtocol.ArtifactMissing.class, missing -> {
            result.completeExceptionally(new CorruptArtifactException(missing.reason()));
            return Behaviors.stopped();
          })
          .onMessage(Timeout.class, t -> {
            result.completeExceptionally(new CorruptArtifactException(ref.shortName() + ": no answer from "
                + server.path() + " within " + timeout.toMillis() + " ms"));
            return Behaviors.stopped();
          })
          .build();
    }));
  }
}
