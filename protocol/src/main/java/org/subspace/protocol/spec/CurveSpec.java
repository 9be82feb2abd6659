package org.subspace.protocol.spec;

/** SGD settings of fitting a Bezier curve's middle control point between two trained networks. */
public record CurveSpec(int epochs, int batchSize, double lr, double momentum, double weightDecay) {}
