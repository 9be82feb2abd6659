package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.subspace.orchestrator.cli.SubspaceCommand;

/**
 * Every bad input is rejected before any work: exit code 2, one line on stderr that names
 * the offending key or file, and no output folder.
 */
class BadInputTest {
  private static final String TOY = "config/sweeps/toy-regression.conf";

  @TempDir static Path dir;

  /** Malformed tables the data cases read, written into the temporary folder. */
  private static final Map<String, String> TABLES = Map.of(
      "nan.csv", "x,y\n1,2\n3,NaN\n",
      "ragged.csv", "x,y\n1,2\n3\n",
      "text.csv", "x,y\n1,2\n3,4\nabc,5\n");

  /**
   * A case: its name, the sweep file's text (null: the bundled toy sweep; DIR stands for the
   * temporary folder), the arguments after {@code run SWEEP --out OUT} (or instead of all of
   * them when they start with "run"), and a fragment the error line must contain.
   */
  record Case(String name, String sweep, List<String> args, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Case toy(String name, String expected, String... overrides) {
    return new Case(name, null, List.of(overrides), expected);
  }

  private static Case file(String name, String sweep, String expected) {
    return new Case(name, sweep, List.of(), expected);
  }

  private static Case table(String name, String table, String expected) {
    return file(name, "include file(\"" + Path.of(TOY).toAbsolutePath() + "\")\n"
        + "data { source = table, path = \"DIR/" + table + "\", split = all,"
        + " format { separator = comma, header-lines = 1, target-column = 1 } }\n", expected);
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("missing sweep file", null, List.of("run", "no/such/sweep.conf", "--out", "OUT"),
            "no/such/sweep.conf: sweep file not found"),
        file("HOCON syntax error", "training { epochs = }\n", "bad.conf: 1:"),
        file("unknown key", "training { epoch = 5 }\n", "unknown key 'training.epoch' (did you mean 'training.epochs'?)"),
        file("unknown nested key", "data.generated.train-pionts = 5\n", "did you mean 'data.generated.train-points'?"),
        toy("wrong type", "training.epochs", "-D", "training.epochs=many"),
        toy("a data name that would escape its folder", "data.name: must be 1 to 64 letters, digits",
            "-D", "data.name=\"../../etc/x\""),
        toy("a sweep name with a space", "sweep.name: must be 1 to 64 letters", "-D", "sweep.name=\"my sweep\""),
        toy("zero temperature", "inference.temperatures: temperature 0.0 must be positive",
            "-D", "inference.temperatures=[0]"),
        toy("negative temperature", "inference.temperatures: temperature -2.0 must be positive",
            "-D", "inference.temperatures=[1.5,-2]"),
        toy("rank above the deviations", "subspace.ranks: PCA rank 11 is larger than the 10 SWAG deviations",
            "-D", "subspace.ranks=[11]"),
        toy("rank above the collected models", "PCA rank 10 is larger than the 5 SWAG deviations",
            "-D", "training.epochs=2005", "-D", "training.swag.start-epoch=2000"),
        toy("rank zero", "subspace.ranks: values must be positive", "-D", "subspace.ranks=[0]"),
        toy("no ranks", "subspace.ranks: needs at least one value", "-D", "subspace.ranks=[]"),
        toy("no temperatures", "inference.temperatures: needs at least one temperature",
            "-D", "inference.temperatures=[]"),
        toy("unknown activation", "model.activation: unknown value 'rellu' (expected one of relu, tanh, sigmoid)",
            "-D", "model.activation=rellu"),
        toy("unknown method", "inference.methods: unknown value 'magic'", "-D", "inference.methods=[magic]"),
        toy("unknown subspace", "subspace.kinds: unknown value 'curvy'", "-D", "subspace.kinds=[curvy]"),
        toy("unknown random scale", "subspace.random.scale: unknown value 'wide' (expected one of unit, pca)",
            "-D", "subspace.random.scale=wide"),
        toy("random rank above the deviations with the PCA scale", "subspace.ranks: PCA rank 12 is larger",
            "-D", "subspace.kinds=[random]", "-D", "subspace.random.scale=pca", "-D", "subspace.ranks=[12]"),
        toy("target acceptance out of range", "inference.hamiltonian.target-acceptance: must be in (0, 1), got 1.5",
            "-D", "inference.hamiltonian.target-acceptance=1.5"),
        toy("tree depth too large", "inference.hamiltonian.max-tree-depth: at most 20",
            "-D", "inference.hamiltonian.max-tree-depth=40"),
        toy("negative curve learning rate", "subspace.curve.lr: must be positive",
            "-D", "subspace.kinds=[curve]", "-D", "subspace.curve.lr=-1"),
        toy("image folder missing", "no/such/folder: image folder not found (data.path)",
            "-D", "data.source=images", "-D", "data.path=no/such/folder", "-D", "data.images.format=optdigits",
            "-D", "model.architecture=cnn-small", "-D", "subspace.ranks=[2]"),
        toy("image format missing", "data.images.format: image data needs a format",
            "-D", "data.source=images", "-D", "data.path=../shared/data/digits", "-D", "model.architecture=cnn-small"),
        toy("classifier on a table", "model.architecture: vgg16 classifies images: it needs data.source = images",
            "-D", "model.architecture=vgg16"),
        toy("unknown architecture", "model.architecture: unknown value 'resnet9'", "-D", "model.architecture=resnet9"),
        toy("curve subspace for a classifier", "subspace.kinds: curve subspaces are fitted for MLPs",
            "-D", "data.source=images", "-D", "data.path=../shared/data/digits", "-D", "data.images.format=optdigits",
            "-D", "model.architecture=cnn-small", "-D", "subspace.kinds=[curve]"),
        toy("old singular key", "unknown key 'subspace.kind' (did you mean 'subspace.kinds'?)", "-D", "subspace.kind=pca"),
        toy("unknown key in a datasets element", "unknown key 'datasets[0].training.epoch' (did you mean "
            + "'datasets[0].training.epochs'?)", "-D", "datasets=[{training.epoch=3}]"),
        toy("no workers", "--workers must be at least 1", "--workers", "0"),
        toy("dataset not in the catalog", "datasets[0]: 'bostn' is not in dataset-catalog",
            "-D", "dataset-catalog.boston.data.name=boston", "-D", "datasets=[bostn]"),
        toy("temperature expression", "inference.temperatures: expected numbers or \"n/K\"",
            "-D", "inference.temperatures=[\"n-20\"]"),
        toy("unknown key in a catalog entry", "unknown key 'dataset-catalog.boston.training.epoks'",
            "-D", "dataset-catalog.boston.training.epoks=3"),
        new Case("bench with bad splits", null, List.of("run-bench"), "--splits: expected a range like 1..20"),
        toy("metrics port out of range", "orchestrator.metrics.port: a port is in [0, 65535]",
            "-D", "orchestrator.metrics.port=70000"),
        new Case("metrics port in use", null, List.of("port-in-use"), "orchestrator.metrics.port: port"),
        new Case("report of a folder without results", null, List.of("report-empty"),
            "no results.csv here"),
        new Case("status of nothing", null, List.of("status-nowhere"), "no sweep status there"),
        new Case("join address unreachable", null, List.of("join-nowhere"), "no orchestrator answered within 3 s"),
        new Case("output folder not writable", null, List.of("run", TOY, "--out", "/proc/subspace-out"),
            "/proc/subspace-out: cannot create the output folder"),
        toy("non-numeric workers", "Invalid value for option '--workers'", "--workers", "two"),
        toy("non-positive prior", "inference.prior-std: must be positive", "-D", "inference.prior-std=0"),
        toy("SWAG never starts", "SWAG start epoch 3000 leaves nothing to collect in 3000 epochs",
            "-D", "training.swag.start-epoch=3000"),
        toy("momentum out of range", "training.momentum: must be in [0, 1)", "-D", "training.momentum=1.5"),
        toy("table without a path", "data.source: table data needs data.path",
            "-D", "data.source=table", "-D", "data.split=all"),
        toy("missing data file", "no/such/data.csv: data file not found",
            "-D", "data.source=table", "-D", "data.split=all", "-D", "data.path=no/such/data.csv"),
        table("NaN in data", "nan.csv", "nan.csv:3: column 1: NaN is not a finite number"),
        table("ragged rows", "ragged.csv", "ragged.csv:3: expected 2 columns like the first row, found 1"),
        table("non-numeric cell", "text.csv", "text.csv:4: column 0: 'abc' is not a number"),
        toy("batch larger than the data", "training.batch-size 1000 is larger than the 400 training rows",
            "-D", "training.batch-size=1000"),
        toy("held-out split of a table", "data.split: held-out needs data.source = generated-toy",
            "-D", "data.source=table", "-D", "data.path=../shared/data/toy/toy_regression.csv"),
        toy("unknown option", "Unknown option: '--bogus'", "--bogus"),
        new Case("plaintext orchestrator on a non-loopback address", null,
            List.of("cli", "orchestrator", TOY, "--out", "OUT", "--host", "10.255.255.1"),
            "--host 10.255.255.1: a node without --tls on a non-loopback address"),
        new Case("plaintext worker on a non-loopback address", null,
            List.of("cli", "worker", "--join", "127.0.0.1:1", "--host", "10.255.255.1", "--store", "OUT"),
            "give --tls DIR, or --insecure to accept that"),
        new Case("TLS without a password", null,
            List.of("cli", "orchestrator", TOY, "--out", "OUT", "--tls", "DIR/tls-no-password"),
            "the keystores' password is needed: set SUBSPACE_TLS_PASSWORD or put it in"),
        new Case("TLS turned off by a config file", null,
            List.of("cli", "orchestrator", TOY, "--out", "OUT", "--tls", "DIR/tls", "--config", "DIR/plain.conf"),
            "akka.remote.artery.transport = tcp, require-mutual-authentication = true and ssl-engine-provider"),
        new Case("missing --out", null, List.of("run", TOY), "Missing required option: '--out=DIR'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void isRejectedWithOneLineAndExitCodeTwo(Case c) throws IOException {
    for (Map.Entry<String, String> table : TABLES.entrySet()) {
      Files.writeString(dir.resolve(table.getKey()), table.getValue());
    }
    Path out = dir.resolve("out-" + c.name().replace(' ', '-'));
    List<String> args = new ArrayList<>();
    ServerSocket occupied = null;
    if (!c.args().isEmpty() && c.args().get(0).equals("run-bench")) {
      args.addAll(List.of("bench", "uci", "--splits", "1..x", "--out", out.toString()));
    } else if (!c.args().isEmpty() && c.args().get(0).equals("port-in-use")) {
      occupied = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
      args.addAll(List.of("run", TOY, "--out", out.toString(), "-D", "training.epochs=50", "-D",
          "training.swag.start-epoch=40", "-D", "orchestrator.metrics.port=" + occupied.getLocalPort()));
    } else if (!c.args().isEmpty() && c.args().get(0).equals("report-empty")) {
      args.addAll(List.of("report", dir.toString()));
    } else if (!c.args().isEmpty() && c.args().get(0).equals("join-nowhere")) {
      args.addAll(List.of("worker", "--join", "127.0.0.1:" + TestRuns.freePort(), "--join-timeout", "3",
          "--store", out.toString()));
    } else if (!c.args().isEmpty() && c.args().get(0).equals("status-nowhere")) {
      args.addAll(List.of("status", "--url", "http://127.0.0.1:" + TestRuns.freePort() + "/status"));
    } else if (!c.args().isEmpty() && c.args().get(0).equals("cli")) {
      // Keystore files whose contents the checks never get to read.
      for (String folder : List.of("tls", "tls-no-password")) {
        Files.createDirectories(dir.resolve(folder));
        Files.writeString(dir.resolve(folder).resolve("node.p12"), "");
        Files.writeString(dir.resolve(folder).resolve("truststore.p12"), "");
      }
      Files.writeString(dir.resolve("tls").resolve("password"), "secret\n");
      Files.writeString(dir.resolve("plain.conf"), "akka.remote.artery.transport = tcp\n");
      c.args().stream().skip(1).forEach(a -> args.add(a.equals("OUT") ? out.toString() : a.replace("DIR", dir.toString())));
    } else if (!c.args().isEmpty() && c.args().get(0).equals("run")) {
      c.args().forEach(a -> args.add(a.equals("OUT") ? out.toString() : a));
    } else {
      Path sweep = Path.of(TOY);
      if (c.sweep() != null) {
        sweep = dir.resolve("bad.conf");
        Files.writeString(sweep, c.sweep().replace("DIR", dir.toString()));
      }
      args.addAll(List.of("run", sweep.toString(), "--out", out.toString()));
      args.addAll(c.args());
    }
    StringWriter stderr = new StringWriter();
    int code = SubspaceCommand.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(stderr, true),
        args.toArray(new String[0]));
    if (occupied != null) {
      occupied.close();
    }
    String message = stderr.toString().strip();
    assertEquals(2, code, message);
    assertTrue(message.startsWith("error: "), message);
    assertFalse(message.contains("\n"), "one line: " + message);
    assertTrue(message.contains(c.expected()), "expected '" + c.expected() + "' in: " + message);
    assertFalse(Files.exists(out), "nothing written to " + out);
  }
}
