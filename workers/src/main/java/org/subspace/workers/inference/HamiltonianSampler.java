package org.subspace.workers.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.subspace.workers.random.Rng;

/**
 * Hamiltonian Monte Carlo over a subspace's coordinates with an identity mass matrix: plain
 * HMC with a fixed number of leapfrog steps (the step size jittered by +-20% per iteration
 * after warm-up, so a trajectory length cannot resonate with the target), or the No-U-Turn
 * Sampler (Hoffman and Gelman, 2014, Algorithm 6: slice variable, doubling, U-turn check on
 * every subtree). Both find an initial step size by the paper's heuristic and adapt it by
 * {@link DualAveraging} during warm-up; warm-up draws are discarded and the step size is fixed
 * afterwards, so the kept draws come from a valid Markov chain.
 */
public final class HamiltonianSampler {

  public enum Kind { HMC, NUTS }

  /**
   * {@code leapfrogSteps} is HMC's trajectory length; {@code maxTreeDepth} bounds NUTS's
   * doublings (at most {@code 2^maxTreeDepth - 1} leapfrog steps per iteration). Each kind
   * reads only its own, so the other may be 0 ({@link #hmc}, {@link #nuts}).
   */
  public record Settings(Kind kind, int samples, int warmup, double targetAcceptance, int leapfrogSteps,
      int maxTreeDepth) {
    public Settings {
      boolean trajectory = kind == Kind.HMC ? leapfrogSteps >= 1 : maxTreeDepth >= 1 && maxTreeDepth <= 20;
      if (samples < 1 || warmup < 0 || !(targetAcceptance > 0 && targetAcceptance < 1) || !trajectory) {
        throw new IllegalArgumentException(String.format(
            "invalid %s settings: samples %d, warm-up %d, target acceptance %s, leapfrog steps %d, max tree depth %d",
            kind, samples, warmup, targetAcceptance, leapfrogSteps, maxTreeDepth));
      }
    }

    public static Settings hmc(int samples, int warmup, double targetAcceptance, int leapfrogSteps) {
      return new Settings(Kind.HMC, samples, warmup, targetAcceptance, leapfrogSteps, 0);
    }

    public static Settings nuts(int samples, int warmup, double targetAcceptance, int maxTreeDepth) {
      return new Settings(Kind.NUTS, samples, warmup, targetAcceptance, 0, maxTreeDepth);
    }
  }

  /**
   * The kept draws with their log densities; the step size sampled with; the mean acceptance
   * statistic and leapfrog steps per kept iteration; gradient evaluations over the whole run
   * (each is also a likelihood evaluation); leapfrog steps after warm-up whose energy error
   * passed 1000 (divergences: the step size is too large for the curvature somewhere).
   */
  public record Chain(List<double[]> samples, List<Double> logDensities, double stepSize, double meanAcceptance,
      double meanLeapfrogSteps, long gradientEvaluations, int divergences) {}

  /**
   * Where a chain stands after {@code iterations} iterations (warm-up included): the current
   * point with its log density and gradient, the generator's state, the step size and its
   * adaptation, the counters, and the draws kept so far. The next iteration depends on nothing
   * else, so a chain resumed from a state is bit-identical to one that never stopped.
   */
  public record ChainState(double[] z, double logDensity, double[] gradient, long rngState, int iterations,
      double stepSize, double[] adaptation, long gradientEvaluations, int divergences, double acceptanceSum,
      long stepsSum, List<double[]> samples, List<Double> logDensities) {
    public ChainState {
      samples = List.copyOf(samples);
      logDensities = List.copyOf(logDensities);
    }
  }

  /** Called after every iteration (warm-up included); {@code snapshot} gives the state then. */
  @FunctionalInterface
  public interface Progress {
    void afterIteration(int done, int total, long gradientEvaluations, Supplier<ChainState> snapshot);
  }

  /** A point with its log density and gradient, so no point is evaluated twice. */
  private record Point(double[] z, double logDensity, double[] gradient) {}

  /** A NUTS subtree: its two ends with their momenta, a proposal, its slice count, and acceptance sums. */
  private record Tree(Point minus, double[] rMinus, Point plus, double[] rPlus, Point proposal, long inSlice,
      boolean ok, double acceptanceSum, int steps) {}

  private static final double MAX_ENERGY_ERROR = 1000.0;

  private final Settings settings;
  private final LogDensity target;
  private long gradientEvaluations;
  private int divergences;

  public HamiltonianSampler(Settings settings, LogDensity target) {
    this.settings = settings;
    this.target = target;
  }

  /** Runs warm-up and sampling from {@code start}. */
  public Chain run(double[] start, long seed, Progress progress) {
    return run(start(start, seed), progress);
  }

  /** The state before the first iteration: the start evaluated and an initial step size found. */
  public ChainState start(double[] start, long seed) {
    Rng rng = new Rng(Rng.derive(seed, "hamiltonian-" + settings.kind()));
    Point current = evaluate(start.clone());
    if (!Double.isFinite(current.logDensity())) {
      throw new IllegalArgumentException("the log density is not finite at the starting point");
    }
    double stepSize = initialStepSize(current, rng);
    return new ChainState(current.z(), current.logDensity(), current.gradient(), rng.state(), 0, stepSize,
        new DualAveraging(stepSize, settings.targetAcceptance()).state(), gradientEvaluations, 0, 0, 0, List.of(),
        List.of());
  }

