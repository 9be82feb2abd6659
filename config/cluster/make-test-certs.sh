#!/usr/bin/env bash
# Makes a test certificate authority and, for each NAME, NAME/node.p12 (a key and certificate
# signed by that CA, for 127.0.0.1 and localhost) and NAME/truststore.p12 (the CA), for Artery
# TLS with mutual authentication (`--tls DIR/NAME`). For tests and trials only: production
# clusters use certificates from their own CA.
# A certificate's subject is CN=NAME, OU=ROLE: the role a node with it may have. Give NAME:ROLE,
# or NAME alone: the role is then orchestrator for the name orchestrator and worker for any other.
# Usage: config/cluster/make-test-certs.sh DIR NAME[:ROLE] [NAME[:ROLE]...]
# (password: $SUBSPACE_TLS_PASSWORD or changeit, also written to NAME/password, readable by its
# owner only, where a node finds it without the variable)
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 DIR NAME [NAME...]" >&2
  exit 2
fi
dir="$1"; shift
pw="${SUBSPACE_TLS_PASSWORD:-changeit}"
# keytool is a JVM start per call: a quick one (these calls compute next to nothing).
keytool() { command keytool -J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC "$@"; }
mkdir -p "$dir"
if [ ! -f "$dir/ca.p12" ]; then
  keytool -genkeypair -alias ca -dname "CN=subspace test CA" -keyalg EC -groupname secp256r1 -validity 365 \
    -ext bc:c -keystore "$dir/ca.p12" -storetype PKCS12 -storepass "$pw" -keypass "$pw"
fi
keytool -exportcert -alias ca -keystore "$dir/ca.p12" -storepass "$pw" -rfc -file "$dir/ca.pem"
rm -f "$dir/truststore.p12"
keytool -importcert -alias ca -keystore "$dir/truststore.p12" -storetype PKCS12 -storepass "$pw" \
  -file "$dir/ca.pem" -noprompt
for argument in "$@"; do
  name="${argument%%:*}"
  if [ "$name" != "$argument" ]; then
    role="${argument#*:}"
  elif [ "$name" = orchestrator ]; then
    role=orchestrator
  else
    role=worker
  fi
  node="$dir/$name"
  rm -rf "$node" && mkdir -p "$node"
  keytool -genkeypair -alias node -dname "CN=$name, OU=$role" -keyalg EC -groupname secp256r1 -validity 365 \
    -keystore "$node/node.p12" -storetype PKCS12 -storepass "$pw" -keypass "$pw"
  keytool -certreq -alias node -keystore "$node/node.p12" -storepass "$pw" -file "$node/node.csr"
  keytool -gencert -alias ca -keystore "$dir/ca.p12" -storepass "$pw" -infile "$node/node.csr" \
    -outfile "$node/node.pem" -rfc -validity 365 -ext KU=digitalSignature \
    -ext EKU=serverAuth,clientAuth -ext SAN=ip:127.0.0.1,dns:localhost
  keytool -importcert -alias ca -keystore "$node/node.p12" -storepass "$pw" -file "$dir/ca.pem" -noprompt
  keytool -importcert -alias node -keystore "$node/node.p12" -storepass "$pw" -file "$node/node.pem"
  cp "$dir/truststore.p12" "$node/truststore.p12"
  rm -f "$node/node.csr"
  (umask 077 && printf '%s\n' "$pw" > "$node/password")
done
echo "certificates in $dir: $*" >&2
