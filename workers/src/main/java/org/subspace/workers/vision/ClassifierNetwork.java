package org.subspace.workers.vision;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.subspace.protocol.vocabulary.Architecture;
import org.subspace.workers.data.ImageData;
import org.subspace.workers.random.Rng;

/**
 * An image classifier as a function of one flat weight vector (its trainable parameters in
 * block order, as PyTorch's {@code parameters()}), on one device. It scores the summed softmax
 * log-likelihood of a data set, its gradient (DJL autograd), recomputes BatchNorm statistics for
 * the current weights, and predicts class probabilities. Not thread-safe: one per stage.
 *
 * <p>The likelihood of a network with BatchNorm runs in training mode (each batch normalised by
 * its own statistics, which is what recomputing them does, and none of our BatchNorm networks
 * drops units); one without BatchNorm (VGG16) runs in inference mode, without dropout.
 */
public final class ClassifierNetwork implements AutoCloseable {
  /**
   * DJL's PyTorch gradient collector is process-wide (one may be open at a time); stages that
   * differentiate in one JVM take turns through this lock, a step at a time.
   */
  private static final ReentrantLock AUTOGRAD = new ReentrantLock();

  private final NDManager manager;
  private final Block block;
  private final List<Parameter> trainable = new ArrayList<>();
  private final List<Parameter[]> batchNorms = new ArrayList<>();
  private final Shape imageShape;
  private final int classes;
  private final int parameterCount;

  /** Builds {@code architecture} for images of {@code channels x height x width} on {@code device}. */
  public ClassifierNetwork(Architecture architecture, int classes, int channels, int height, int width,
      Device device) {
    this.manager = NDManager.newBaseManager(device);
    // PyTorch's grad mode is per thread and on by default; DJL turns it off only on the thread
    // that started the engine (loaded by the manager above). Parameters are updated in place,
    // which grad mode forbids, and a network is used on the thread that built it.
    JniUtils.setGradMode(false);
    this.block = ConvNets.build(architecture, classes);
    this.imageShape = new Shape(channels, height, width);
    this.classes = classes;
    block.initialize(manager, DataType.FLOAT32, new Shape(1, channels, height, width));
    Parameter runningMean = null;
    int count = 0;
    for (Pair<String, Parameter> entry : block.getParameters()) {
      Parameter parameter = entry.getValue();
      switch (parameter.getType()) {
        case RUNNING_MEAN -> runningMean = parameter;
        case RUNNING_VAR -> batchNorms.add(new Parameter[] {runningMean, parameter});
        default -> {
          trainable.add(parameter);
          count += (int) parameter.getArray().size();
        }
      }
    }
    this.parameterCount = count;
  }

  public int parameterCount() {
    return parameterCount;
  }

  public int classes() {
    return classes;
  }

  public boolean hasBatchNorm() {
    return !batchNorms.isEmpty();
  }

  public NDManager manager() {
    return manager;
  }

  /**
   * PyTorch's default initialisation, from our generator so runs are reproducible: weights and
   * biases of convolutions and dense layers uniform in +-1/sqrt(fan in), BatchNorm scale 1, shift 0.
   */
  public float[] initialWeights(long seed) {
    Rng rng = new Rng(Rng.derive(seed, "classifier-init"));
    float[] weights = new float[parameterCount];
    int offset = 0;
    double bound = 1;
    for (Parameter parameter : trainable) {
      Shape shape = parameter.getArray().getShape();
      int size = (int) shape.size();
      switch (parameter.getType()) {
        case WEIGHT -> {
          bound = 1 / Math.sqrt(shape.size() / shape.get(0));
          fillUniform(weights, offset, size, bound, rng);
        }
        case BIAS -> fillUniform(weights, offset, size, bound, rng);
        case GAMMA -> Arrays.fill(weights, offset, offset + size, 1f);
        default -> { }
      }
      offset += size;
    }
    return weights;
  }

  private static void fillUniform(float[] weights, int offset, int size, double bound, Rng rng) {
    for (int i = offset; i < offset + size; i++) {
      weights[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
    }
  }

  /** The current weights as one vector. */
  public float[] weights() {
    return flatten(parameterArrays());
  }

  /** Arrays laid end to end in one Java vector (weights, or an optimiser's buffers shaped like them). */
  static float[] flatten(List<NDArray> arrays) {
    int total = arrays.stream().mapToInt(a -> (int) a.size()).sum();
    float[] flat = new float[total];
    int offset = 0;
    for (NDArray array : arrays) {
      float[] values = array.toFloatArray();
      System.arraycopy(values, 0, flat, offset, values.length);
      offset += values.length;
    }
    return flat;
  }

  public void setWeights(float[] flat) {
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      setWeights(manager.create(flat));
    }
  }

  /** Copies a flat weight vector (on this network's device) into the parameters. */
  public void setWeights(NDArray flat) {
    if (flat.size() != parameterCount) {
      throw new IllegalArgumentException("expected " + parameterCount + " weights, got " + flat.size());
    }
    long offset = 0;
    for (Parameter parameter : trainable) {
      NDArray array = parameter.getArray();
      long size = array.size();
      flat.get(offset + ":" + (offset + size)).reshape(array.getShape()).copyTo(array);
      offset += size;
    }
  }

  /** The trainable parameters' arrays, in flat-vector order (for optimisers). */
  List<NDArray> parameterArrays() {
    return trainable.stream().map(Parameter::getArray).toList();
  }

