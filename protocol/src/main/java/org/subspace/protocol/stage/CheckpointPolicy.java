package org.subspace.protocol.stage;

import org.subspace.protocol.CborSerializable;

/**
 * How often a running stage saves an in-stage checkpoint: every {@code trainEpochs} epochs of
 * training and every {@code sampleIterations} chain iterations; every store keeps the newest
 * {@code keep} checkpoints of each stage and deletes the older ones. It travels with each stage,
 * so worker nodes need no sweep configuration of their own.
 */
public record CheckpointPolicy(int trainEpochs, int sampleIterations, int keep) implements CborSerializable {
  public CheckpointPolicy {
    if (trainEpochs < 1 || sampleIterations < 1 || keep < 1) {
      throw new IllegalArgumentException("checkpoint intervals and the number kept must be positive");
    }
  }
}
