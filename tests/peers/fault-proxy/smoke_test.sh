#!/usr/bin/env bash
# Smoke test of fault-proxy with nothing but bash: a first proxy's control channel
# (a line protocol server) is the target of a second proxy, and bash's /dev/tcp is
# the client. Checks forwarding and the counters, delay, throttle, blackhole, refuse,
# cut, cut-after and a clean SIGTERM.
#
#   smoke_test.sh BIN_DIR      (BIN_DIR holds the fault-proxy binary)
#
# Exits 0 when every check passed, non-zero at the first failure.
set -euo pipefail

BIN_DIR=${1:?usage: smoke_test.sh BIN_DIR}
PROXY="$BIN_DIR/fault-proxy"
[[ -x "$PROXY" ]] || { echo "smoke_test: no fault-proxy in $BIN_DIR" >&2; exit 2; }

WORK=$(mktemp -d /tmp/fault-proxy-smoke.XXXXXX)
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

pass() { echo "ok: $*"; }

now_ms() { date +%s%3N; }

# Starts a proxy; sets STARTED_PID, STARTED_PORT and STARTED_CONTROL.
start_proxy() {
    local name=$1 target=$2
    "$PROXY" --listen 127.0.0.1:0 --target "$target" --control 127.0.0.1:0 \
        >"$WORK/$name.out" 2>"$WORK/$name.err" &
    STARTED_PID=$!
    PIDS+=("$STARTED_PID")
    local line=""
    for _ in $(seq 100); do
        line=$(head -n 1 "$WORK/$name.out" 2>/dev/null || true)
        [[ "$line" == *listening* ]] && break
        kill -0 "$STARTED_PID" 2>/dev/null || fail "$name exited at start: $(cat "$WORK/$name.err")"
        sleep 0.05
    done
    [[ "$line" =~ ^fault-proxy\ listening\ port=([0-9]+)\ control=([0-9]+)$ ]] ||
        fail "$name: unexpected first line: '$line'"
    STARTED_PORT=${BASH_REMATCH[1]}
    STARTED_CONTROL=${BASH_REMATCH[2]}
}

# The first proxy only serves as a line-protocol server: its control channel.
start_proxy backend 127.0.0.1:9
BACKEND_CONTROL=$STARTED_CONTROL
start_proxy proxy "127.0.0.1:$BACKEND_CONTROL"
PROXY_PID=$STARTED_PID
PORT=$STARTED_PORT
CONTROL=$STARTED_CONTROL
pass "proxy on port $PORT (control $CONTROL) in front of a line server on $BACKEND_CONTROL"

ctl() { "$PROXY" ctl --control "127.0.0.1:$CONTROL" "$@"; }

