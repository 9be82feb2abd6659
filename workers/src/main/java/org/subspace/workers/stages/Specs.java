package org.subspace.workers.stages;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.subspace.protocol.spec.ModelSpec;
import org.subspace.protocol.spec.TrainingSpec;
import org.subspace.protocol.vocabulary.Schedule;
import org.subspace.workers.model.GaussianLikelihood;
import org.subspace.workers.model.MlpSpec;
import org.subspace.workers.train.LearningRateSchedule;
import org.subspace.workers.train.TrainingSettings;
import org.subspace.workers.vision.ClassifierTrainer;

/** From the protocol's plain settings to the library's types. */
public final class Specs {
  private Specs() {}

  public static MlpSpec mlp(ModelSpec model, int inputs) {
    return new MlpSpec(inputs, model.hidden(), model.activation(),
        model.head());
  }

  public static GaussianLikelihood likelihood(ModelSpec model, double noiseVariance) {
    return new GaussianLikelihood(model.head(), noiseVariance);
  }

  public static TrainingSettings training(TrainingSpec t, ModelSpec model) {
    return new TrainingSettings(t.epochs(), t.batchSize(), schedule(t), t.momentum(), t.weightDecay(),
        t.swagStartEpoch(), t.maxDeviations(), likelihood(model, t.lossNoiseVariance()));
  }

  public static ClassifierTrainer.Settings classifierTraining(TrainingSpec t, boolean augment) {
    return new ClassifierTrainer.Settings(t.epochs(), t.batchSize(), schedule(t), t.momentum(), t.weightDecay(),
        t.swagStartEpoch(), t.maxDeviations(), augment);
  }

  /** The device of a slot: GPU {@code gpu}, or the CPU for -1. */
  public static Device device(int gpu) {
    if (gpu < 0) {
      return Device.cpu();
    }
    int available = Engine.getInstance().getGpuCount();
    if (gpu >= available) {
      throw new IllegalStateException(String.format("the stage was given GPU %d but the PyTorch engine sees %d GPU(s):"
          + " use a CUDA build of libtorch on GPU nodes (README, Running on several machines)", gpu, available));
    }
    return Device.gpu(gpu);
  }

  private static LearningRateSchedule schedule(TrainingSpec t) {
    Schedule kind = t.schedule();
    return kind == Schedule.CONSTANT
        ? LearningRateSchedule.constant(t.lr())
        : new LearningRateSchedule(kind, t.lr(), t.swaLr(), Math.max(t.swagStartEpoch(), 1));
  }
}
