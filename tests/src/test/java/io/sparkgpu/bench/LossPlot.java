package io.sparkgpu.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws training objective against wall-clock seconds for a pair of trainers as a PNG, headless, with java.awt.
 * Each point is one complete fit (its maxIter, its seconds, its objective computed independently of the trainer).
 * The y axis is the objective's excess over the best objective measured (any point, or the reference), on a log
 * scale, so that the last per-mille of convergence stays visible; a dashed line marks the target, the reference
 * (MLlib's final objective) + 0.5%.
 */
final class LossPlot {
  private LossPlot() {}

  /** One fit: seconds, objective, and the maxIter it ran with (label). */
  record Point(double seconds, double objective, int maxIter) {}

  /** One trainer's points, drawn in order. */
  record Series(String name, Color color, List<Point> points) {}

  private static final int W = 900;
  private static final int H = 560;
  private static final int LEFT = 90;
  private static final int RIGHT = 30;
  private static final int TOP = 50;
  private static final int BOTTOM = 70;
  private static final double FLOOR = 1e-5;

  static void draw(Path file, String title, double reference, double targetFactor, List<Series> series) {
    double best = reference;
    for (Series s : series) {
      for (Point p : s.points()) {
        best = Math.min(best, p.objective());
      }
    }
    double targetExcess = reference * targetFactor / best - 1;
    System.setProperty("java.awt.headless", "true");
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, W, H);
      double xMax = 0;
      double yMax = targetExcess * 10;
      for (Series s : series) {
        for (Point p : s.points()) {
          xMax = Math.max(xMax, p.seconds());
          yMax = Math.max(yMax, excess(p.objective(), best));
        }
      }
      xMax = niceCeil(xMax * 1.05);
      double logMin = Math.log10(FLOOR);
      double logMax = Math.ceil(Math.log10(yMax));
      int pw = W - LEFT - RIGHT;
      int ph = H - TOP - BOTTOM;
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      // Grid and axes.
      for (int e = (int) logMin; e <= logMax; e++) {
        int y = TOP + (int) Math.round(ph * (logMax - e) / (logMax - logMin));
        g.setColor(new Color(225, 225, 225));
        g.drawLine(LEFT, y, LEFT + pw, y);
        g.setColor(Color.DARK_GRAY);
        String label = e == (int) logMin ? "≤1e" + e : "1e" + e;
        g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), y + 4);
      }
      for (int i = 0; i <= 5; i++) {
        double xv = xMax * i / 5;
        int x = LEFT + (int) Math.round(pw * i / 5.0);
        g.setColor(new Color(225, 225, 225));
        g.drawLine(x, TOP, x, TOP + ph);
        g.setColor(Color.DARK_GRAY);
        String label = String.format(Locale.ROOT, xMax >= 10 ? "%.0f" : "%.1f", xv);
        g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, TOP + ph + 18);
      }
      g.setColor(Color.BLACK);
      g.drawRect(LEFT, TOP, pw, ph);
      g.drawString("wall-clock seconds of the fit (ingest + all iterations)", LEFT + pw / 2 - 160, H - 25);
      Graphics2D gr = (Graphics2D) g.create();
      gr.rotate(-Math.PI / 2);
      gr.drawString("objective / best measured - 1 (log)", -(TOP + ph / 2 + 100), 22);
      gr.dispose();
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
      g.drawString(title, LEFT, 28);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      // Target line.
      int ty = yOf(targetExcess, logMin, logMax, ph);
      g.setColor(new Color(200, 0, 0));
      g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 5f},
          0f));
      g.drawLine(LEFT, ty, LEFT + pw, ty);
      g.drawString("target: MLlib's final objective + 0.5%", LEFT + pw - 250, ty - 6);
      // Series.
      int legendY = TOP + 18;
      for (Series s : series) {
        g.setColor(s.color());
        g.setStroke(new BasicStroke(2f));
        int px = -1;
        int py = -1;
        for (Point p : s.points()) {
          int x = LEFT + (int) Math.round(pw * p.seconds() / xMax);
          int y = yOf(excess(p.objective(), best), logMin, logMax, ph);
          if (px >= 0) {
            g.drawLine(px, py, x, y);
          }
          g.fillOval(x - 4, y - 4, 8, 8);
          g.drawString(Integer.toString(p.maxIter()), x + 5, y - 5);
          px = x;
          py = y;
        }
        g.fillRect(LEFT + 12, legendY - 9, 18, 10);
        g.drawString(s.name(), LEFT + 36, legendY);
        legendY += 18;
      }
      g.setColor(Color.DARK_GRAY);
      String note = String.format(Locale.ROOT, "each point is one complete fit, labelled with its maxIter; best "
          + "objective %.6f", best);
      g.drawString(note, LEFT + pw - g.getFontMetrics().stringWidth(note) - 8, TOP + ph - 8);
    } finally {
      g.dispose();
    }
    try {
      Files.createDirectories(file.getParent());
      ImageIO.write(img, "png", file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double excess(double objective, double reference) {
    return Math.max(FLOOR, objective / reference - 1);
  }

  private static int yOf(double excess, double logMin, double logMax, int ph) {
    double l = Math.log10(Math.max(FLOOR, excess));
    return TOP + (int) Math.round(ph * (logMax - l) / (logMax - logMin));
  }

  private static double niceCeil(double v) {
    if (v <= 0) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }
}
