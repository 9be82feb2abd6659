package org.subspace.protocol;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** This machine's name, for messages and records that say where something happened. */
public final class HostName {
  private HostName() {}

  public static String of() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      // A host whose own name does not resolve still has one.
      return System.getenv().getOrDefault("HOSTNAME", "unknown");
    }
  }
}