  /** Continues a chain from {@code from} to the end of sampling. */
  public Chain run(ChainState from, Progress progress) {
    Rng rng = new Rng(from.rngState());
    Point current = new Point(from.z(), from.logDensity(), from.gradient());
    double stepSize = from.stepSize();
    DualAveraging adaptation = DualAveraging.restore(from.adaptation(), settings.targetAcceptance());
    gradientEvaluations = from.gradientEvaluations();
    divergences = from.divergences();
    List<double[]> samples = new ArrayList<>(from.samples());
    List<Double> logDensities = new ArrayList<>(from.logDensities());
    double acceptanceSum = from.acceptanceSum();
    long stepsSum = from.stepsSum();
    int total = settings.warmup() + settings.samples();
    for (int iteration = from.iterations(); iteration < total; iteration++) {
      boolean warmingUp = iteration < settings.warmup();
      if (iteration == settings.warmup()) {
        stepSize = settings.warmup() > 0 ? adaptation.finalStepSize() : stepSize;
        divergences = 0;
      }
      Transition transition = settings.kind() == Kind.NUTS
          ? nutsTransition(current, stepSize, rng)
          : hmcTransition(current, warmingUp ? stepSize : stepSize * (0.8 + 0.4 * rng.nextDouble()), rng);
      current = transition.next();
      if (warmingUp) {
        stepSize = adaptation.update(transition.acceptance());
      } else {
        samples.add(current.z().clone());
        logDensities.add(current.logDensity());
        acceptanceSum += transition.acceptance();
        stepsSum += transition.steps();
      }
      if (progress != null) {
        int done = iteration + 1;
        Point point = current;
        double size = stepSize;
        double accepted = acceptanceSum;
        long steps = stepsSum;
        progress.afterIteration(done, total, gradientEvaluations, () -> new ChainState(point.z(),
            point.logDensity(), point.gradient(), rng.state(), done, size, adaptation.state(), gradientEvaluations,
            divergences, accepted, steps, samples, logDensities));
      }
    }
    return new Chain(samples, logDensities, stepSize, acceptanceSum / settings.samples(),
        (double) stepsSum / settings.samples(), gradientEvaluations, divergences);
  }

  /**
   * One transition from {@code z} at a fixed step size, with a generator seeded by {@code seed}:
   * the Markov kernel the kept draws follow (for checks of detailed balance).
   */
  public double[] transition(double[] z, double stepSize, long seed) {
    Rng rng = new Rng(seed);
    Point start = evaluate(z.clone());
    Transition transition = settings.kind() == Kind.NUTS
        ? nutsTransition(start, stepSize, rng) : hmcTransition(start, stepSize, rng);
    return transition.next().z().clone();
  }

  private record Transition(Point next, double acceptance, int steps) {}

  private Transition hmcTransition(Point current, double stepSize, Rng rng) {
    double[] momentum = gaussian(current.z().length, rng);
    double startEnergy = current.logDensity() - 0.5 * dot(momentum, momentum);
    Point point = current;
    for (int step = 0; step < settings.leapfrogSteps(); step++) {
      point = leapfrog(point, momentum, stepSize);
    }
    double endEnergy = point.logDensity() - 0.5 * dot(momentum, momentum);
    double acceptance = Double.isNaN(endEnergy) ? 0.0 : Math.min(1.0, Math.exp(endEnergy - startEnergy));
    if (Double.isNaN(endEnergy) || startEnergy - endEnergy > MAX_ENERGY_ERROR) {
      divergences++;
    }
    boolean accept = rng.nextDouble() < acceptance;
    return new Transition(accept ? point : current, acceptance, settings.leapfrogSteps());
  }

  private Transition nutsTransition(Point current, double stepSize, Rng rng) {
    double[] momentum = gaussian(current.z().length, rng);
    double startEnergy = current.logDensity() - 0.5 * dot(momentum, momentum);
    // The slice variable u ~ U(0, exp(startEnergy)), kept in logs.
    double logSlice = startEnergy + Math.log(rng.nextOpenDouble());
    Point minus = current;
    Point plus = current;
    double[] rMinus = momentum;
    double[] rPlus = momentum;
    Point next = current;
    long inSlice = 1;
    double acceptanceSum = 0;
    int steps = 0;
    boolean ok = true;
    for (int depth = 0; ok && depth < settings.maxTreeDepth(); depth++) {
      int direction = rng.nextDouble() < 0.5 ? -1 : 1;
      Tree tree = direction < 0
          ? buildTree(minus, rMinus, logSlice, -1, depth, stepSize, startEnergy, rng)
          : buildTree(plus, rPlus, logSlice, 1, depth, stepSize, startEnergy, rng);
      if (direction < 0) {
        minus = tree.minus();
        rMinus = tree.rMinus();
      } else {
        plus = tree.plus();
        rPlus = tree.rPlus();
      }
      if (tree.ok() && rng.nextDouble() < (double) tree.inSlice() / inSlice) {
        next = tree.proposal();
      }
      inSlice += tree.inSlice();
      acceptanceSum += tree.acceptanceSum();
      steps += tree.steps();
      ok = tree.ok() && noUTurn(minus, rMinus, plus, rPlus);
    }
    return new Transition(next, acceptanceSum / steps, steps);
  }

