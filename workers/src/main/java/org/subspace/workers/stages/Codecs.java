package org.subspace.workers.stages;

import static org.subspace.protocol.tensor.TensorNames.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.subspace.protocol.tensor.FloatRows;
import org.subspace.protocol.tensor.NpyData;
import org.subspace.protocol.tensor.NpzFile;
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

  /** A training state as it is stored; the deviations are written row by row, never copied into one array. */
  public static Map<String, NpyData> trainingState(TrainingState state) {
    SwagMoments swag = state.swag();
    int p = state.weights().length;
    Map<String, NpyData> t = new LinkedHashMap<>();
    t.put(WEIGHTS, Tensor.of(state.weights(), p));
    t.put(MOMENTUM, Tensor.of(state.momentum(), p));
    t.put(SWA_MEAN, Tensor.of(swag.mean(), p));
    t.put(SWA_SQUARE_MEAN, Tensor.of(swag.squareMean(), p));
    t.put(DEVIATIONS, new FloatRows(swag.deviations(), p));
    t.put(SWAG_COUNT, Tensor.scalar(swag.count()));
    t.put(MAX_DEVIATIONS, Tensor.scalar((long) swag.maxDeviations()));
    t.put(EPOCHS_DONE, Tensor.scalar((long) state.epochsDone()));
    t.put(LAST_LOSS, Tensor.scalar(state.lastLoss()));
    return t;
  }

  public static TrainingState trainingState(NpzFile t) {
    return new TrainingState((int) t.tensor(EPOCHS_DONE).longValue(), weights(t), t.tensor(MOMENTUM).floats(),
        swagMoments(t), t.tensor(LAST_LOSS).doubleValue());
  }

  /** The SWAG moments of a stored training state, without its weights and momentum. */
  public static SwagMoments swagMoments(NpzFile t) {
    return SwagMoments.restore(t.tensor(SWAG_COUNT).longValue(), t.tensor(SWA_MEAN).doubles(),
        t.tensor(SWA_SQUARE_MEAN).doubles(), List.of(t.floatRows(DEVIATIONS)), (int) t.tensor(MAX_DEVIATIONS).longValue());
  }

  /** The weights of a stored training state, without reading the rest. */
  public static float[] weights(NpzFile t) {
    return t.tensor(WEIGHTS).floats();
  }

  public static Map<String, Tensor> subspace(Subspace s) {
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put(MEAN, Tensor.of(s.mean(), s.parameters()));
    t.put(PROJECTION, Tensor.of(s.projection(), s.rank(), s.parameters()));
    t.put(SINGULAR_VALUES, Tensor.of(s.singularValues(), s.singularValues().length));
    return t;
  }

  public static Subspace subspace(NpzFile t) {
    Tensor projection = t.tensor(PROJECTION);
    return new Subspace(t.tensor(MEAN).floats(), projection.floats(), (int) projection.shape()[0],
        t.tensor(SINGULAR_VALUES).doubles());
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
    t.put(Z, Tensor.of(flat, samples.length, rank));
    t.put(LOG_LIKELIHOOD, Tensor.of(chain.sampleLogLikelihoods().stream().mapToDouble(Double::doubleValue)
        .toArray(), samples.length));
    t.put(STATE_Z, Tensor.of(state.z(), rank));
    t.put(STATE_LOG_LIKELIHOOD, Tensor.scalar(state.logLikelihood()));
    t.put(STATE_RNG, Tensor.scalar(state.rngState()));
    t.put(STATE_ITERATIONS, Tensor.scalar((long) state.iterations()));
    t.put(STATE_EVALUATIONS, Tensor.scalar(state.likelihoodEvaluations()));
    return t;
  }

  public static EllipticalSliceSampler.Chain chain(Map<String, Tensor> t) {
    EllipticalSliceSampler.ChainState state = new EllipticalSliceSampler.ChainState(t.get(STATE_Z).doubles(),
        t.get(STATE_LOG_LIKELIHOOD).doubleValue(), t.get(STATE_RNG).longValue(),
        (int) t.get(STATE_ITERATIONS).longValue(), t.get(STATE_EVALUATIONS).longValue());
    List<Double> logLikelihoods = new ArrayList<>();
    for (double v : t.get(LOG_LIKELIHOOD).doubles()) {
      logLikelihoods.add(v);
    }
    return new EllipticalSliceSampler.Chain(state, List.of(t.get(Z).doubleRows()), logLikelihoods);
  }

  public static Map<String, Tensor> curveState(CurveTrainer.State state) {
    int p = state.middle().length;
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put(EPOCHS_DONE, Tensor.scalar((long) state.epochsDone()));
    t.put(MIDDLE, Tensor.of(state.middle(), p));
    t.put(VELOCITY, Tensor.of(state.velocity(), p));
    t.put(LAST_LOSS, Tensor.scalar(state.lastLoss()));
    return t;
  }

  public static CurveTrainer.State curveState(Map<String, Tensor> t) {
    return new CurveTrainer.State((int) t.get(EPOCHS_DONE).longValue(), t.get(MIDDLE).floats(),
        t.get(VELOCITY).floats(), t.get(LAST_LOSS).doubleValue());
  }

  public static Map<String, Tensor> hamiltonianState(HamiltonianSampler.ChainState state) {
    int rank = state.z().length;
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put(Z, Tensor.of(state.z(), rank));
    t.put(LOG_DENSITY, Tensor.scalar(state.logDensity()));
    t.put(GRADIENT, Tensor.of(state.gradient(), rank));
    t.put(RNG_STATE, Tensor.scalar(state.rngState()));
    t.put(ITERATIONS, Tensor.scalar((long) state.iterations()));
    t.put(STEP_SIZE, Tensor.scalar(state.stepSize()));
    t.put(ADAPTATION, Tensor.of(state.adaptation(), state.adaptation().length));
    t.put(GRADIENT_EVALUATIONS, Tensor.scalar(state.gradientEvaluations()));
    t.put(DIVERGENCES, Tensor.scalar((long) state.divergences()));
    t.put(ACCEPTANCE_SUM, Tensor.scalar(state.acceptanceSum()));
    t.put(STEPS_SUM, Tensor.scalar(state.stepsSum()));
    t.put(SAMPLES, Tensor.ofRows(state.samples().toArray(new double[0][])));
    t.put(SAMPLE_LOG_DENSITY, Tensor.of(state.logDensities().stream().mapToDouble(Double::doubleValue).toArray(),
        state.logDensities().size()));
    return t;
  }

  public static HamiltonianSampler.ChainState hamiltonianState(Map<String, Tensor> t) {
    return new HamiltonianSampler.ChainState(t.get(Z).doubles(), t.get(LOG_DENSITY).doubleValue(),
        t.get(GRADIENT).doubles(), t.get(RNG_STATE).longValue(), (int) t.get(ITERATIONS).longValue(),
        t.get(STEP_SIZE).doubleValue(), t.get(ADAPTATION).doubles(), t.get(GRADIENT_EVALUATIONS).longValue(),
        (int) t.get(DIVERGENCES).longValue(), t.get(ACCEPTANCE_SUM).doubleValue(),
        t.get(STEPS_SUM).longValue(), List.of(t.get(SAMPLES).doubleRows()),
        Arrays.stream(t.get(SAMPLE_LOG_DENSITY).doubles()).boxed().toList());
  }
}
