package org.subspace.orchestrator.serialization;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import scala.util.Try;

/**
 * Hostile bytes where a peer's messages arrive: every message type, CBOR-encoded as between
 * nodes, with bytes overwritten or cut off, and random bytes under each manifest. Decoding
 * must give the message or fail with an exception; never an {@link Error} (out of memory, a
 * stack overflow), which would take the node down.
 */
class MessageFuzzTest {
  private static final ActorTestKit KIT = ActorTestKit.create("MessageFuzzTest", ConfigFactory.load());
  private static final Serialization SERIALIZATION = SerializationExtension.get(KIT.system());
  private static final List<Encoded> MESSAGES = MessageSerializationTest.cborMessages(KIT).map(MessageFuzzTest::encode)
      .toList();
  private static final AtomicLong TRIED = new AtomicLong();
  private static final AtomicLong REFUSED = new AtomicLong();

  private record Encoded(byte[] bytes, int serializer, String manifest) {}

  private static Encoded encode(Object message) {
    Serializer serializer = SERIALIZATION.findSerializerFor(message);
    return new Encoded(SERIALIZATION.serialize(message).get(), serializer.identifier(),
        Serializers.manifestFor(serializer, message));
  }

  @Provide
  Arbitrary<Encoded> mutated() {
    Arbitrary<Encoded> original = Arbitraries.of(MESSAGES);
    Arbitrary<Encoded> flipped = original.flatMap(m -> Arbitraries.integers().between(0, m.bytes().length - 1).list()
        .ofMinSize(1).ofMaxSize(6).flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size())
            .map(values -> {
              byte[] bytes = m.bytes().clone();
              for (int i = 0; i < positions.size(); i++) {
                bytes[positions.get(i)] = values.get(i);
              }
              return new Encoded(bytes, m.serializer(), m.manifest());
            })));
    Arbitrary<Encoded> truncated = original.flatMap(m -> Arbitraries.integers().between(0, m.bytes().length - 1)
        .map(length -> new Encoded(java.util.Arrays.copyOf(m.bytes(), length), m.serializer(), m.manifest())));
    Arbitrary<Encoded> random = Combinators.combine(original, Arbitraries.bytes().array(byte[].class).ofMaxSize(512))
        .as((m, bytes) -> new Encoded(bytes, m.serializer(), m.manifest()));
    return Arbitraries.oneOf(flipped, truncated, random);
  }

  @Property(tries = 3000, seed = "4217")
  void aMangledMessageIsDecodedOrRefusedWithAnException(@ForAll("mutated") Encoded message) {
    TRIED.incrementAndGet();
    // deserialize catches exceptions into a Failure; an Error would escape and fail the property.
    Try<Object> decoded = SERIALIZATION.deserialize(message.bytes(), message.serializer(), message.manifest());
    if (decoded.isFailure()) {
      REFUSED.incrementAndGet();
    }
  }

  @AfterContainer
  static void shutdown() {
    System.out.printf("message fuzzing: %d decodes over %d message types, %d refused, the rest decoded%n",
        TRIED.get(), MESSAGES.size(), REFUSED.get());
    KIT.shutdownTestKit();
  }
}
