# Shell helpers the bench scripts share (sourced by bench/run, bench/h2, bench/idle).
# shellcheck shell=bash

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {
  for _ in $(seq 1 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "bench: $1 did not answer" >&2; exit 1
}
# A KiB figure from /proc/PID/status (RssAnon, VmRSS).
status_kb() { awk -v k="$2:" '$1==k {print $2}' "/proc/$1/status"; }

# Thousands of connections (the idle-memory rows hold 4,000 HTTP/1.1 clients and 10,000 upstream
# streams, each an fd in the client and one or two in the proxy): raise this shell's open-file limit
# (the proxies and clients it starts inherit it) to the hard limit, lifting that too when root.
raise_nofile() {  # WANTED
  local want=$1
  if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$want" ]; then
    ulimit -Hn "$want" 2>/dev/null || true
  fi
  ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true
  if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$want" ]; then
    echo "bench: open files limited to $(ulimit -n) (want $want): figures that need more are skipped" >&2
    return 1
  fi
}

# The temp paths nginx wants writable, inside an http {} block, under DIR.
nginx_temp_paths() {  # DIR
  echo "client_body_temp_path $1; proxy_temp_path $1; fastcgi_temp_path $1; uwsgi_temp_path $1; scgi_temp_path $1;"
}

# The PID of an nginx master's (only) worker process.
nginx_worker() {  # MASTER_PID
  local w
  for _ in $(seq 1 50); do
    w=$(pgrep -P "$1" | head -1) && [ -n "$w" ] && { echo "$w"; return 0; }
    sleep 0.1
  done
  return 1
}

# Waits until a Tether's admin /ready answers 200 (up to 5 s); fails if it exited or never did.
tether_ready() {  # PID ADMIN_PORT
  for _ in $(seq 1 50); do
    kill -0 "$1" 2>/dev/null || return 1
    curl -fsS -o /dev/null "http://127.0.0.1:$2/ready" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# Whether a listener speaks HTTP/2 with prior knowledge.
speaks_h2() {  # PORT [PATH]
  [ "$(curl -s -o /dev/null --max-time 5 --http2-prior-knowledge -w '%{http_version}' "http://127.0.0.1:$1${2:-/}" 2>/dev/null)" = 2 ]
}
