package org.subspace.workers.actors;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import org.subspace.protocol.Sha256;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.workers.store.CorruptArtifactException;

/**
 * Sends one artifact to one receiver, no more chunks than the receiver granted, reading the
 * file sequentially (it runs on the blocking dispatcher: reading is what it does). The bytes are
 * hashed as they go; if the file turns out not to match its name, the last chunk is withheld,
 * the store drops the file and the receiver hears why. Stops when done, cancelled, or when the
 * receiver grants nothing for the stall timeout.
 */
final class ArtifactSender extends AbstractBehavior<Object> {
  /** Hears its receiver and its own stall timer: hence a behavior of Object. */
  private record Stalled() implements NoSerializationVerificationNeeded {}

  static Behavior<Object> create(ArtifactStore store, ArtifactStoreProtocol.Fetch fetch, Duration stallTimeout) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      ArtifactRef ref = fetch.ref();
      FileChannel channel;
      try {
        channel = FileChannel.open(store.objectFile(ref), StandardOpenOption.READ);
      } catch (NoSuchFileException e) {
        fetch.replyTo().tell(new ArtifactStoreProtocol.ArtifactMissing(ref, ref.shortName() + ": not in the store of "
            + context.getSystem().address()));
        return Behaviors.stopped();
      }
      fetch.replyTo().tell(new ArtifactStoreProtocol.Offer(ref, context.getSelf().narrow()));
      return new ArtifactSender(context, timers, store, fetch, channel, stallTimeout);
    }));
  }

  private final TimerScheduler<Object> timers;
  private final ArtifactStore store;
  private final ArtifactRef ref;
  private final ActorRef<ArtifactStoreProtocol.FetchResult> receiver;
  private final FileChannel channel;
  private final Duration stallTimeout;
  private final MessageDigest digest = Sha256.digest();
  private final long chunks;
  private long next;
  private long credit;

  private ArtifactSender(ActorContext<Object> context, TimerScheduler<Object> timers, ArtifactStore store,
      ArtifactStoreProtocol.Fetch fetch, FileChannel channel, Duration stallTimeout) {
    super(context);
    this.timers = timers;
    this.store = store;
    this.ref = fetch.ref();
    this.receiver = fetch.replyTo();
    this.channel = channel;
    this.stallTimeout = stallTimeout;
    this.chunks = ArtifactStoreProtocol.chunks(ref);
    timers.startSingleTimer(new Stalled(), stallTimeout);
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        .onMessage(ArtifactStoreProtocol.Demand.class, this::onDemand)
        .onMessage(ArtifactStoreProtocol.Cancel.class, cancel -> Behaviors.stopped())
        .onMessage(Stalled.class, stalled -> {
          getContext().getLog().warn("{}: the receiver {} granted nothing for {} s; transfer abandoned",
              ref.shortName(), receiver.path(), stallTimeout.toSeconds());
          return Behaviors.stopped();
        })
        .onSignal(PostStop.class, stop -> {
          closeChannel();
          return this;
        })
        .build();
  }

  private Behavior<Object> onDemand(ArtifactStoreProtocol.Demand demand) throws IOException {
    timers.startSingleTimer(new Stalled(), stallTimeout);
    credit += Math.max(0, demand.chunks());
    while (credit > 0 && next < chunks) {
      byte[] bytes = readChunk(next);
      digest.update(bytes);
      if (next == chunks - 1 && !Sha256.hex(digest).equals(ref.sha256())) {
        return corruptAtSource();
      }
      receiver.tell(new ArtifactStoreProtocol.ArtifactChunk(ref.sha256(), next, bytes));
      next++;
      credit--;
    }
    return next == chunks ? Behaviors.stopped() : this;
  }

  private byte[] readChunk(long index) throws IOException {
    long position = index * ArtifactStoreProtocol.CHUNK_BYTES;
    int length = (int) Math.max(0, Math.min(ArtifactStoreProtocol.CHUNK_BYTES, ref.bytes() - position));
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        break;
      }
    }
    // A file shorter than its name says: send what there is; the hash check catches it.
    return buffer.position() == length ? buffer.array() : Arrays.copyOf(buffer.array(), buffer.position());
  }

  private Behavior<Object> corruptAtSource() {
    String reason;
    try {
      store.verify(ref);
      reason = ref.shortName() + ": changed while it was sent";
    } catch (CorruptArtifactException e) {
      reason = e.getMessage();
    }
    receiver.tell(new ArtifactStoreProtocol.ArtifactMissing(ref, reason));
    return Behaviors.stopped();
  }

  private void closeChannel() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Read-only: nothing is lost.
    }
  }
}
