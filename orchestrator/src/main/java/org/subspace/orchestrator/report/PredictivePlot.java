package org.subspace.orchestrator.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.subspace.workers.store.AtomicFiles;

/**
 * Draws a 1-D predictive distribution as the paper's toy figure does: the data, the
 * predictive mean, a band of +-3 (epistemic) standard deviations and a few sampled functions.
 */
public final class PredictivePlot {
  private static final int WIDTH = 960;
  private static final int HEIGHT = 540;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 40;
  private static final int BOTTOM = 50;

  private PredictivePlot() {}

  public static void write(Path file, GridPrediction grid, String title) {
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      Axes axes = Axes.fit(grid);
      drawAxes(g, axes, title);
      drawBand(g, axes, grid);
      g.setStroke(new BasicStroke(1f));
      g.setColor(new Color(90, 150, 90, 150));
      for (double[] f : grid.sampleFunctions()) {
        g.draw(line(axes, grid.x(), f));
      }
      g.setColor(new Color(40, 40, 40, 170));
      for (int i = 0; i < grid.trainX().length; i++) {
        g.fill(new Ellipse2D.Double(axes.px(grid.trainX()[i]) - 2, axes.py(grid.trainY()[i]) - 2, 4, 4));
      }
      g.setColor(new Color(20, 60, 200));
      g.setStroke(new BasicStroke(2.2f));
      g.draw(line(axes, grid.x(), grid.mean()));
    } finally {
      g.dispose();
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    AtomicFiles.write(file, png.toByteArray());
  }

  private record Axes(double xMin, double xMax, double yMin, double yMax) {
    static Axes fit(GridPrediction grid) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < grid.x().length; i++) {
        lo = Math.min(lo, grid.mean()[i] - 3 * grid.std()[i]);
        hi = Math.max(hi, grid.mean()[i] + 3 * grid.std()[i]);
      }
      for (double y : grid.trainY()) {
        lo = Math.min(lo, y);
        hi = Math.max(hi, y);
      }
      double pad = 0.05 * (hi - lo);
      return new Axes(grid.x()[0], grid.x()[grid.x().length - 1], lo - pad, hi + pad);
    }

    double px(double x) {
      return LEFT + (x - xMin) / (xMax - xMin) * (WIDTH - LEFT - RIGHT);
    }

    double py(double y) {
      return HEIGHT - BOTTOM - (y - yMin) / (yMax - yMin) * (HEIGHT - TOP - BOTTOM);
    }
  }

  private static void drawAxes(Graphics2D g, Axes axes, String title) {
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    for (int i = 0; i <= 8; i++) {
      double x = axes.xMin() + (axes.xMax() - axes.xMin()) * i / 8;
      int px = (int) axes.px(x);
      g.drawLine(px, HEIGHT - BOTTOM, px, HEIGHT - BOTTOM + 5);
      g.drawString(String.format(Locale.ROOT, "%.1f", x), px - 12, HEIGHT - BOTTOM + 20);
      double y = axes.yMin() + (axes.yMax() - axes.yMin()) * i / 8;
      int py = (int) axes.py(y);
      g.drawLine(LEFT - 5, py, LEFT, py);
      g.drawString(String.format(Locale.ROOT, "%.2f", y), 15, py + 4);
    }
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(title, LEFT, TOP - 14);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawString("data, predictive mean, mean +- 3 std, sampled functions", LEFT, HEIGHT - 12);
  }

  private static void drawBand(Graphics2D g, Axes axes, GridPrediction grid) {
    Path2D band = new Path2D.Double();
    double[] x = grid.x();
    for (int i = 0; i < x.length; i++) {
      double y = grid.mean()[i] + 3 * grid.std()[i];
      if (i == 0) {
        band.moveTo(axes.px(x[i]), axes.py(y));
      } else {
        band.lineTo(axes.px(x[i]), axes.py(y));
      }
    }
    for (int i = x.length - 1; i >= 0; i--) {
      band.lineTo(axes.px(x[i]), axes.py(grid.mean()[i] - 3 * grid.std()[i]));
    }
    band.closePath();
    g.setColor(new Color(120, 160, 240, 110));
    g.fill(band);
  }

  private static Path2D line(Axes axes, double[] x, double[] y) {
    Path2D path = new Path2D.Double();
    path.moveTo(axes.px(x[0]), axes.py(y[0]));
    for (int i = 1; i < x.length; i++) {
      path.lineTo(axes.px(x[i]), axes.py(y[i]));
    }
    return path;
  }
}
