package org.subspace.workers.actors;

import akka.actor.typed.Behavior;
import akka.actor.typed.BehaviorInterceptor;
import akka.actor.typed.MailboxSelector;
import akka.actor.typed.PostStop;
import akka.actor.typed.PreRestart;
import akka.actor.typed.Props;
import akka.actor.typed.Signal;
import akka.actor.typed.TypedActorContext;
import akka.actor.typed.javadsl.Behaviors;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Metrics for our actors without an agent: {@link #instrument} wraps a behavior so that every
 * message is counted by actor kind and message type and its processing timed, and restarts
 * and stops are counted; {@link #MAILBOX} spawns an actor with the instrumented mailbox, whose
 * depth is a gauge per actor kind. All go to Micrometer's global registry.
 */
public final class ActorMetrics {
  /** Spawn props selecting {@link InstrumentedMailbox} (configured in application.conf). */
  public static final Props MAILBOX = MailboxSelector.fromConfig("subspace.instrumented-mailbox");

  private ActorMetrics() {}

  public static <T> Behavior<T> instrument(String actorKind, Behavior<T> behavior) {
    return Behaviors.intercept(() -> new Interceptor<>(actorKind), behavior);
  }

  private static final class Interceptor<T> extends BehaviorInterceptor<T, T> {
    private final String kind;
    private final Timer processing;

    @SuppressWarnings("unchecked")
    Interceptor(String kind) {
      super((Class<T>) Object.class);
      this.kind = kind;
      this.processing = Timer.builder("subspace.actor.processing").description("Time to process one message")
          .tag("actor", kind).register(Metrics.globalRegistry);
    }

    @Override
    public Behavior<T> aroundReceive(TypedActorContext<T> context, T message, ReceiveTarget<T> target) {
      Metrics.counter("subspace.actor.messages", "actor", kind, "message", message.getClass().getSimpleName())
          .increment();
      long start = System.nanoTime();
      try {
        return target.apply(context, message);
      } finally {
        processing.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      }
    }

    @Override
    public Behavior<T> aroundSignal(TypedActorContext<T> context, Signal signal, SignalTarget<T> target) {
      if (signal instanceof PreRestart) {
        Metrics.counter("subspace.actor.restarts", "actor", kind).increment();
      } else if (signal instanceof PostStop) {
        Metrics.counter("subspace.actor.stops", "actor", kind).increment();
      }
      return target.apply(context, signal);
    }

    @Override
    public boolean isSame(BehaviorInterceptor<Object, Object> other) {
      return other instanceof Interceptor<?> i && i.kind.equals(kind);
    }
  }
}
