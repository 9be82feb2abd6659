package org.subspace.orchestrator.serialization;

import akka.actor.ExtendedActorSystem;
import akka.serialization.ByteBufferSerializer;
import akka.serialization.SerializerWithStringManifest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.store.ArtifactStoreProtocol.ArtifactChunk;

/**
 * Artifact chunks as they are: the chunk's index and count, a length-prefixed JSON header with
 * the {@link ArtifactRef}, then the raw bytes. CBOR would spend about 5 bytes per float; this
 * spends 4 (and the receiver checks the sha256 anyway). Also a {@link ByteBufferSerializer}, so
 * Artery can write straight into its buffers.
 */
public final class ArtifactDataSerializer extends SerializerWithStringManifest implements ByteBufferSerializer {
  private static final String MANIFEST = "A";
  private static final ObjectMapper JSON = new ObjectMapper();

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

  private static byte[] header(ArtifactChunk chunk) {
    try {
      return JSON.writeValueAsBytes(chunk.ref());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public byte[] toBinary(Object o) {
    ArtifactChunk chunk = chunk(o);
    ByteBuffer buffer = ByteBuffer.allocate(12 + header(chunk).length + chunk.bytes().length);
    toBinary(o, buffer);
    return buffer.array();
  }

  @Override
  public void toBinary(Object o, ByteBuffer buffer) {
    ArtifactChunk chunk = chunk(o);
    byte[] header = header(chunk);
    buffer.putInt(chunk.index()).putInt(chunk.count()).putInt(header.length).put(header).put(chunk.bytes());
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    return fromBinary(ByteBuffer.wrap(bytes), manifest);
  }

  @Override
  public Object fromBinary(ByteBuffer buffer, String manifest) throws NotSerializableException {
    if (!MANIFEST.equals(manifest)) {
      throw new NotSerializableException("unknown manifest " + manifest);
    }
    try {
      int index = buffer.getInt();
      int count = buffer.getInt();
      byte[] header = new byte[buffer.getInt()];
      buffer.get(header);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return new ArtifactChunk(JSON.readValue(header, ArtifactRef.class), index, count, bytes);
    } catch (IOException | RuntimeException e) {
      throw new NotSerializableException("corrupt artifact message: " + e.getMessage());
    }
  }
}
