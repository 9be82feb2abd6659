package org.subspace.orchestrator.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.ChildFailed;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Runs an actor that is restarted after a failure, with a growing pause (from {@code minBackoff}
 * to {@code maxBackoff}), at most {@code maxRestarts} times in a row (a quiet spell half as long
 * as the two pauses together starts the count afresh). When it fails once more, {@code outcome}
 * fails with its last error and this actor stops: a fault that returns on every restart ends the
 * sweep with a message instead of looping. Messages sent here go on to the actor.
 */
public final class BoundedRestarts {
  private BoundedRestarts() {}

  public static <T> Behavior<T> create(Class<T> type, Behavior<T> behavior, int maxRestarts, Duration minBackoff,
      Duration maxBackoff, CompletableFuture<?> outcome) {
    return Behaviors.setup(context -> {
      ActorRef<T> child = context.spawn(Behaviors.supervise(behavior).onFailure(
              SupervisorStrategy.restartWithBackoff(minBackoff, maxBackoff, 0.2).withMaxRestarts(maxRestarts)),
          "restarted");
      context.watch(child);
      return Behaviors.receive(type)
          .onAnyMessage(message -> {
            child.tell(message);
            return Behaviors.same();
          })
          .onSignal(ChildFailed.class, failed -> {
            outcome.completeExceptionally(new IllegalStateException("failed " + (maxRestarts + 1)
                + " times in a row, restarted after each but the last; the last failure: " + failed.getCause(),
                failed.getCause()));
            return Behaviors.stopped();
          })
          .onSignal(Terminated.class, stopped -> Behaviors.stopped())
          .build();
    });
  }
}
