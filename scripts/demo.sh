#!/usr/bin/env bash
# The main demo, end to end against the kernel's own programs, inside a network namespace this script
# creates and always deletes: the kernel's wget downloads from pilha's HTTP server over pilha's own TCP
# (SHA-256 checked), the kernel pings pilha with 20 KB datagrams (fragmented both ways), then pilha pings
# the kernel and shows how each reply was reassembled.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo: needs root (network namespaces and a TUN device)" >&2; exit 1; }

ns="pilha-demo-$$"
pid=""
tmp=$(mktemp -d)
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up

wait_for_device() {
  for _ in $(seq 100); do ip netns exec "$ns" ip link show "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "demo: device $1 did not come up" >&2; return 1
}

echo "== pilha http on a TUN device in namespace $ns (pilha's own TCP at 10.77.0.2:7000)"
ip netns exec "$ns" node dist/cli/main.js http --tun pilha0 --address 10.77.0.2 --host-address 10.77.0.1/24 --log warn &
pid=$!
wait_for_device pilha0
sleep 0.3
for path in / /bytes/104857600; do
  echo "== wget http://10.77.0.2:7000$path"
  ip netns exec "$ns" wget -nv -O "$tmp/body" "http://10.77.0.2:7000$path" 2>&1
  got=$(sha256sum "$tmp/body" | cut -d' ' -f1)
  want=$(node scripts/expected-sha256.mjs "$path")
  if [ "$got" = "$want" ]; then echo "   SHA-256 $got: every byte as served"; else echo "   SHA-256 MISMATCH: $got, expected $want"; exit 1; fi
done
kill -INT "$pid"; wait "$pid" || true; pid=""

echo
echo "== pilha up on a TUN device in namespace $ns"
ip netns exec "$ns" node dist/cli/main.js up --tun pilha0 --address 10.77.0.2 --host-address 10.77.0.1/24 &
pid=$!
wait_for_device pilha0
sleep 0.3

echo "== the kernel's ping to pilha, 20000 data bytes (14 fragments each way)"
ip netns exec "$ns" ping -c 3 -i 0.3 -s 20000 10.77.0.2

kill -INT "$pid"; wait "$pid" || true; pid=""

echo
echo "== pilha ping to the kernel, 20000 data bytes: each reply reassembled by pilha"
ip netns exec "$ns" node dist/cli/main.js ping 10.77.0.1 --tun pilha1 --size 20000 --count 3 --interval 0.3
