package org.subspace.test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private test subnet of Linux network namespaces: one namespace per node, each with an
 * {@code eth0} at 10.213.S.N/24 whose other end is on a bridge in a hub namespace. Cutting a
 * node's link takes its bridge port down: packets are lost both ways and open TCP connections
 * stay open, as when a cable is pulled or a switch port dies. Everything is removed on close.
 * Needs root and iproute2; {@link #unavailable()} says why it cannot be made.
 */
final class TestNetwork implements AutoCloseable {
  private final String prefix;
  private final int subnet;
  private final List<String> nodes = new ArrayList<>();

  private TestNetwork(String prefix, int subnet) {
    this.prefix = prefix;
    this.subnet = subnet;
  }

  /** Why namespaces cannot be made here, or null when they can. */
  static String unavailable() {
    String probe = "ssprobe" + ProcessHandle.current().pid();
    try {
      String added = run("ip", "netns", "add", probe);
      if (added != null) {
        return "'ip netns add' failed: " + added;
      }
      run("ip", "netns", "del", probe);
      return null;
    } catch (IOException e) {
      return "no ip command: " + e.getMessage();
    }
  }

  /** A hub namespace with a bridge, and one namespace per node named {@code names}, addresses .1, .2, ... */
  static TestNetwork create(String... names) throws IOException {
    long pid = ProcessHandle.current().pid();
    TestNetwork network = new TestNetwork("ss" + pid + "-", (int) (pid % 200) + 20);
    try {
      network.must("ip", "netns", "add", network.hub());
      network.must("ip", "-n", network.hub(), "link", "add", "br0", "type", "bridge");
      network.must("ip", "-n", network.hub(), "link", "set", "br0", "up");
      for (String name : names) {
        network.addNode(name);
      }
    } catch (IOException | RuntimeException e) {
      network.close();
      throw e;
    }
    return network;
  }

  private String hub() {
    return prefix + "hub";
  }

  /** The namespace of node {@code name}. */
  String namespace(String name) {
    return prefix + name;
  }

  /** The address of node {@code name} on the test subnet. */
  String address(String name) {
    return "10.213." + subnet + "." + (nodes.indexOf(name) + 1);
  }

  private String port(String name) {
    return "p" + (nodes.indexOf(name) + 1);
  }

  private void addNode(String name) throws IOException {
    nodes.add(name);
    String ns = namespace(name);
    must("ip", "netns", "add", ns);
    must("ip", "link", "add", port(name), "netns", hub(), "type", "veth", "peer", "name", "eth0", "netns", ns);
    must("ip", "-n", hub(), "link", "set", port(name), "master", "br0", "up");
    must("ip", "-n", ns, "addr", "add", address(name) + "/24", "dev", "eth0");
    must("ip", "-n", ns, "link", "set", "eth0", "up");
    must("ip", "-n", ns, "link", "set", "lo", "up");
  }

  /** {@code command} to run inside node {@code name}'s namespace. */
  List<String> inside(String name, List<String> command) {
    List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", namespace(name)));
    wrapped.addAll(command);
    return wrapped;
  }

  /** Takes node {@code name}'s link down ({@code up == false}) or up again. */
  void link(String name, boolean up) throws IOException {
    must("ip", "-n", hub(), "link", "set", port(name), up ? "up" : "down");
  }

  @Override
  public void close() {
    for (String name : nodes) {
      quietly("ip", "netns", "del", namespace(name));
    }
    quietly("ip", "netns", "del", hub());
  }

  private void must(String... command) throws IOException {
    String failed = run(command);
    if (failed != null) {
      throw new IOException(String.join(" ", command) + ": " + failed);
    }
  }

  private static void quietly(String... command) {
    try {
      run(command);
    } catch (IOException e) {
      // Nothing more to remove.
    }
  }

  /** Runs {@code command}; null when it succeeded, else what it printed. */
  private static String run(String... command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return "timed out";
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
    return process.exitValue() == 0 ? null : output.isEmpty() ? "exit " + process.exitValue() : output;
  }
}
