package io.sparkgpu.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ThreadCpuSnapshotTest {
  @Test
  void ticksAreUserPlusSystemTimeAfterAThreadNameWithSpacesAndParentheses() {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    String stat = "4242 (C2 Compiler (x)) S 1 4242 4242 0 -1 4194368 120 0 3 0 1375 212 0 0 20 0 1 0 99 0 0";
    assertEquals(1375 + 212, ThreadCpuSnapshot.ticks(stat));
  }

  @Test
  void stealIsTheEighthValueOfTheMachineWideCpuLine() {
    // user nice system idle iowait irq softirq steal guest guest_nice
    assertEquals(16660, ThreadCpuSnapshot.stealTicks("cpu  5263370 1290 844723 5745954 15574 0 1868 16660 0 0"));
    assertThrows(IllegalArgumentException.class,
        () -> ThreadCpuSnapshot.stealTicks("cpu0 2631685 645 422361 2872977 7787 0 934 8330 0 0"));
  }

  @Test
  void digitsAreFolded() {
    assertEquals("GC Thread#N", ThreadCpuSnapshot.foldDigits("GC Thread#1"));
    assertEquals("Executor task launch worker-N", ThreadCpuSnapshot.foldDigits("Executor task launch worker-12"));
  }

  @Test
  void aBusyThreadIsSeenWithItsCpuSeconds() throws InterruptedException {
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(java.nio.file.Path.of(
        "/proc/self/task")), "no /proc/self/task on this OS");
    ThreadCpuSnapshot before = ThreadCpuSnapshot.take();
    double[] sink = new double[1];
    double[] cpuSeconds = new double[1];
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    org.junit.jupiter.api.Assumptions.assumeTrue(threads.isCurrentThreadCpuTimeSupported(), "no thread CPU clock");
    java.util.concurrent.CountDownLatch spun = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Thread busy = new Thread(() -> {
      // 0.3 s of this thread's own CPU time, however long the machine makes it wait for a core
      while (threads.getCurrentThreadCpuTime() < 300_000_000L) {
        sink[0] += Math.sqrt(sink[0] + 1);
      }
      cpuSeconds[0] = threads.getCurrentThreadCpuTime() / 1e9;
      spun.countDown();
      try {
        release.await(); // alive while the second snapshot is taken: an ended thread is no longer listed
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "busy-probe-7");
    busy.start();
    spun.await();
    String busiest = ThreadCpuSnapshot.take().busiestSince(before, 3);
    release.countDown();
    busy.join();
    // /proc counts the same CPU time as the JVM's thread clock, in 10 ms ticks
    double seen = 0;
    for (String part : busiest.split(", ")) {
      if (part.startsWith("busy-probe-N ")) {
        seen = Double.parseDouble(part.substring("busy-probe-N ".length(), part.length() - 2));
      }
    }
    assertTrue(Math.abs(seen - cpuSeconds[0]) <= 0.03, "busiest threads: " + busiest + "; the thread's own clock: "
        + cpuSeconds[0] + " s (sink " + sink[0] + ")");
  }
}