  /** Builds a subtree of 2^depth leapfrog steps from {@code from} in {@code direction} (Algorithm 6's BuildTree). */
  private Tree buildTree(Point from, double[] momentum, double logSlice, int direction, int depth, double stepSize,
      double startEnergy, Rng rng) {
    if (depth == 0) {
      double[] r = momentum.clone();
      Point point = leapfrog(from, r, direction * stepSize);
      double energy = point.logDensity() - 0.5 * dot(r, r);
      boolean ok = logSlice < MAX_ENERGY_ERROR + energy;
      if (!ok) {
        divergences++;
      }
      double acceptance = Double.isNaN(energy) ? 0.0 : Math.min(1.0, Math.exp(energy - startEnergy));
      return new Tree(point, r, point, r, point, logSlice <= energy ? 1 : 0, ok, acceptance, 1);
    }
    Tree first = buildTree(from, momentum, logSlice, direction, depth - 1, stepSize, startEnergy, rng);
    if (!first.ok()) {
      return first;
    }
    Tree second = direction < 0
        ? buildTree(first.minus(), first.rMinus(), logSlice, direction, depth - 1, stepSize, startEnergy, rng)
        : buildTree(first.plus(), first.rPlus(), logSlice, direction, depth - 1, stepSize, startEnergy, rng);
    long inSlice = first.inSlice() + second.inSlice();
    Point proposal = inSlice > 0 && rng.nextDouble() < (double) second.inSlice() / inSlice
        ? second.proposal() : first.proposal();
    Point minus = direction < 0 ? second.minus() : first.minus();
    double[] rMinus = direction < 0 ? second.rMinus() : first.rMinus();
    Point plus = direction < 0 ? first.plus() : second.plus();
    double[] rPlus = direction < 0 ? first.rPlus() : second.rPlus();
    boolean ok = second.ok() && noUTurn(minus, rMinus, plus, rPlus);
    return new Tree(minus, rMinus, plus, rPlus, proposal, inSlice, ok,
        first.acceptanceSum() + second.acceptanceSum(), first.steps() + second.steps());
  }

  /** Neither end of the trajectory moves back towards the other. */
  private static boolean noUTurn(Point minus, double[] rMinus, Point plus, double[] rPlus) {
    double towardsMinus = 0;
    double towardsPlus = 0;
    for (int i = 0; i < rMinus.length; i++) {
      double span = plus.z()[i] - minus.z()[i];
      towardsMinus += span * rMinus[i];
      towardsPlus += span * rPlus[i];
    }
    return towardsMinus >= 0 && towardsPlus >= 0;
  }

  /** One leapfrog step; updates {@code momentum} in place. */
  private Point leapfrog(Point from, double[] momentum, double stepSize) {
    double[] z = from.z().clone();
    for (int i = 0; i < z.length; i++) {
      momentum[i] += 0.5 * stepSize * from.gradient()[i];
      z[i] += stepSize * momentum[i];
    }
    Point to = evaluate(z);
    for (int i = 0; i < z.length; i++) {
      momentum[i] += 0.5 * stepSize * to.gradient()[i];
    }
    return to;
  }

  private Point evaluate(double[] z) {
    double[] gradient = new double[z.length];
    double logDensity = target.at(z, gradient);
    gradientEvaluations++;
    return new Point(z, logDensity, gradient);
  }

  /** Hoffman and Gelman's Algorithm 4: double or halve from 1 until one step's acceptance crosses 1/2. */
  private double initialStepSize(Point start, Rng rng) {
    double stepSize = 1.0;
    double[] momentum = gaussian(start.z().length, rng);
    double startEnergy = start.logDensity() - 0.5 * dot(momentum, momentum);
    double logRatio = energyChange(start, momentum, stepSize, startEnergy);
    int direction = logRatio > Math.log(0.5) ? 1 : -1;
    for (int tries = 0; tries < 60 && direction * logRatio > -direction * Math.log(2); tries++) {
      stepSize *= Math.pow(2, direction);
      logRatio = energyChange(start, momentum, stepSize, startEnergy);
    }
    return stepSize;
  }

  private double energyChange(Point start, double[] momentum, double stepSize, double startEnergy) {
    double[] r = momentum.clone();
    Point point = leapfrog(start, r, stepSize);
    double energy = point.logDensity() - 0.5 * dot(r, r);
    return Double.isNaN(energy) ? Double.NEGATIVE_INFINITY : energy - startEnergy;
  }

  private static double[] gaussian(int dimension, Rng rng) {
    double[] r = new double[dimension];
    for (int i = 0; i < dimension; i++) {
      r[i] = rng.nextGaussian();
    }
    return r;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
