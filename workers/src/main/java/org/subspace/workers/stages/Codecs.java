package org.subspace.workers.stages;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.subspace.protocol.tensor.Tensor;
import org.subspace.workers.inference.EllipticalSliceSampler;
import org.subspace.workers.inference.HamiltonianSampler;
import org.subspace.workers.subspace.Subspace;
import org.subspace.workers.train.CurveTrainer;
import org.subspace.workers.train.SwagMoments;
import org.subspace.workers.train.TrainingState;

/** Library state as named tensors (one {@code .npz} artifact each) and back, bit for bit. */
public final class Codecs {
  private Codecs() {}

  public static Map<String, Tensor> trainingState(TrainingState state) {
    SwagMoments swag = state.swag();
    List<float[]> deviations = swag.deviations();
    int p = state.weights().length;
    float[] flat = new float[deviations.size() * p];
    for (int k = 0; k < deviations.size(); k++) {
      System.arraycopy(deviations.get(k), 0, flat, k * p, p);
    }
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("weights", Tensor.of(state.weights(), p));
    t.put("momentum", Tensor.of(state.momentum(), p));
    t.put("swa_mean", Tensor.of(swag.mean(), p));
    t.put("swa_square_mean", Tensor.of(swag.squareMean(), p));
    t.put("deviations", Tensor.of(flat, deviations.size(), p));
    t.put("swag_count", Tensor.scalar(swag.count()));
    t.put("max_deviations", Tensor.scalar((long) swag.maxDeviations()));
    t.put("epochs_done", Tensor.scalar((long) state.epochsDone()));
    t.put("last_loss", Tensor.scalar(state.lastLoss()));
    return t;
  }

  public static TrainingState trainingState(Map<String, Tensor> t) {
    float[][] deviations = t.get("deviations").floatRows();
    SwagMoments swag = SwagMoments.restore(t.get("swag_count").longValue(), t.get("swa_mean").doubles(),
        t.get("swa_square_mean").doubles(), List.of(deviations), (int) t.get("max_deviations").longValue());
    return new TrainingState((int) t.get("epochs_done").longValue(), t.get("weights").floats(),
        t.get("momentum").floats(), swag, t.get("last_loss").doubleValue());
  }

  public static Map<String, Tensor> subspace(Subspace s) {
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("mean", Tensor.of(s.mean(), s.parameters()));
    t.put("projection", Tensor.of(s.projection(), s.rank(), s.parameters()));
    t.put("singular_values", Tensor.of(s.singularValues(), s.singularValues().length));
    return t;
  }

  public static Subspace subspace(String kind, Map<String, Tensor> t) {
    Tensor projection = t.get("projection");
    return new Subspace(kind, t.get("mean").floats(), projection.floats(), (int) projection.shape()[0],
        t.get("singular_values").doubles());
  }

  /** A chain: its kept samples and, for resuming, its current state. */
  public static Map<String, Tensor> chain(EllipticalSliceSampler.Chain chain, int rank) {
    EllipticalSliceSampler.ChainState state = chain.state();
    double[][] samples = chain.samples().toArray(new double[0][]);
    double[] flat = new double[samples.length * rank];
    for (int s = 0; s < samples.length; s++) {
      System.arraycopy(samples[s], 0, flat, s * rank, rank);
    }
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("z", Tensor.of(flat, samples.length, rank));
    t.put("log_likelihood", Tensor.of(chain.sampleLogLikelihoods().stream().mapToDouble(Double::doubleValue)
        .toArray(), samples.length));
    t.put("state_z", Tensor.of(state.z(), rank));
    t.put("state_log_likelihood", Tensor.scalar(state.logLikelihood()));
    t.put("state_rng", Tensor.scalar(state.rngState()));
    t.put("state_iterations", Tensor.scalar((long) state.iterations()));
    t.put("state_evaluations", Tensor.scalar(state.likelihoodEvaluations()));
    return t;
  }

  public static EllipticalSliceSampler.Chain chain(Map<String, Tensor> t) {
    EllipticalSliceSampler.ChainState state = new EllipticalSliceSampler.ChainState(t.get("state_z").doubles(),
        t.get("state_log_likelihood").doubleValue(), t.get("state_rng").longValue(),
        (int) t.get("state_iterations").longValue(), t.get("state_evaluations").longValue());
    List<Double> logLikelihoods = new ArrayList<>();
    for (double v : t.get("log_likelihood").doubles()) {
      logLikelihoods.add(v);
    }
    return new EllipticalSliceSampler.Chain(state, List.of(t.get("z").doubleRows()), logLikelihoods);
  }

  public static Map<String, Tensor> curveState(CurveTrainer.State state) {
    int p = state.middle().length;
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("epochs_done", Tensor.scalar((long) state.epochsDone()));
    t.put("middle", Tensor.of(state.middle(), p));
    t.put("velocity", Tensor.of(state.velocity(), p));
    t.put("last_loss", Tensor.scalar(state.lastLoss()));
    return t;
  }

  public static CurveTrainer.State curveState(Map<String, Tensor> t) {
    return new CurveTrainer.State((int) t.get("epochs_done").longValue(), t.get("middle").floats(),
        t.get("velocity").floats(), t.get("last_loss").doubleValue());
  }

  public static Map<String, Tensor> hamiltonianState(HamiltonianSampler.ChainState state) {
    int rank = state.z().length;
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("z", Tensor.of(state.z(), rank));
    t.put("log_density", Tensor.scalar(state.logDensity()));
    t.put("gradient", Tensor.of(state.gradient(), rank));
    t.put("rng_state", Tensor.scalar(state.rngState()));
    t.put("iterations", Tensor.scalar((long) state.iterations()));
    t.put("step_size", Tensor.scalar(state.stepSize()));
    t.put("adaptation", Tensor.of(state.adaptation(), state.adaptation().length));
    t.put("gradient_evaluations", Tensor.scalar(state.gradientEvaluations()));
    t.put("divergences", Tensor.scalar((long) state.divergences()));
    t.put("acceptance_sum", Tensor.scalar(state.acceptanceSum()));
    t.put("steps_sum", Tensor.scalar(state.stepsSum()));
    t.put("samples", Tensor.ofRows(state.samples().toArray(new double[0][])));
    t.put("sample_log_density", Tensor.of(state.logDensities().stream().mapToDouble(Double::doubleValue).toArray(),
        state.logDensities().size()));
    return t;
  }

  public static HamiltonianSampler.ChainState hamiltonianState(Map<String, Tensor> t) {
    return new HamiltonianSampler.ChainState(t.get("z").doubles(), t.get("log_density").doubleValue(),
        t.get("gradient").doubles(), t.get("rng_state").longValue(), (int) t.get("iterations").longValue(),
        t.get("step_size").doubleValue(), t.get("adaptation").doubles(), t.get("gradient_evaluations").longValue(),
        (int) t.get("divergences").longValue(), t.get("acceptance_sum").doubleValue(),
        t.get("steps_sum").longValue(), List.of(t.get("samples").doubleRows()),
        Arrays.stream(t.get("sample_log_density").doubles()).boxed().toList());
  }
}
