# The S3 server of the tests: Garage (https://garagehq.deuxfleurs.fr), a
# real S3-compatible object store, pinned. Sourced by scripts/test.sh;
# usable alone to run a few tests by hand:
#
#   source scripts/test-s3.sh && start_test_s3
#   cargo test -p cercle --test it attachments_s3
#   stop_test_s3
#
# install_test_s3 builds Garage from crates.io into ~/.cache/cercle-tools
# once (cargo install; 17 minutes measured on two cores shared with a build, then reused).
# start_test_s3 starts a single-node Garage on free loopback ports with its
# data in a temporary folder, creates a key and a bucket, and exports
# CERCLE_TEST_S3_ENDPOINT, _REGION, _BUCKET, _ACCESS_KEY_ID and
# _SECRET_ACCESS_KEY for the tests. stop_test_s3 stops it and removes its
# folder.

garage_version="2.5.0"
garage_root="${CERCLE_TOOLS:-$HOME/.cache/cercle-tools}"
garage_bin="$garage_root/bin/garage"

install_test_s3() {
  if "$garage_bin" --version 2>/dev/null | grep -qF ":$garage_version "; then
    return 0
  fi
  echo "== Installing Garage $garage_version (crates.io, cargo install) into $garage_root"
  echo "   (built once, then reused; about 17 minutes on two cores)"
  local build
  build="$(mktemp -d -t cercle-garage-build.XXXXXX)"
  if ! CARGO_TARGET_DIR="$build" nice -n 10 cargo install --locked --quiet "garage@$garage_version" --root "$garage_root"; then
    rm -rf "$build"
    echo "Building Garage failed. Point CERCLE_TEST_S3_ENDPOINT (and _REGION, _BUCKET,"
    echo "_ACCESS_KEY_ID, _SECRET_ACCESS_KEY) at an S3 server of your own, or run with"
    echo "CERCLE_SKIP_S3=1 to skip the object storage tests."
    return 1
  fi
  rm -rf "$build"
}

# A free TCP port on loopback (python3 when there, else a random one that
# nothing answers on).
free_port() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
  else
    local port
    while :; do
      port=$((20000 + RANDOM % 20000))
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
    done
  fi
}

random_hex() {
  od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

start_test_s3() {
  install_test_s3
  test_s3_dir="$(mktemp -d -t cercle-garage.XXXXXX)"
  local s3_port rpc_port admin_port
  s3_port="$(free_port)"; rpc_port="$(free_port)"; admin_port="$(free_port)"
  # Every write synced before Garage answers, as in production
  # (docs/operations.md): an acknowledged blob survives a power loss.
  cat >"$test_s3_dir/garage.toml" <<EOF
metadata_dir = "$test_s3_dir/meta"
data_dir = "$test_s3_dir/data"
db_engine = "lmdb"
metadata_fsync = true
data_fsync = true
replication_factor = 1
rpc_bind_addr = "127.0.0.1:$rpc_port"
rpc_public_addr = "127.0.0.1:$rpc_port"
rpc_secret = "$(random_hex 32)"

[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:$s3_port"

[admin]
api_bind_addr = "127.0.0.1:$admin_port"
EOF
  chmod 600 "$test_s3_dir/garage.toml"
  echo "== Starting Garage on 127.0.0.1:$s3_port (data in $test_s3_dir)"
  RUST_LOG=warn "$garage_bin" -c "$test_s3_dir/garage.toml" server >"$test_s3_dir/garage.log" 2>&1 &
  test_s3_pid=$!
  local garage=("$garage_bin" -c "$test_s3_dir/garage.toml")
  local tries=0
  until "${garage[@]}" status >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ] || ! kill -0 "$test_s3_pid" 2>/dev/null; then
      echo "Garage did not start within 20 s; its log:"
      cat "$test_s3_dir/garage.log"
      return 1
    fi
    sleep 0.2
  done
  local node key_id secret
  node="$("${garage[@]}" node id -q 2>/dev/null | cut -d@ -f1)"
  "${garage[@]}" layout assign -z dc1 -c 1G "$node" >/dev/null
  "${garage[@]}" layout apply --version 1 >/dev/null
  key_id="GK$(random_hex 12)"
  secret="$(random_hex 32)"
  "${garage[@]}" key import -n cercle-test "$key_id" "$secret" --yes >/dev/null
  "${garage[@]}" bucket create cercle-test >/dev/null
  "${garage[@]}" bucket allow --read --write --owner cercle-test --key "$key_id" >/dev/null
  export CERCLE_TEST_S3_ENDPOINT="http://127.0.0.1:$s3_port"
  export CERCLE_TEST_S3_REGION="garage"
  export CERCLE_TEST_S3_BUCKET="cercle-test"
  export CERCLE_TEST_S3_ACCESS_KEY_ID="$key_id"
  export CERCLE_TEST_S3_SECRET_ACCESS_KEY="$secret"
}

stop_test_s3() {
  if [ -n "${test_s3_pid:-}" ]; then
    kill "$test_s3_pid" 2>/dev/null || true
    wait "$test_s3_pid" 2>/dev/null || true
    test_s3_pid=""
  fi
  if [ -n "${test_s3_dir:-}" ]; then
    rm -rf "$test_s3_dir"
    test_s3_dir=""
  fi
}