  /** Images {@code from..to-1} of {@code data} as a (batch, C, H, W) array on this device. */
  NDArray images(ImageData data, int from, int to) {
    return manager.create(Arrays.copyOfRange(data.pixels(), from * data.imageSize(), to * data.imageSize()),
        new Shape(to - from, imageShape.get(0), imageShape.get(1), imageShape.get(2)));
  }

  NDArray labels(ImageData data, int from, int to) {
    return manager.create(Arrays.copyOfRange(data.labels(), from, to));
  }

  /** Log-softmax outputs of a batch (training mode: batch statistics in BatchNorm, dropout on). */
  NDArray logProbabilities(NDArray images, boolean training) {
    NDArray logits = block.forward(new ParameterStore(manager, false), new NDList(images), training)
        .singletonOrThrow();
    return logits.logSoftmax(1);
  }

  /** The summed log-likelihood of {@code data} at the current weights. */
  public double logLikelihood(ImageData data, int batchSize) {
    double total = 0;
    for (int from = 0; from < data.count(); from += batchSize) {
      int to = Math.min(data.count(), from + batchSize);
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        NDArray logProbabilities = logProbabilities(images(data, from, to), hasBatchNorm());
        total += pick(logProbabilities, labels(data, from, to)).sum().getFloat();
      }
    }
    return total;
  }

  /**
   * The summed log-likelihood of {@code data} at the current weights and its gradient with
   * respect to the flat weights (returned on this device, shape (P)).
   */
  public double logLikelihoodWithGradient(ImageData data, int batchSize, NDArray gradientOut) {
    gradientOut.muli(0);
    double total = 0;
    for (int from = 0; from < data.count(); from += batchSize) {
      int to = Math.min(data.count(), from + batchSize);
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        total += backward(images(data, from, to), labels(data, from, to), hasBatchNorm(), 1.0);
        gradientOut.addi(flatGradient());
      }
    }
    return total;
  }

  /**
   * One forward and backward pass: returns the summed log-likelihood of the batch and leaves
   * {@code scale} times its gradient in the parameters' gradients (zeroed first).
   */
  double backward(NDArray images, NDArray labels, boolean training, double scale) {
    AUTOGRAD.lock();
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      for (Parameter parameter : trainable) {
        NDArray array = parameter.getArray();
        if (!array.hasGradient()) {
          array.setRequiresGradient(true);
        }
        array.getGradient().muli(0);
      }
      NDArray logLikelihood = pick(logProbabilities(images, training), labels).sum();
      collector.backward(logLikelihood.mul((float) scale));
      return logLikelihood.getFloat();
    } finally {
      AUTOGRAD.unlock();
    }
  }

  /** The parameters' gradients as one flat vector on this device. */
  NDArray flatGradient() {
    NDList parts = new NDList();
    for (Parameter parameter : trainable) {
      parts.add(parameter.getArray().getGradient().reshape(-1));
    }
    return NDArrays.concat(parts);
  }

  /**
   * Recomputes every BatchNorm's running statistics for the current weights: a training-mode
   * pass over {@code data}, averaging each batch's statistics weighted by its size.
   */
  public void recomputeBatchNorm(ImageData data, int batchSize) {
    if (!hasBatchNorm()) {
      return;
    }
    List<NDArray[]> sums = new ArrayList<>();
    for (Parameter[] pair : batchNorms) {
      sums.add(new NDArray[] {pair[0].getArray().zerosLike(), pair[1].getArray().zerosLike()});
    }
    for (int from = 0; from < data.count(); from += batchSize) {
      int to = Math.min(data.count(), from + batchSize);
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        logProbabilities(images(data, from, to), true);
        for (int i = 0; i < batchNorms.size(); i++) {
          sums.get(i)[0].addi(batchNorms.get(i)[0].getArray().mul(to - from));
          sums.get(i)[1].addi(batchNorms.get(i)[1].getArray().mul(to - from));
        }
      }
    }
    for (int i = 0; i < batchNorms.size(); i++) {
      sums.get(i)[0].divi(data.count()).copyTo(batchNorms.get(i)[0].getArray());
      sums.get(i)[1].divi(data.count()).copyTo(batchNorms.get(i)[1].getArray());
      sums.get(i)[0].close();
      sums.get(i)[1].close();
    }
  }

  /** Each BatchNorm's running means, for checks. */
  float[][] runningMeans() {
    return batchNorms.stream().map(pair -> pair[0].getArray().toFloatArray()).toArray(float[][]::new);
  }

  /** Class probabilities of every image (inference mode), [N][classes]. */
  public float[][] probabilities(ImageData data, int batchSize) {
    float[][] out = new float[data.count()][];
    for (int from = 0; from < data.count(); from += batchSize) {
      int to = Math.min(data.count(), from + batchSize);
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        float[] p = logProbabilities(images(data, from, to), false).exp().toFloatArray();
        for (int i = from; i < to; i++) {
          out[i] = Arrays.copyOfRange(p, (i - from) * classes, (i - from + 1) * classes);
        }
      }
    }
    return out;
  }

  /** Each row's log-probability of its label. */
  private NDArray pick(NDArray logProbabilities, NDArray labels) {
    return logProbabilities.mul(labels.oneHot(classes)).sum(new int[] {1});
  }

  @Override
  public void close() {
    manager.close();
  }
}
