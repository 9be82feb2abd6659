package org.subspace.orchestrator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A fault that returns on every restart ends with the last error; one that passes is restarted and forgotten. */
class BoundedRestartsTest {
  private static final ActorTestKit KIT = ActorTestKit.create();
  private static final Duration PAUSE = Duration.ofMillis(10);

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  /** Fails as it starts, the first {@code failures} times; then echoes what it is sent. */
  private static Behavior<String> failingAtStart(AtomicInteger starts, int failures, ActorRef<String> echo) {
    return Behaviors.setup(context -> {
      if (starts.incrementAndGet() <= failures) {
        throw new IllegalStateException("store unreadable, start " + starts.get());
      }
      return Behaviors.receiveMessage(message -> {
        echo.tell(message);
        return Behaviors.same();
      });
    });
  }

  /** An actor under {@link BoundedRestarts} (5 restarts) that fails its first {@code failures} starts. */
  private record Bounded(AtomicInteger starts, CompletableFuture<Void> outcome, TestProbe<String> echo,
      ActorRef<String> ref) {
    static Bounded failingAtStart(int failures) {
      AtomicInteger starts = new AtomicInteger();
      CompletableFuture<Void> outcome = new CompletableFuture<>();
      TestProbe<String> echo = KIT.createTestProbe();
      ActorRef<String> ref = KIT.spawn(BoundedRestarts.create(String.class,
          BoundedRestartsTest.failingAtStart(starts, failures, echo.ref()), 5, PAUSE, PAUSE.multipliedBy(4), outcome));
      return new Bounded(starts, outcome, echo, ref);
    }
  }

  @Test
  void aFaultThatReturnsOnEveryRestartEndsWithItsLastErrorAfterTheAllowedRestarts() throws Exception {
    Bounded bounded = Bounded.failingAtStart(Integer.MAX_VALUE);
    CompletableFuture<Void> outcome = bounded.outcome();
    ExecutionException failed = assertThrows(ExecutionException.class, () -> outcome.get(30, TimeUnit.SECONDS));
    assertEquals(6, bounded.starts().get(), "started once and restarted five times");
    assertTrue(failed.getCause().getMessage().contains("failed 6 times in a row"), failed.getCause().getMessage());
    assertTrue(failed.getCause().getMessage().contains("store unreadable, start 6"), failed.getCause().getMessage());
    TestProbe<Object> watcher = KIT.createTestProbe();
    watcher.expectTerminated(bounded.ref(), Duration.ofSeconds(10));
  }

  @Test
  void aFaultThatPassesIsRestartedAndTheRestartedActorGetsItsMessages() throws Exception {
    Bounded bounded = Bounded.failingAtStart(3);
    AtomicInteger starts = bounded.starts();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (starts.get() < 4 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    bounded.ref().tell("hello");
    bounded.echo().expectMessage(Duration.ofSeconds(10), "hello");
    assertEquals(4, starts.get(), "three failed starts, then one that held");
    assertFalse(bounded.outcome().isDone());
  }
}
