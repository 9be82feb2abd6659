package org.subspace.workers.stages;

import org.subspace.protocol.spec.ModelSpec;
import org.subspace.protocol.spec.TrainingSpec;
import org.subspace.workers.Labels;
import org.subspace.workers.model.GaussianLikelihood;
import org.subspace.workers.model.MlpSpec;
import org.subspace.workers.train.LearningRateSchedule;
import org.subspace.workers.train.TrainingSettings;

/** From the protocol's plain settings to the library's types. */
public final class Specs {
  private Specs() {}

  public static MlpSpec mlp(ModelSpec model, int inputs) {
    return new MlpSpec(inputs, model.hidden(), Labels.parse(MlpSpec.Activation.class, model.activation()),
        Labels.parse(MlpSpec.Head.class, model.head()));
  }

  public static GaussianLikelihood likelihood(ModelSpec model, double noiseVariance) {
    return new GaussianLikelihood(Labels.parse(MlpSpec.Head.class, model.head()), noiseVariance);
  }

  public static TrainingSettings training(TrainingSpec t, ModelSpec model) {
    LearningRateSchedule.Kind kind = Labels.parse(LearningRateSchedule.Kind.class, t.schedule());
    LearningRateSchedule schedule = kind == LearningRateSchedule.Kind.CONSTANT
        ? LearningRateSchedule.constant(t.lr())
        : new LearningRateSchedule(kind, t.lr(), t.swaLr(), Math.max(t.swagStartEpoch(), 1));
    return new TrainingSettings(t.epochs(), t.batchSize(), schedule, t.momentum(), t.weightDecay(),
        t.swagStartEpoch(), t.maxDeviations(), likelihood(model, t.lossNoiseVariance()));
  }
}
