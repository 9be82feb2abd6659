package org.subspace.orchestrator.serialization;

import akka.actor.ExtendedActorSystem;
import akka.serialization.ByteBufferSerializer;
import akka.serialization.SerializerWithStringManifest;
import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.subspace.protocol.store.ArtifactStoreProtocol;
import org.subspace.protocol.store.ArtifactStoreProtocol.ArtifactChunk;

/**
 * Artifact chunks as they are: the chunk's index, the artifact's sha256 (64 ASCII bytes), then
 * the raw bytes. CBOR would spend about 5 bytes per float; this spends 4 (and the receiver
 * checks the sha256 anyway). Also a {@link ByteBufferSerializer}, so Artery writes straight into
 * its buffers. Decoding checks every length against what the frame holds.
 */
public final class ArtifactDataSerializer extends SerializerWithStringManifest implements ByteBufferSerializer {
  private static final String MANIFEST = "C";
  private static final int SHA256_HEX = 64;
  private static final int HEADER = Long.BYTES + SHA256_HEX;

  public ArtifactDataSerializer(ExtendedActorSystem system) {}

  @Override
  public int identifier() {
    return 417_001;
  }

  @Override
  public String manifest(Object o) {
    return MANIFEST;
  }

  private static ArtifactChunk chunk(Object o) {
    if (!(o instanceof ArtifactChunk chunk)) {
      throw new IllegalArgumentException("cannot serialize " + o.getClass());
    }
    return chunk;
  }

  @Override
  public byte[] toBinary(Object o) {
    ByteBuffer buffer = ByteBuffer.allocate(HEADER + chunk(o).bytes().length);
    toBinary(o, buffer);
    return buffer.array();
  }

  @Override
  public void toBinary(Object o, ByteBuffer buffer) {
    ArtifactChunk chunk = chunk(o);
    byte[] sha256 = chunk.sha256().getBytes(StandardCharsets.US_ASCII);
    if (sha256.length != SHA256_HEX) {
      throw new IllegalArgumentException("not a sha256 hex digest: " + chunk.sha256());
    }
    buffer.putLong(chunk.index()).put(sha256).put(chunk.bytes());
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    return fromBinary(ByteBuffer.wrap(bytes), manifest);
  }

  @Override
  public Object fromBinary(ByteBuffer buffer, String manifest) throws NotSerializableException {
    if (!MANIFEST.equals(manifest)) {
      throw new NotSerializableException("unknown artifact message manifest " + manifest);
    }
    if (buffer.remaining() < HEADER || buffer.remaining() - HEADER > ArtifactStoreProtocol.CHUNK_BYTES) {
      throw new NotSerializableException("corrupt artifact chunk: " + buffer.remaining() + " bytes");
    }
    long index = buffer.getLong();
    byte[] sha256 = new byte[SHA256_HEX];
    buffer.get(sha256);
    String hex = new String(sha256, StandardCharsets.US_ASCII);
    if (index < 0 || !hex.matches("[0-9a-f]{64}")) {
      throw new NotSerializableException("corrupt artifact chunk header");
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return new ArtifactChunk(hex, index, bytes);
  }
}
