package org.subspace.workers.train;

import org.subspace.protocol.vocabulary.Schedule;
/**
 * Learning rate per epoch (0-based). {@code CONSTANT} is the UCI scripts' schedule; {@code SWAG}
 * is the reference's SWAG schedule: {@code initial} for the first half of the epochs before
 * SWAG starts, then linear decay to {@code swaRate} until 90% of them, then {@code swaRate}.
 */
public record LearningRateSchedule(Schedule kind, double initial, double swaRate, int swagStartEpoch) {


  public static LearningRateSchedule constant(double rate) {
    return new LearningRateSchedule(Schedule.CONSTANT, rate, rate, 0);
  }

  public double rate(int epoch) {
    if (kind == Schedule.CONSTANT) {
      return initial;
    }
    double t = (double) epoch / swagStartEpoch;
    double ratio = swaRate / initial;
    double factor;
    if (t <= 0.5) {
      factor = 1.0;
    } else if (t <= 0.9) {
      factor = 1.0 - (1.0 - ratio) * (t - 0.5) / 0.4;
    } else {
      factor = ratio;
    }
    return initial * factor;
  }
}
