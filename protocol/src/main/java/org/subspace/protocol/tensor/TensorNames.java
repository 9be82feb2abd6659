package org.subspace.protocol.tensor;

/**
 * The names of the tensors inside each kind of artifact ({@code .npz} entries), in one place
 * for the code that writes them, the code that reads them and the users who {@code numpy.load}
 * them. Grouped by artifact kind; a name shared by two kinds means the same thing in both.
 */
public final class TensorNames {
  private TensorNames() {}

  // trained, train-checkpoint: a training state with its SWAG moments
  public static final String WEIGHTS = "weights";
  public static final String MOMENTUM = "momentum";
  public static final String SWA_MEAN = "swa_mean";
  public static final String SWA_SQUARE_MEAN = "swa_square_mean";
  public static final String DEVIATIONS = "deviations";
  public static final String SWAG_COUNT = "swag_count";
  public static final String MAX_DEVIATIONS = "max_deviations";
  public static final String EPOCHS_DONE = "epochs_done";
  public static final String LAST_LOSS = "last_loss";

  // curve: the Bezier curve's ends and middle control point; curve-checkpoint adds the velocity
  public static final String START = "start";
  public static final String MIDDLE = "middle";
  public static final String END = "end";
  public static final String VELOCITY = "velocity";

  // subspace
  public static final String MEAN = "mean";
  public static final String PROJECTION = "projection";
  public static final String SINGULAR_VALUES = "singular_values";

  // chain (ESS, HMC, NUTS), variational, evaluation: points in the subspace, one per row
  public static final String Z = "z";
  public static final String LOG_LIKELIHOOD = "log_likelihood";
  public static final String LOG_DENSITY = "log_density";

  // chain-checkpoint of ESS: the chain's current state
  public static final String STATE_Z = "state_z";
  public static final String STATE_LOG_LIKELIHOOD = "state_log_likelihood";
  public static final String STATE_RNG = "state_rng";
  public static final String STATE_ITERATIONS = "state_iterations";
  public static final String STATE_EVALUATIONS = "state_evaluations";

  // chain-checkpoint of HMC and NUTS
  public static final String GRADIENT = "gradient";
  public static final String RNG_STATE = "rng_state";
  public static final String ITERATIONS = "iterations";
  public static final String STEP_SIZE = "step_size";
  public static final String ADAPTATION = "adaptation";
  public static final String GRADIENT_EVALUATIONS = "gradient_evaluations";
  public static final String DIVERGENCES = "divergences";
  public static final String ACCEPTANCE_SUM = "acceptance_sum";
  public static final String STEPS_SUM = "steps_sum";
  public static final String SAMPLES = "samples";
  public static final String SAMPLE_LOG_DENSITY = "sample_log_density";

  // variational: q(z) and the loss per epoch ("mean" is q's mean)
  public static final String SIGMA = "sigma";
  public static final String SCALE = "scale";
  public static final String EPOCH_LOSS = "epoch_loss";

  // evaluation of a regression: per-network predictions in standardized units, and the targets
  public static final String PRED_MEAN = "pred_mean";
  public static final String PRED_VAR = "pred_var";
  public static final String Y = "y";
  public static final String Y_MEAN = "y_mean";
  public static final String Y_STD = "y_std";

  // evaluation of a classifier: the model average's class probabilities and the true labels
  public static final String PROBABILITIES = "probabilities";
  public static final String LABELS = "labels";

  // grid: the predictive on a 1-D grid in original units ("mean" is the predictive mean)
  public static final String X = "x";
  public static final String STD = "std";
  public static final String STD_WITH_NOISE = "std_with_noise";
  public static final String SAMPLE_FUNCTIONS = "sample_functions";
  public static final String TRAIN_X = "train_x";
  public static final String TRAIN_Y = "train_y";
}
