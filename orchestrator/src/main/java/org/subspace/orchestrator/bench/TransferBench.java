package org.subspace.orchestrator.bench;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.subspace.orchestrator.cluster.ClusterConfig;
import org.subspace.orchestrator.cluster.ClusterGuardian;
import org.subspace.protocol.Sha256;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.protocol.tensor.FloatRows;
import org.subspace.protocol.tensor.NpyData;
import org.subspace.protocol.tensor.TensorNames;
import org.subspace.protocol.vocabulary.ArtifactKind;
import org.subspace.workers.actors.ArtifactFetch;
import org.subspace.workers.actors.ArtifactServer;
import org.subspace.workers.random.Rng;
import org.subspace.workers.store.ArtifactStore;
import org.subspace.workers.store.AtomicFiles;

/**
 * {@code subspace bench transfer}: artifacts of several GB moved between two node JVMs on
 * loopback, each JVM's heap capped (512 MB by default), through the real store, server and
 * fetch. The serving JVM writes a synthetic training state (a float32 matrix of 4 MiB rows) and
 * verifies it; the pulling JVM pulls a 256 MiB one first, untimed (its transfer code compiled,
 * as on a node that has been up a while), then fetches and re-verifies the large one. Reported:
 * MB/s of that pull, and the
 * peak heap (sum of the heap pools' peaks) and peak RSS (VmHWM) of both ends.
 */