# Field of the proxy's status JSON (numbers and booleans only).
status_field() {
    local status
    status=$(ctl status) || fail "status refused"
    [[ "$status" =~ \"$1\":([a-z0-9]+) ]] || fail "status lacks $1: $status"
    echo "${BASH_REMATCH[1]}"
}

open_link() { exec 3<>"/dev/tcp/127.0.0.1/$PORT" || fail "cannot connect to the proxy"; }
close_link() { exec 3>&- 3<&- || true; }

# Sends one line through the proxy and reads one line back within $1 seconds;
# sets REPLY_LINE and returns read's status (>128 on timeout, 1 on end of stream).
ask() {
    local seconds=$1 line=$2
    printf '%s\n' "$line" >&3 2>/dev/null || return 1
    REPLY_LINE=""
    local status=0
    IFS= read -r -t "$seconds" REPLY_LINE <&3 2>/dev/null || status=$?
    return $status
}

# ------------------------------------------------------------------ forwarding
open_link
ask 5 help || fail "no answer through the proxy"
[[ "$REPLY_LINE" == "ok commands:"* ]] || fail "unexpected answer through the proxy: $REPLY_LINE"
[[ $(status_field connections) == 1 ]] || fail "status does not count the open connection"
to_target=$(status_field bytes_to_target)
[[ $to_target == 5 ]] || fail "bytes_to_target is $to_target, expected 5 ('help' and newline)"
pass "forwards both ways and counts: $(ctl status)"

# ------------------------------------------------------------------ delay
ctl delay 300 >/dev/null || fail "delay refused"
started=$(now_ms)
ask 5 help || fail "no answer with delay on"
elapsed=$(($(now_ms) - started))
# Each direction waits 300 ms, so the round trip cannot be shorter than 600 ms.
((elapsed >= 600)) || fail "round trip with delay 300 took only $elapsed ms"
ctl delay 0 >/dev/null
pass "delay 300: round trip $elapsed ms"

# ------------------------------------------------------------------ throttle
ctl throttle 2000 >/dev/null || fail "throttle refused"
before=$(status_field bytes_to_client)
started=$(now_ms)
ask 10 status || fail "no answer with throttle on"
elapsed=$(($(now_ms) - started))
got=$(($(status_field bytes_to_client) - before))
ctl throttle 0 >/dev/null
# At 2000 bytes/s a reply of $got bytes needs at least got/2 ms, less the first
# read's worth (100 bytes) that goes out before the first pause.
((elapsed >= (got - 100) / 2)) || fail "throttle 2000: $got bytes came back in $elapsed ms"
pass "throttle 2000: $got bytes in $elapsed ms"

# ------------------------------------------------------------------ blackhole
ctl blackhole on >/dev/null || fail "blackhole refused"
status=0
ask 1 help || status=$?
((status > 128)) || fail "blackhole: expected silence, got status $status '$REPLY_LINE'"
[[ $(status_field connections) == 1 ]] || fail "blackhole closed the connection"
dropped=$(status_field bytes_dropped)
[[ $dropped == 5 ]] || fail "blackhole dropped $dropped bytes, expected 5"
ctl blackhole off >/dev/null
pass "blackhole: the link stays open and silent, $dropped bytes dropped"

# ------------------------------------------------------------------ cut
ctl cut | grep -q "^ok cut 1$" || fail "cut did not report one connection"
status=0
ask 2 help || status=$?
((status == 1)) || fail "after cut the link should be closed, read status $status"
close_link
[[ $(status_field cuts) == 1 && $(status_field connections) == 0 ]] ||
    fail "cut not counted: $(ctl status)"
pass "cut closes the connection"

# ------------------------------------------------------------------ refuse
ctl refuse on >/dev/null || fail "refuse on refused"
open_link
status=0
ask 2 help || status=$?
((status == 1)) || fail "refuse on: expected the connection closed, read status $status"
close_link
[[ $(status_field refused) == 1 ]] || fail "refused connection not counted: $(ctl status)"
ctl refuse off >/dev/null
pass "refuse on closes new connections at once"

# ------------------------------------------------------------------ cut-after
ctl cut-after 12 | grep -q "^ok cut-after 12 armed=next$" || fail "cut-after not armed"
open_link
# 5 bytes up ('help' + newline) leave 7 bytes of the answer before the cut.
printf 'help\n' >&3
got=$(timeout 5 cat <&3 2>/dev/null || true)
close_link
[[ "$got" == "ok comm" ]] || fail "cut-after 12: expected 7 bytes 'ok comm', got '$got'"
[[ $(status_field cuts) == 2 ]] || fail "cut-after not counted: $(ctl status)"
open_link
ask 5 help || fail "cut-after is one-shot, but the next connection failed"
close_link
pass "cut-after 12 cuts after 12 bytes, once"

ctl healthy >/dev/null || fail "healthy refused"
ctl frobnicate >/dev/null && fail "an unknown command was accepted"

kill -TERM "$PROXY_PID"
exit_status=0
wait "$PROXY_PID" || exit_status=$?
[[ $exit_status -eq 0 ]] || fail "fault-proxy exited with $exit_status on SIGTERM"
pass "stops cleanly on SIGTERM"
echo "smoke test passed"
