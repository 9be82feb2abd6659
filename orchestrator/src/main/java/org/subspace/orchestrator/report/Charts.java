package org.subspace.orchestrator.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Small Java2D charts for the report: line charts and annotated heat maps, as PNG bytes. */
final class Charts {
  private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
      new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194),
      new Color(127, 127, 127)};
  private static final int WIDTH = 720;
  private static final int HEIGHT = 400;
  private static final int LEFT = 70;
  private static final int RIGHT = 160;
  private static final int TOP = 36;
  private static final int BOTTOM = 46;

  private Charts() {}

  /** One line of a chart. */
  record Series(String label, double[] x, double[] y) {}

  static byte[] lines(String title, String xLabel, String yLabel, List<Series> series, boolean diagonal) {
    double x0 = Double.POSITIVE_INFINITY;
    double x1 = Double.NEGATIVE_INFINITY;
    double y0 = Double.POSITIVE_INFINITY;
    double y1 = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        if (Double.isFinite(s.y()[i])) {
          x0 = Math.min(x0, s.x()[i]);
          x1 = Math.max(x1, s.x()[i]);
          y0 = Math.min(y0, s.y()[i]);
          y1 = Math.max(y1, s.y()[i]);
        }
      }
    }
    if (diagonal) {
      y0 = Math.min(y0, x0);
      y1 = Math.max(y1, x1);
    }
    if (!(x1 > x0)) {
      x1 = x0 + 1;
    }
    if (!(y1 > y0)) {
      y1 = y0 + 1;
    }
    double pad = 0.05 * (y1 - y0);
    double[] box = {x0, x1, y0 - pad, y1 + pad};
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = frame(image, title, xLabel, yLabel, box);
    if (diagonal) {
      g.setColor(Color.GRAY);
      g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f}, 0f));
      g.drawLine((int) px(box, x0), (int) py(box, x0), (int) px(box, x1), (int) py(box, x1));
    }
    g.setStroke(new BasicStroke(1.6f));
    for (int k = 0; k < series.size(); k++) {
      Series s = series.get(k);
      g.setColor(PALETTE[k % PALETTE.length]);
      Path2D path = new Path2D.Double();
      boolean started = false;
      for (int i = 0; i < s.x().length; i++) {
        if (!Double.isFinite(s.y()[i])) {
          continue;
        }
        if (started) {
          path.lineTo(px(box, s.x()[i]), py(box, s.y()[i]));
        } else {
          path.moveTo(px(box, s.x()[i]), py(box, s.y()[i]));
          started = true;
        }
      }
      g.draw(path);
      g.drawString(s.label(), WIDTH - RIGHT + 10, TOP + 16 + 16 * k);
    }
    g.dispose();
    return png(image);
  }

  /** A heat map of {@code values[row][column]}, each cell annotated with its value. */
  static byte[] heatMap(String title, String rowLabel, String columnLabel, List<String> rows, List<String> columns,
      double[][] values) {
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double[] row : values) {
      for (double v : row) {
        if (Double.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    int cellW = (WIDTH - LEFT - 40) / Math.max(1, columns.size());
    int cellH = (HEIGHT - TOP - BOTTOM) / Math.max(1, rows.size());
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int r = 0; r < rows.size(); r++) {
      for (int c = 0; c < columns.size(); c++) {
        double v = values[r][c];
        double t = hi > lo && Double.isFinite(v) ? (v - lo) / (hi - lo) : 0.5;
        g.setColor(Double.isFinite(v) ? new Color((int) (250 - 180 * t), (int) (240 - 60 * t), (int) (220 - 20 * t))
            : Color.LIGHT_GRAY);
        int x = LEFT + c * cellW;
        int y = TOP + r * cellH;
        g.fillRect(x, y, cellW - 2, cellH - 2);
        g.setColor(Color.BLACK);
        g.drawString(Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "-", x + cellW / 2 - 18,
            y + cellH / 2 + 4);
      }
      g.drawString(rows.get(r), 8, TOP + r * cellH + cellH / 2 + 4);
    }
    for (int c = 0; c < columns.size(); c++) {
      g.drawString(columns.get(c), LEFT + c * cellW + cellW / 2 - 10, HEIGHT - BOTTOM + 18);
    }
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(title, LEFT, TOP - 14);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawString(columnLabel + " (columns), " + rowLabel + " (rows)", LEFT, HEIGHT - 10);
    g.dispose();
    return png(image);
  }

  private static Graphics2D frame(BufferedImage image, String title, String xLabel, String yLabel, double[] box) {
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    for (int i = 0; i <= 5; i++) {
      double x = box[0] + (box[1] - box[0]) * i / 5;
      double y = box[2] + (box[3] - box[2]) * i / 5;
      g.drawString(String.format(Locale.ROOT, "%.3g", x), (int) px(box, x) - 12, HEIGHT - BOTTOM + 15);
      g.drawString(String.format(Locale.ROOT, "%.3g", y), 8, (int) py(box, y) + 4);
    }
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(title, LEFT, 16);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawString(xLabel, LEFT + (WIDTH - LEFT - RIGHT) / 2 - 20, HEIGHT - 12);
    g.drawString(yLabel, 8, TOP - 6);
    return g;
  }

  private static double px(double[] box, double x) {
    return LEFT + (x - box[0]) / (box[1] - box[0]) * (WIDTH - LEFT - RIGHT);
  }

  private static double py(double[] box, double y) {
    return HEIGHT - BOTTOM - (y - box[2]) / (box[3] - box[2]) * (HEIGHT - TOP - BOTTOM);
  }

  static byte[] png(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
