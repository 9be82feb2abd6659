package org.subspace.workers.actors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.subspace.protocol.stage.Stage;
import org.subspace.protocol.stage.StageKind;
import org.subspace.workers.random.Rng;

/**
 * A test hook for the harm real sweeps meet. Computation faults: a {@code rate} fraction of
 * stage attempts fail part-way, at a point and in a way decided by the stage key, the attempt
 * number and the seed: reproducible, and a retry of the same stage gets a fresh decision. The
 * ways are the failures real stages meet: a non-finite loss, running out of memory, an I/O error.
 * Message faults, for the stages a selector names (a stage kind, or the start of a stage key):
 * the worker ignores the first {@code RunStage} of each ({@code dropRunStage}), or computes and
 * stores the first attempt to succeed but never says so ({@code dropSucceeded}); and
 * {@code killWorker} SIGKILLs the worker's JVM half-way through every attempt (for worker nodes
 * in a JVM of their own); {@code hang} stops the first attempt of each half-way forever, deaf to
 * cancellation, as a native call that never returns would. Which stages already lost a message
 * (or hung) is this injector's state, so "first" means first for the workers that share it.
 */
public final class FaultInjector {
  public static final FaultInjector NONE = new FaultInjector(0.0, 0L);

  /** A key prefix must be this long to name one stage. */
  public static final int MIN_KEY_PREFIX = 8;

  private final double rate;
  private final long seed;
  private final List<String> dropRunStage;
  private final List<String> dropSucceeded;
  private final List<String> killWorker;
  private final List<String> hang;
  private final Set<String> runStagesDropped = ConcurrentHashMap.newKeySet();
  private final Set<String> successesDropped = ConcurrentHashMap.newKeySet();
  private final Set<String> hung = ConcurrentHashMap.newKeySet();

  public FaultInjector(double rate, long seed) {
    this(rate, seed, List.of(), List.of(), List.of(), List.of());
  }

  public FaultInjector(double rate, long seed, List<String> dropRunStage, List<String> dropSucceeded,
      List<String> killWorker, List<String> hang) {
    this.rate = rate;
    this.seed = seed;
    this.dropRunStage = List.copyOf(dropRunStage);
    this.dropSucceeded = List.copyOf(dropSucceeded);
    this.killWorker = List.copyOf(killWorker);
    this.hang = List.copyOf(hang);
  }

  public double rate() {
    return rate;
  }

  public long seed() {
    return seed;
  }

  /** Thrown at the chosen point of a doomed attempt. */
  public static final class InjectedFault extends RuntimeException {
    public InjectedFault(String message) {
      super(message);
    }
  }

  /** Whether {@code selector} can name stages: a stage kind, or at least {@value #MIN_KEY_PREFIX} hex digits of a key. */
  public static boolean validSelector(String selector) {
    return Arrays.stream(StageKind.values()).anyMatch(kind -> kind.label().equals(selector))
        || selector.length() >= MIN_KEY_PREFIX && selector.matches("[0-9a-f]+");
  }

  private static boolean selects(List<String> selectors, Stage stage) {
    return selectors.stream().anyMatch(s -> s.equals(stage.kind().label()) || stage.key().startsWith(s));
  }

  /** Whether the worker should ignore this {@code RunStage}: the first one of each selected stage. */
  public boolean dropsRunStage(Stage stage) {
    return selects(dropRunStage, stage) && runStagesDropped.add(stage.key());
  }

  /** Whether the worker should keep quiet about this success: the first one of each selected stage. */
  public boolean dropsSucceeded(Stage stage) {
    return selects(dropSucceeded, stage) && successesDropped.add(stage.key());
  }

  /** Whether every attempt of this stage kills its worker's JVM. */
  public boolean killsWorker(Stage stage) {
    return selects(killWorker, stage);
  }

  /** Whether this attempt should hang: the first one of each selected stage to get this far. */
  public boolean hangs(Stage stage) {
    return selects(hang, stage) && hung.add(stage.key());
  }

  /** Never returns, ignoring interrupts and cancellation: a native call that hangs. */
  public static void hangForever() {
    while (true) {
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(60));
    }
  }

  /** The fraction of the work at which this attempt fails, or empty if it does not. */
  public OptionalDouble strikeAt(String stageKey, int attempt) {
    if (rate <= 0) {
      return OptionalDouble.empty();
    }
    Rng rng = new Rng(Rng.derive(seed, stageKey + "/" + attempt));
    if (rng.nextDouble() >= rate) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(0.2 + 0.6 * rng.nextDouble());
  }

  /** The failure a doomed attempt meets at its strike point: one of three kinds, chosen by key and attempt. */
  public Throwable failure(String stageKey, int attempt, double fraction) {
    String where = String.format("injected fault at %.0f%% of attempt %d", 100 * fraction, attempt);
    return switch (new Rng(Rng.derive(seed, "kind/" + stageKey + "/" + attempt)).nextInt(3)) {
      case 0 -> new InjectedFault(where + ": the loss is NaN");
      case 1 -> new OutOfMemoryError(where + ": out of memory");
      default -> new UncheckedIOException(where + ": disk write failed",
          new IOException("no space left on device (injected)"));
    };
  }

  /** SIGKILLs this JVM, as the kernel's OOM killer or a lost machine would; never returns. */
  public static void killThisJvm() {
    long pid = ProcessHandle.current().pid();
    try {
      new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start().waitFor();
      Thread.sleep(5000);
    } catch (IOException | InterruptedException e) {
      // No kill command: halting skips every shutdown hook too.
    }
    Runtime.getRuntime().halt(137);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FaultInjector f && rate == f.rate && seed == f.seed && dropRunStage.equals(f.dropRunStage)
        && dropSucceeded.equals(f.dropSucceeded) && killWorker.equals(f.killWorker) && hang.equals(f.hang);
  }

  @Override
  public int hashCode() {
    return Objects.hash(rate, seed, dropRunStage, dropSucceeded, killWorker, hang);
  }

  @Override
  public String toString() {
    return "FaultInjector[rate=" + rate + ", seed=" + seed + ", drop-run-stage=" + dropRunStage
        + ", drop-succeeded=" + dropSucceeded + ", kill-worker=" + killWorker + ", hang=" + hang + "]";
  }
}
