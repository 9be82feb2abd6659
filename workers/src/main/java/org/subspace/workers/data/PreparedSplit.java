package org.subspace.workers.data;

/** One split of a dataset, ready to train on, with the table it came from (for plots). */
public record PreparedSplit(String label, Table source, RegressionData data) {}
