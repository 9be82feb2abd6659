package org.subspace.workers.actors;

import akka.actor.ActorRef;
import akka.actor.ActorSystem;
import akka.dispatch.Envelope;
import akka.dispatch.MailboxType;
import akka.dispatch.MessageQueue;
import akka.dispatch.ProducesMessageQueue;
import akka.dispatch.UnboundedMessageQueueSemantics;
import com.typesafe.config.Config;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import scala.Option;

/**
 * An unbounded mailbox that keeps count of the messages waiting, per actor kind (the actor's
 * name without a numeric suffix), published as the gauge {@code subspace_actor_mailbox_messages}.
 * Typed actors expose no mailbox size, so this is how the depth becomes visible.
 */
public final class InstrumentedMailbox implements MailboxType, ProducesMessageQueue<InstrumentedMailbox.Queue> {
  private static final Map<String, AtomicInteger> DEPTHS = new ConcurrentHashMap<>();

  public InstrumentedMailbox(ActorSystem.Settings settings, Config config) {}

  @Override
  public MessageQueue create(Option<ActorRef> owner, Option<ActorSystem> system) {
    String kind = owner.isDefined() ? owner.get().path().name().replaceAll("-\\d+$", "") : "unknown";
    AtomicInteger depth = DEPTHS.computeIfAbsent(kind, k ->
        Metrics.gauge("subspace.actor.mailbox.messages", Tags.of("actor", k), new AtomicInteger()));
    return new Queue(depth);
  }

  /** A lock-free queue whose size is mirrored into its kind's gauge. */
  public static final class Queue implements MessageQueue, UnboundedMessageQueueSemantics {
    private final ConcurrentLinkedQueue<Envelope> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger depth;
    private final AtomicInteger size = new AtomicInteger();

    Queue(AtomicInteger depth) {
      this.depth = depth;
    }

    @Override
    public void enqueue(ActorRef receiver, Envelope handle) {
      queue.add(handle);
      size.incrementAndGet();
      depth.incrementAndGet();
    }

    @Override
    public Envelope dequeue() {
      Envelope envelope = queue.poll();
      if (envelope != null) {
        size.decrementAndGet();
        depth.decrementAndGet();
      }
      return envelope;
    }

    @Override
    public int numberOfMessages() {
      return size.get();
    }

    @Override
    public boolean hasMessages() {
      return !queue.isEmpty();
    }

    @Override
    public void cleanUp(ActorRef owner, MessageQueue deadLetters) {
      Envelope envelope;
      while ((envelope = dequeue()) != null) {
        deadLetters.enqueue(owner, envelope);
      }
    }
  }
}
