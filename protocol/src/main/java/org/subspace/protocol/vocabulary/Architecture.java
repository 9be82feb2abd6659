package org.subspace.protocol.vocabulary;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Networks: a regression MLP, or an image classifier (the paper's CIFAR networks and a small CNN). */
public enum Architecture implements Spelled {
  @JsonProperty("mlp") MLP,
  @JsonProperty("cnn-small") CNN_SMALL,
  @JsonProperty("vgg16") VGG16,
  @JsonProperty("preresnet164") PRERESNET164,
  @JsonProperty("wrn28x10") WRN28X10;

  public boolean classifier() {
    return this != MLP;
  }
}
