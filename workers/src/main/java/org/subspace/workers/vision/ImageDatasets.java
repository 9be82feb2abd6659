package org.subspace.workers.vision;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.subspace.protocol.BadInputException;
import org.subspace.protocol.spec.DataSpec;
import org.subspace.protocol.vocabulary.ImageFormat;
import org.subspace.workers.data.DataFiles;
import org.subspace.workers.data.ImageData;
import org.subspace.workers.data.ImageLoaders;

/** The train and test images of an image folder described by a {@link DataSpec}. */
public final class ImageDatasets {
  private ImageDatasets() {}


  /** Training and test images, normalised per channel by the training images' statistics if asked. */
  public record Split(ImageData train, ImageData test) {}

  public static Split load(DataSpec spec) {
    Split split = read(spec);
    if (!spec.standardize()) {
      return split;
    }
    double[][] statistics = split.train().channelStatistics();
    return new Split(split.train().normalized(statistics), split.test().normalized(statistics));
  }

  /** The images as stored (pixels in [0, 1]), without normalisation: enough to validate and count them. */
  public static Split read(DataSpec spec) {
    DataFiles.requireContent(spec);
    Path folder = Path.of(spec.path());
    DataSpec.Images images = spec.images();
    List<Path> files = ImageLoaders.files(folder, images.format());
    return switch (images.format()) {
      case OPTDIGITS -> new Split(ImageLoaders.optdigits(files.get(0)), ImageLoaders.optdigits(files.get(1)));
      case IDX -> files.size() == 4
          ? new Split(ImageLoaders.idx(files.get(0), files.get(1)), ImageLoaders.idx(files.get(2), files.get(3)))
          : cut(ImageLoaders.idx(files.get(0), files.get(1)), images.trainCount(), folder);
      case CIFAR10, CIFAR100 -> new Split(
          ImageLoaders.cifar(files.subList(0, files.size() - 1), classes(images.format())),
          ImageLoaders.cifar(files.subList(files.size() - 1, files.size()), classes(images.format())));
    };
  }

  private static int classes(ImageFormat format) {
    return format == ImageFormat.CIFAR100 ? 100 : 10;
  }

  /** The first {@code trainCount} images train, the rest test. */
  private static Split cut(ImageData all, int trainCount, Path folder) {
    if (trainCount < 1 || trainCount >= all.count()) {
      throw new BadInputException(String.format("%s: data.images.train-count %d leaves no test images of the %d",
          folder, trainCount, all.count()));
    }
    return new Split(all.slice(0, trainCount), all.slice(trainCount, all.count()));
  }
}
