package org.subspace.protocol.spec;

/** Settings shared by every chain of a sweep: the likelihood's noise, the prior, the chain length. */
public record InferenceSpec(double noiseVariance, double priorStd, int samples, int burnIn, int thin) {}
