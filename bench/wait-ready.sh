# Sourced by the benchmark and load scripts: wait_ready PORT [LOG] waits up to two minutes for the local host on PORT
# to answer /api/ready; if it never does, prints LOG (the host's output) and exits 1.
wait_ready() {
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$1/api/ready" > /dev/null && return 0
    sleep 1
  done
  [ -n "${2:-}" ] && cat "$2"
  echo "the local host on port $1 did not become ready in 120 s" >&2
  exit 1
}