public final class TransferBench {
  /** What one transfer measured. */
  public record Result(long bytes, long rowsWritten, long rowsReadBack, double seconds, double serveHeapMb,
      double serveRssMb, double pullHeapMb, double pullRssMb, String servedSha256, String pulledSha256) {
    /** Read back as written on the serving node, and the same bytes on the pulling one. */
    public boolean intact() {
      return rowsReadBack == rowsWritten && servedSha256.equals(pulledSha256);
    }

    public double megabytesPerSecond() {
      return bytes / 1e6 / seconds;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROW_FLOATS = 1 << 20;
  /** Pulled first, untimed, so that the timed pull runs compiled code, as on a node that has been up a while. */
  private static final long WARM_UP_BYTES = 256L << 20;
  /** The node keystore folder both children use for TLS, if any. */
  private static final String TLS_PROPERTY = "subspace.bench.tls";
  private static final String DEVIATIONS = TensorNames.DEVIATIONS;

  private TransferBench() {}

  /**
   * Runs one transfer of about {@code bytes} bytes between two child JVMs of {@code heap} (e.g.
   * "512m"), under TLS with the node keystore in {@code tls} when not null.
   */
  public static Result run(Path dir, long bytes, String heap, Path tls) throws IOException, InterruptedException {
    Process serve = child(heap, tls, "serve", dir.resolve("serve").toString(), Long.toString(bytes));
    try {
      BufferedReader served = reader(serve);
      long rowsReadBack = Long.parseLong(expect(served, "READ", serve));
      String server = expect(served, "SERVER", serve);
      String artifact = expect(served, "ARTIFACT", serve);
      String warmUp = expect(served, "WARMUP", serve);
      String servedSha = expect(served, "SHA256", serve);
      Process pull = child(heap, tls, "pull", dir.resolve("pull").toString(), server, artifact, warmUp);
      BufferedReader pulled = reader(pull);
      String[] transfer = expect(pulled, "PULLED", pull).split(" ");
      String pulledSha = expect(pulled, "SHA256", pull);
      String[] pullPeak = expect(pulled, "PEAK", pull).split(" ");
      pull.waitFor(60, TimeUnit.SECONDS);
      serve.getOutputStream().close();
      String[] servePeak = expect(served, "PEAK", serve).split(" ");
      serve.waitFor(60, TimeUnit.SECONDS);
      return new Result(Long.parseLong(transfer[0]), rows(bytes), rowsReadBack, Double.parseDouble(transfer[1]), Double.parseDouble(servePeak[0]),
          Double.parseDouble(servePeak[1]), Double.parseDouble(pullPeak[0]), Double.parseDouble(pullPeak[1]),
          servedSha, pulledSha);
    } finally {
      serve.destroyForcibly();
    }
  }

  /** Runs each size in GB and writes OUT/transfer.md; returns the results. */
  public static List<Result> report(Path out, List<Double> gigabytes, String heap, Path tls, PrintWriter console)
      throws IOException, InterruptedException {
    List<Result> results = new ArrayList<>();
    StringBuilder md = new StringBuilder("# subspace bench transfer\n\nTwo node JVMs on loopback, -Xmx" + heap
        + " each" + (tls == null ? "" : ", TLS") + "; " + Runtime.getRuntime().availableProcessors() + " cores.\n\n"
        + "| artifact | MB/s | serve peak heap MB | serve peak RSS MB | pull peak heap MB | pull peak RSS MB | intact |\n"
        + "|---|---|---|---|---|---|---|\n");
    for (double gb : gigabytes) {
      Path dir = out.resolve("transfer-" + gb);
      Result r = run(dir, (long) (gb * 1e9), heap, tls);
      results.add(r);
      String row = String.format(Locale.ROOT, "| %.2f GB | %.0f | %.0f | %.0f | %.0f | %.0f | %s |%n", r.bytes() / 1e9,
          r.megabytesPerSecond(), r.serveHeapMb(), r.serveRssMb(), r.pullHeapMb(), r.pullRssMb(),
          r.intact() ? "yes" : "NO");
      md.append(row);
      console.print(row);
      console.flush();
      Folders.deleteTree(dir);
    }
    AtomicFiles.write(out.resolve("transfer.md"), md.toString());
    return results;
  }

  /** The child JVM's entry: {@code serve DIR BYTES} or {@code pull DIR SERVER ARTIFACT WARMUP}. */
  public static void main(String[] args) throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), ClusterConfig.SYSTEM_NAME,
        ClusterConfig.node(ClusterGuardian.ORCHESTRATOR_ROLE, "127.0.0.1", 0, "127.0.0.1:1",
            System.getProperty(TLS_PROPERTY) == null ? null : Path.of(System.getProperty(TLS_PROPERTY)), null, false));
    try {
      ArtifactStore store = new ArtifactStore(Path.of(args[1]));
      if (args[0].equals("serve")) {
        Map<String, NpyData> members = synthetic(Long.parseLong(args[2]));
        ArtifactRef ref = store.putTensors(ArtifactKind.TRAINED, members);
        String sha = Sha256.hex(store.verifiedFile(ref));
        System.out.println("READ " + readBack(store, ref, ((FloatRows) members.get(DEVIATIONS)).rows()));
        ArtifactRef warmUp = store.putTensors(ArtifactKind.TRAINED, synthetic(WARM_UP_BYTES));
        ActorRef<ArtifactStoreProtocol.Command> server = system.systemActorOf(ArtifactServer.create(store),
            "artifacts", Props.empty());
        System.out.println("SERVER " + ActorRefResolver.get(system).toSerializationFormat(server));
        System.out.println("ARTIFACT " + JSON.writeValueAsString(ref));
        System.out.println("WARMUP " + JSON.writeValueAsString(warmUp));
        System.out.println("SHA256 " + sha);
        System.out.flush();
        System.in.readAllBytes();
      } else {
        ActorRef<ArtifactStoreProtocol.Command> server = ActorRefResolver.get(system).resolveActorRef(args[2]);
        ArtifactRef ref = JSON.readValue(args[3], ArtifactRef.class);
        // A node that has been up a while: its transfer code loaded and compiled.
        ArtifactFetch fetch = ArtifactFetch.get(system);
        fetch.fetchInto(server, JSON.readValue(args[4], ArtifactRef.class), store);
        long start = System.nanoTime();
        fetch.fetchInto(server, ref, store);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.println("PULLED " + ref.bytes() + " " + seconds);
        System.out.println("SHA256 " + Sha256.hex(store.verifiedFile(ref)));
      }
      System.out.printf(Locale.ROOT, "PEAK %.1f %.1f%n", peakHeapMegabytes(),
          MemoryProbe.peakResidentMegabytes(Path.of("/proc/self")));
      System.out.flush();
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** About {@code bytes} bytes of a training state's deviations: 16 distinct random rows, repeated. */
  private static Map<String, NpyData> synthetic(long bytes) {
    Rng rng = new Rng(17);
    List<float[]> distinct = new ArrayList<>();
    for (int k = 0; k < 16; k++) {
      float[] row = new float[ROW_FLOATS];
      for (int i = 0; i < row.length; i++) {
        row[i] = (float) rng.nextGaussian();
      }
      distinct.add(row);
    }
    List<float[]> all = new ArrayList<>();
    for (long r = 0; r < rows(bytes); r++) {
      all.add(distinct.get((int) (r % distinct.size())));
    }
    Map<String, NpyData> members = new LinkedHashMap<>();
    members.put(DEVIATIONS, new FloatRows(all, ROW_FLOATS));
    return members;
  }

  /** Reads the stored matrix back row by row and counts the rows equal to what was written. */
  private static long readBack(ArtifactStore store, ArtifactRef ref, List<float[]> written) {
    long[] same = {0};
    store.read(ref, npz -> {
      npz.forEachRow(DEVIATIONS, row -> {
        if (java.util.Arrays.equals(row, written.get((int) same[0]))) {
          same[0]++;
        }
      });
      return null;
    });
    return same[0];
  }

  private static long rows(long bytes) {
    return Math.max(1, bytes / (4L * ROW_FLOATS));
  }

  private static double peakHeapMegabytes() {
    return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
        .mapToLong(p -> p.getPeakUsage().getUsed()).sum() / 1048576.0;
  }

  private static Process child(String heap, Path tls, String... args) throws IOException {
    List<String> options = new ArrayList<>(List.of("-Xmx" + heap, "-Dakka.loglevel=WARNING"));
    if (tls != null) {
      options.add("-D" + TLS_PROPERTY + "=" + tls.toAbsolutePath());
    }
    return new ProcessBuilder(ChildJvm.command(options,
        TransferBench.class.getName(), List.of(args))).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private static BufferedReader reader(Process process) {
    return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** The rest of the first line that starts with {@code tag}; the child's own logging may share stdout. */
  private static String expect(BufferedReader in, String tag, Process process) throws IOException {
    for (String line; (line = in.readLine()) != null; ) {
      if (line.startsWith(tag + " ")) {
        return line.substring(tag.length() + 1);
      }
    }
    throw new IOException("the transfer node " + process.pid() + " ended without printing " + tag);
  }
}
