package org.subspace.workers.vision;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import java.util.List;
import org.subspace.protocol.vocabulary.Architecture;

/**
 * The image classifiers, as DJL blocks: a small CNN that trains in minutes on a CPU, and the
 * paper's CIFAR architectures as the reference code defines them — VGG16 (no BatchNorm,
 * dropout classifier 512-512), PreResNet164 (pre-activation bottlenecks, 18 per stage) and
 * WideResNet28x10 (pre-activation basic blocks with dropout, widths 160/320/640). Every
 * BatchNorm is built with momentum 0, so a training-mode pass leaves the batch's own
 * statistics in its running buffers: {@link ClassifierNetwork} averages those over the
 * training data to recompute them for each sampled network, as the reference's {@code bn_update}.
 */
public final class ConvNets {
  private ConvNets() {}

  public static Block build(Architecture architecture, int classes) {
    return switch (architecture) {
      case CNN_SMALL -> smallCnn(classes);
      case VGG16 -> vgg16(classes);
      case PRERESNET164 -> preResNet(164, classes);
      case WRN28X10 -> wideResNet(28, 10, 0.0f, classes);
      case MLP -> throw new IllegalArgumentException("an MLP is not an image classifier");
    };
  }

  /** conv(16)-BN-ReLU-pool, conv(32)-BN-ReLU-pool, dense 64, dense classes: 13,754 weights on 8x8 digits. */
  public static Block smallCnn(int classes) {
    return new SequentialBlock()
        .add(conv(16, 3, 1, false)).add(batchNorm()).add(Activation.reluBlock()).add(maxPool())
        .add(conv(32, 3, 1, false)).add(batchNorm()).add(Activation.reluBlock()).add(maxPool())
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(64).build()).add(Activation.reluBlock())
        .add(Linear.builder().setUnits(classes).build());
  }

  /** VGG16 for 32x32 inputs (conv layers with biases, no BatchNorm), classifier 512-512-classes with dropout. */
  public static Block vgg16(int classes) {
    SequentialBlock net = new SequentialBlock();
    int[][] stages = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
    for (int[] stage : stages) {
      for (int filters : stage) {
        net.add(conv(filters, 3, 1, true)).add(Activation.reluBlock());
      }
      net.add(maxPool());
    }
    return net.add(Blocks.batchFlattenBlock())
        .add(Dropout.builder().optRate(0.5f).build())
        .add(Linear.builder().setUnits(512).build()).add(Activation.reluBlock())
        .add(Dropout.builder().optRate(0.5f).build())
        .add(Linear.builder().setUnits(512).build()).add(Activation.reluBlock())
        .add(Linear.builder().setUnits(classes).build());
  }

  /** Pre-activation ResNet with bottlenecks ({@code (depth - 2) / 9} per stage, widths 16/32/64, x4). */
  public static Block preResNet(int depth, int classes) {
    if ((depth - 2) % 9 != 0) {
      throw new IllegalArgumentException("PreResNet depth must be 9n + 2, got " + depth);
    }
    int blocks = (depth - 2) / 9;
    SequentialBlock net = new SequentialBlock().add(conv(16, 3, 1, false));
    int inputs = 16;
    int[] planes = {16, 32, 64};
    for (int stage = 0; stage < 3; stage++) {
      for (int b = 0; b < blocks; b++) {
        int stride = stage > 0 && b == 0 ? 2 : 1;
        net.add(preActBottleneck(inputs, planes[stage], stride));
        inputs = planes[stage] * 4;
      }
    }
    return net.add(batchNorm()).add(Activation.reluBlock()).add(Pool.globalAvgPool2dBlock())
        .add(Linear.builder().setUnits(classes).build());
  }

  /**
   * BN-ReLU, then 1x1, 3x3 (stride), 1x1 (x4) convolutions with BN-ReLU between; the shortcut is
   * the input, or a strided 1x1 convolution of the activated input when the shape changes.
   */
  private static Block preActBottleneck(int inputs, int planes, int stride) {
    SequentialBlock residual = new SequentialBlock()
        .add(conv(planes, 1, 1, false)).add(batchNorm()).add(Activation.reluBlock())
        .add(conv(planes, 3, stride, false)).add(batchNorm()).add(Activation.reluBlock())
        .add(conv(planes * 4, 1, 1, false));
    if (stride != 1 || inputs != planes * 4) {
      return new SequentialBlock().add(batchNorm()).add(Activation.reluBlock())
          .add(sum(residual, conv(planes * 4, 1, stride, false)));
    }
    return sum(new SequentialBlock().add(batchNorm()).add(Activation.reluBlock()).add(residual),
        Blocks.identityBlock());
  }

  /** Wide ResNet ({@code (depth - 4) / 6} blocks per stage, widths 16k/32k/64k), as the reference defines it. */
  public static Block wideResNet(int depth, int widen, float dropout, int classes) {
    if ((depth - 4) % 6 != 0) {
      throw new IllegalArgumentException("WideResNet depth must be 6n + 4, got " + depth);
    }
    int blocks = (depth - 4) / 6;
    SequentialBlock net = new SequentialBlock().add(conv(16, 3, 1, true));
    int inputs = 16;
    int[] widths = {16 * widen, 32 * widen, 64 * widen};
    for (int stage = 0; stage < 3; stage++) {
      for (int b = 0; b < blocks; b++) {
        int stride = stage > 0 && b == 0 ? 2 : 1;
        SequentialBlock residual = new SequentialBlock()
            .add(batchNorm()).add(Activation.reluBlock()).add(conv(widths[stage], 3, 1, true))
            .add(Dropout.builder().optRate(dropout).build())
            .add(batchNorm()).add(Activation.reluBlock()).add(conv(widths[stage], 3, stride, true));
        Block shortcut = stride != 1 || inputs != widths[stage]
            ? conv(widths[stage], 1, stride, true) : Blocks.identityBlock();
        net.add(sum(residual, shortcut));
        inputs = widths[stage];
      }
    }
    return net.add(batchNorm()).add(Activation.reluBlock()).add(Pool.globalAvgPool2dBlock())
        .add(Linear.builder().setUnits(classes).build());
  }

  private static Block sum(Block residual, Block shortcut) {
    return new ParallelBlock(outputs -> new NDList(outputs.get(0).singletonOrThrow()
        .add(outputs.get(1).singletonOrThrow())), List.of(residual, shortcut));
  }

  private static Block conv(int filters, int kernel, int stride, boolean bias) {
    return Conv2d.builder().setFilters(filters).setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride)).optPadding(new Shape(kernel / 2, kernel / 2)).optBias(bias).build();
  }

  private static Block batchNorm() {
    return BatchNorm.builder().optMomentum(0f).build();
  }

  private static Block maxPool() {
    return Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2));
  }
}
