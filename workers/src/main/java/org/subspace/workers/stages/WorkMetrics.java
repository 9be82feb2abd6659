package org.subspace.workers.stages;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.subspace.protocol.vocabulary.Method;

/**
 * What the stages report while they work, in Micrometer's global registry: training epochs and
 * loss, ESS iterations and likelihood evaluations (their ratio is the shrink steps per sample),
 * VI's loss, evaluation scores as they arrive. Prometheus names: {@code subspace_training_epochs_total},
 * {@code subspace_training_loss}, {@code subspace_ess_iterations_total},
 * {@code subspace_ess_likelihood_evaluations_total}, {@code subspace_vi_loss},
 * {@code subspace_evaluation_test_ll}, {@code subspace_evaluations_total}.
 */
final class WorkMetrics {
  static final Counter EPOCHS = Metrics.counter("subspace.training.epochs");
  static final Counter ESS_ITERATIONS = Metrics.counter("subspace.ess.iterations");
  static final Counter ESS_EVALUATIONS = Metrics.counter("subspace.ess.likelihood.evaluations");
  static final Counter EVALUATIONS = Metrics.counter("subspace.evaluations");
  private static final Map<String, AtomicLong> GAUGES = new ConcurrentHashMap<>();

  private WorkMetrics() {}

  static void trainingLoss(double loss) {
    set("subspace.training.loss", Tags.empty(), loss);
  }

  static void variationalLoss(double loss) {
    set("subspace.vi.loss", Tags.empty(), loss);
  }

  static void testLogLikelihood(String dataset, Method method, double value) {
    set("subspace.evaluation.test.ll", Tags.of("dataset", dataset, "method", method.label()), value);
    EVALUATIONS.increment();
  }

  /** A gauge holding the last value set, one per name and tags. */
  private static void set(String name, Tags tags, double value) {
    GAUGES.computeIfAbsent(name + tags, k -> Metrics.gauge(name, tags, new AtomicLong(),
        bits -> Double.longBitsToDouble(bits.get()))).set(Double.doubleToLongBits(value));
  }
}
