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
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.subspace.workers.store.AtomicFiles;

/**
 * Draws 1-D predictive distributions as the paper's toy figure does: the data, the predictive
 * mean, a band of +-3 (epistemic) standard deviations and a few sampled functions; one plot, or
 * a grid of them (rows and columns labelled, e.g. subspaces by inference methods).
 */
public final class PredictivePlot {
  private static final int WIDTH = 960;
  private static final int HEIGHT = 540;
  private static final int CELL_WIDTH = 520;
  private static final int CELL_HEIGHT = 330;
  private static final int ROW_LABELS = 90;
  private static final int COLUMN_LABELS = 50;

  private PredictivePlot() {}

  public static void write(Path file, GridPrediction grid, String title) {
    BufferedImage image = canvas(WIDTH, HEIGHT);
    Graphics2D g = image.createGraphics();
    try {
      draw(g, new Frame(0, 0, WIDTH, HEIGHT), grid, title);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.drawString("data, predictive mean, mean +- 3 std, sampled functions", Frame.LEFT, HEIGHT - 12);
    } finally {
      g.dispose();
    }
    save(file, image);
  }

  /** A grid of plots, {@code cells[row][column]} (null: an empty cell), under row and column labels. */
  public static void writeGrid(Path file, List<String> rows, List<String> columns, GridPrediction[][] cells,
      String title) {
    int width = ROW_LABELS + columns.size() * CELL_WIDTH;
    int height = COLUMN_LABELS + rows.size() * CELL_HEIGHT + 30;
    BufferedImage image = canvas(width, height);
    Graphics2D g = image.createGraphics();
    try {
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
      g.drawString(title, ROW_LABELS, 22);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
      for (int c = 0; c < columns.size(); c++) {
        g.drawString(columns.get(c), ROW_LABELS + c * CELL_WIDTH + CELL_WIDTH / 2 - 20, COLUMN_LABELS - 8);
      }
      for (int r = 0; r < rows.size(); r++) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(rows.get(r), 10, COLUMN_LABELS + r * CELL_HEIGHT + CELL_HEIGHT / 2);
        for (int c = 0; c < columns.size(); c++) {
          if (cells[r][c] != null) {
            draw(g, new Frame(ROW_LABELS + c * CELL_WIDTH, COLUMN_LABELS + r * CELL_HEIGHT, CELL_WIDTH, CELL_HEIGHT),
                cells[r][c], "");
          }
        }
      }
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.drawString("each: data, predictive mean, mean +- 3 std, sampled functions", ROW_LABELS, height - 10);
    } finally {
      g.dispose();
    }
    save(file, image);
  }

  private static BufferedImage canvas(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.dispose();
    return image;
  }

  private static void save(Path file, BufferedImage image) {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    AtomicFiles.write(file, png.toByteArray());
  }

  private static void draw(Graphics2D g, Frame frame, GridPrediction grid, String title) {
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    Axes axes = Axes.fit(grid, frame);
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
  }

  /** Where one plot goes on the canvas; the plot area leaves margins for ticks and a title. */
  private record Frame(int x, int y, int width, int height) {
    static final int LEFT = 70;
    static final int RIGHT = 20;
    static final int TOP = 40;
    static final int BOTTOM = 50;

    int left() {
      return x + LEFT;
    }

    int right() {
      return x + width - RIGHT;
    }

    int top() {
      return y + TOP;
    }

    int bottom() {
      return y + height - BOTTOM;
    }
  }

  private record Axes(double xMin, double xMax, double yMin, double yMax, Frame frame) {
    static Axes fit(GridPrediction grid, Frame frame) {
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
      return new Axes(grid.x()[0], grid.x()[grid.x().length - 1], lo - pad, hi + pad, frame);
    }

    double px(double x) {
      return frame.left() + (x - xMin) / (xMax - xMin) * (frame.right() - frame.left());
    }

    double py(double y) {
      return frame.bottom() - (y - yMin) / (yMax - yMin) * (frame.bottom() - frame.top());
    }
  }

  private static void drawAxes(Graphics2D g, Axes axes, String title) {
    Frame f = axes.frame();
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawRect(f.left(), f.top(), f.right() - f.left(), f.bottom() - f.top());
    for (int i = 0; i <= 8; i++) {
      double x = axes.xMin() + (axes.xMax() - axes.xMin()) * i / 8;
      int px = (int) axes.px(x);
      g.drawLine(px, f.bottom(), px, f.bottom() + 5);
      g.drawString(String.format(Locale.ROOT, "%.1f", x), px - 12, f.bottom() + 20);
      double y = axes.yMin() + (axes.yMax() - axes.yMin()) * i / 8;
      int py = (int) axes.py(y);
      g.drawLine(f.left() - 5, py, f.left(), py);
      g.drawString(String.format(Locale.ROOT, "%.2f", y), f.x() + 15, py + 4);
    }
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(title, f.left(), f.top() - 14);
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
