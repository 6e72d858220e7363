#!/usr/bin/env bash
# The main demo, end to end against the kernel's own programs, inside a network namespace this script
# creates and always deletes: pilha comes up on a TUN device, the kernel pings it with 20 KB datagrams
# (fragmented both ways), then pilha pings the kernel and shows how each reply was reassembled.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo: needs root (network namespaces and a TUN device)" >&2; exit 1; }

ns="pilha-demo-$$"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up

echo "== pilha up on a TUN device in namespace $ns"
ip netns exec "$ns" node dist/cli/main.js up --tun pilha0 --address 10.77.0.2 --host-address 10.77.0.1/24 &
pid=$!
for _ in $(seq 50); do ip netns exec "$ns" ip link show pilha0 >/dev/null 2>&1 && break; sleep 0.1; done
sleep 0.3

echo "== the kernel's ping to pilha, 20000 data bytes (14 fragments each way)"
ip netns exec "$ns" ping -c 3 -i 0.3 -s 20000 10.77.0.2

kill -INT "$pid"; wait "$pid" || true; pid=""

echo
echo "== pilha ping to the kernel, 20000 data bytes: each reply reassembled by pilha"
ip netns exec "$ns" node dist/cli/main.js ping 10.77.0.1 --tun pilha1 --size 20000 --count 3 --interval 0.3
