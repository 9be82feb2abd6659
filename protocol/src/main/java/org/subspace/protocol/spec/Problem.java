package org.subspace.protocol.spec;

/** The rows a stage learns from (one split of a dataset) and the network it fits to them. */
public record Problem(DataSpec data, String split, ModelSpec model) {}
