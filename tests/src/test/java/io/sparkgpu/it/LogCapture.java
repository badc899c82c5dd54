package io.sparkgpu.it;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Records the log events of one logger (and its children) at INFO and above in this JVM while open, as
 * "LEVEL logger: message". Owns a log4j2 appender, removed by {@link #close}.
 */
final class LogCapture implements AutoCloseable {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final LoggerContext context;
  private final LoggerConfig config;
  private final AbstractAppender appender;

  LogCapture(String loggerName) {
    context = (LoggerContext) LogManager.getContext(false);
    config = context.getConfiguration().getLoggerConfig(loggerName);
    if (!config.getName().equals(loggerName)) {
      throw new IllegalStateException("Logger " + loggerName + " has no configuration of its own (found '"
          + config.getName() + "'); declare it in log4j2-test.properties");
    }
    appender = new AbstractAppender("capture-" + loggerName, null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        lines.add(event.getLevel() + " " + event.getLoggerName() + ": " + event.getMessage().getFormattedMessage());
      }
    };
    appender.start();
    config.addAppender(appender, Level.INFO, null);
    context.updateLoggers();
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  boolean contains(String text) {
    return lines.stream().anyMatch(l -> l.contains(text));
  }

  @Override
  public void close() {
    config.removeAppender(appender.getName());
    context.updateLoggers();
    appender.stop();
  }
}
