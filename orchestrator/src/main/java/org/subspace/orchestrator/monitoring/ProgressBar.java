package org.subspace.orchestrator.monitoring;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.subspace.orchestrator.runtime.SweepStatus;
import org.subspace.protocol.vocabulary.StageState;

/**
 * A console progress line for an interactive terminal: a bar for the sweep (finished stages
 * over all) and the running stages with their own progress, redrawn in place twice a second.
 */
public final class ProgressBar implements AutoCloseable {
  private static final int WIDTH = 30;

  private final Thread thread;
  private volatile boolean running = true;

  private ProgressBar(Supplier<SweepStatus> status, PrintStream out) {
    thread = new Thread(() -> {
      while (running) {
        SweepStatus s = status.get();
        if (s != null) {
          out.print("\r\033[K" + line(s));
          out.flush();
        }
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "progress-bar");
    thread.setDaemon(true);
    thread.start();
  }

  public static ProgressBar start(Supplier<SweepStatus> status, PrintStream out) {
    return new ProgressBar(status, out);
  }

  static String line(SweepStatus s) {
    int total = s.stages().size();
    int finished = s.counts().entrySet().stream().filter(e -> e.getKey().finished())
        .mapToInt(Map.Entry::getValue).sum();
    int filled = total == 0 ? WIDTH : WIDTH * finished / total;
    StringBuilder line = new StringBuilder("[").append("#".repeat(filled)).append(".".repeat(WIDTH - filled))
        .append(String.format(Locale.ROOT, "] %d/%d stages", finished, total));
    if (!Double.isNaN(s.etaSeconds())) {
      line.append(String.format(Locale.ROOT, ", ~%.0f s left", s.etaSeconds()));
    }
    s.stages().stream().filter(stage -> stage.state() == StageState.RUNNING).limit(2).forEach(stage ->
        line.append(" | ").append(stage.description()).append(stage.progress() == null ? "" : " " + stage.progress()));
    return line.length() > 200 ? line.substring(0, 200) : line.toString();
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
