package org.subspace.protocol;

/**
 * Marker for messages serialized with Jackson CBOR (bound in the actor system's config).
 * Tensor bytes travel separately, through the raw binary serializer, never as CBOR arrays.
 */
public interface CborSerializable {}
