package io.sparkgpu.it;

import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Collects what spark-gpu logs (logger {@code io.sparkgpu}, INFO and above) while it is open, so a test can assert
 * that a decision was reported. Closing it detaches the appender.
 */
public final class MessageCapture implements AutoCloseable {
  private final List<String> messages = new ArrayList<>();
  private final AbstractAppender appender;
  private final LoggerConfig config;

  public MessageCapture() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    config = ctx.getConfiguration().getLoggerConfig("io.sparkgpu");
    appender = new AbstractAppender("sparkgpu-test-capture", null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        synchronized (messages) {
          messages.add(event.getMessage().getFormattedMessage());
        }
      }
    };
    appender.start();
    config.addAppender(appender, Level.INFO, null);
    ctx.updateLoggers();
  }

  /** The messages logged so far that contain {@code fragment}. */
  public List<String> containing(String fragment) {
    synchronized (messages) {
      return messages.stream().filter(m -> m.contains(fragment)).toList();
    }
  }

  @Override
  public void close() {
    config.removeAppender(appender.getName());
    appender.stop();
    ((LoggerContext) LogManager.getContext(false)).updateLoggers();
  }
}
