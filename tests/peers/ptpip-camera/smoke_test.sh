#!/usr/bin/env bash
# Smoke test of ptpip-camera against the real gphoto2 client and unmodified
# libgphoto2: open, summary, capture and download (compared byte for byte
# with the simulator's own copy), live view, a fault switched on and off
# through the control channel, vanish and return, and a clean shutdown.
#
#   smoke_test.sh BIN_DIR      (BIN_DIR holds the ptpip-camera binary)
#
# Exits 0 when every check passed, non-zero at the first failure.
set -euo pipefail

BIN_DIR=${1:?usage: smoke_test.sh BIN_DIR}
SIM="$BIN_DIR/ptpip-camera"
[[ -x "$SIM" ]] || { echo "smoke_test: no ptpip-camera in $BIN_DIR" >&2; exit 2; }
command -v gphoto2 >/dev/null || { echo "smoke_test: gphoto2 is not installed" >&2; exit 2; }

WORK=$(mktemp -d /tmp/ptpip-camera-smoke.XXXXXX)
# libgphoto2 writes ~/.gphoto/settings; keep it away from the real home.
export HOME="$WORK/home"
mkdir -p "$HOME" "$WORK/save" "$WORK/got"

SIM_PID=""
PORT=""
CONTROL=""

stop_sim() {
    if [[ -n "$SIM_PID" ]] && kill -0 "$SIM_PID" 2>/dev/null; then
        kill -TERM "$SIM_PID" 2>/dev/null || true
        wait "$SIM_PID" 2>/dev/null || true
    fi
    SIM_PID=""
}

cleanup() {
    stop_sim
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    if [[ -f "$WORK/sim.log" ]]; then
        echo "--- last simulator log lines:" >&2
        tail -n 20 "$WORK/sim.log" >&2
    fi
    exit 1
}

pass() { echo "ok: $*"; }

# Starts the simulator with the given flags and reads the ports it chose.
start_sim() {
    "$SIM" --port 0 --control 0 "$@" >"$WORK/sim.out" 2>"$WORK/sim.log" &
    SIM_PID=$!
    local line=""
    for _ in $(seq 100); do
        line=$(head -n 1 "$WORK/sim.out" 2>/dev/null || true)
        [[ "$line" == *listening* ]] && break
        kill -0 "$SIM_PID" 2>/dev/null || fail "simulator exited at start"
        sleep 0.05
    done
    [[ "$line" =~ ^ptpip-camera\ listening\ port=([0-9]+)\ control=([0-9]+)$ ]] ||
        fail "unexpected first line: '$line'"
    PORT=${BASH_REMATCH[1]}
    CONTROL=${BASH_REMATCH[2]}
}

# gphoto2 against the simulator. libgphoto2 2.5.30 can block for ever and
# ignores SIGTERM when a capture goes wrong, so every call has a deadline
# enforced with SIGKILL. Usage: gp SECONDS ARGS...
gp() {
    local seconds=$1
    shift
    timeout -s KILL "$seconds" gphoto2 --port "ptpip:127.0.0.1:$PORT:$PORT" \
        --camera "PTP/IP Camera" "$@"
}

ctl() { "$SIM" ctl --control "$CONTROL" "$@"; }

now_ms() { date +%s%3N; }

# Captures into $WORK/got/NAME and checks it matches capture-SERIAL in the
# save directory byte for byte. Usage: capture_and_compare NAME SERIAL
capture_and_compare() {
    local name=$1 serial=$2 started elapsed
    started=$(now_ms)
    gp 30 --capture-image-and-download --filename "$WORK/got/$name" >"$WORK/gp.out" 2>&1 ||
        fail "capture $name: gphoto2 failed: $(tail -n 3 "$WORK/gp.out")"
    elapsed=$(($(now_ms) - started))
    [[ -s "$WORK/got/$name" ]] || fail "capture $name: no file downloaded"
    cmp -s "$WORK/got/$name" "$WORK/save/capture-$serial.jpg" ||
        fail "capture $name differs from the simulator's capture-$serial.jpg"
    pass "capture $name ($(stat -c %s "$WORK/got/$name") bytes) identical to capture-$serial.jpg; gphoto2 run took ${elapsed} ms"
}

# Expects a capture to fail: no file, and gphoto2 either reports an error or
# is killed at the deadline. Usage: expect_capture_failure NAME SECONDS
expect_capture_failure() {
    local name=$1 seconds=$2 status=0
    gp "$seconds" --capture-image-and-download --filename "$WORK/got/$name" >"$WORK/gp.out" 2>&1 ||
        status=$?
    [[ ! -e "$WORK/got/$name" ]] || fail "capture $name should have failed but downloaded a file"
    if [[ $status -eq 137 ]]; then
        echo "killed after ${seconds} s"
    elif grep -q "ERROR" "$WORK/gp.out"; then
        grep -m 1 -A 1 "^\*\*\* Error" "$WORK/gp.out" | tail -n 1 | sed 's/^ *//; s/ *$//'
    else
        fail "capture $name: no error reported (exit $status)"
    fi
}

# ------------------------------------------------------------------ default
start_sim --seed 7 --save-dir "$WORK/save"
pass "simulator listening on port $PORT, control $CONTROL"

gp 15 --summary >"$WORK/summary.txt" 2>&1 || fail "summary: $(tail -n 3 "$WORK/summary.txt")"
grep -q "Manufacturer: Nikon Corporation" "$WORK/summary.txt" || fail "summary lacks the manufacturer"
grep -q "Battery Level(0x5001).*87%" "$WORK/summary.txt" || fail "summary lacks the battery level"
grep -q "Free Space (Bytes): [1-9]" "$WORK/summary.txt" || fail "summary lacks the free space"
pass "summary shows a Nikon with battery level and free space"

capture_and_compare first.jpg 0001

gp 15 --capture-preview --filename "$WORK/got/preview.jpg" >"$WORK/gp.out" 2>&1 ||
    fail "capture-preview: $(tail -n 3 "$WORK/gp.out")"
preview=$(ls "$WORK"/got/*preview.jpg 2>/dev/null | head -n 1)
[[ -n "$preview" && $(head -c 2 "$preview" | od -An -tx1 | tr -d ' ') == "ffd8" ]] ||
    fail "capture-preview did not give a JPEG"
pass "capture-preview gives a JPEG ($(stat -c %s "$preview") bytes)"

(cd "$WORK" && gp 20 --capture-movie=3s >"$WORK/movie.out" 2>&1) ||
    fail "capture-movie: $(tail -n 3 "$WORK/movie.out")"
frames=$(sed -n 's/.*Movie capture finished (\([0-9]*\) frames).*/\1/p' "$WORK/movie.out")
[[ -n "$frames" && "$frames" -ge 30 ]] || fail "capture-movie gave ${frames:-no} frames in 3 s"
pass "live view: $frames frames in 3 s, about $((frames / 3)) frames/s"

ctl fault busy on >/dev/null || fail "control channel refused 'fault busy on'"
outcome=$(expect_capture_failure busy.jpg 6)
pass "with busy on, capture fails: $outcome"
ctl healthy >/dev/null || fail "control channel refused 'healthy'"
capture_and_compare after-busy.jpg 0002

ctl vanish >/dev/null || fail "control channel refused 'vanish'"
if gp 10 --summary >"$WORK/gp.out" 2>&1; then
    fail "summary worked while the camera had vanished"
fi
grep -q "I/O problem" "$WORK/gp.out" || fail "vanish: expected an I/O error, got: $(tail -n 2 "$WORK/gp.out")"
ctl return >/dev/null || fail "control channel refused 'return'"
capture_and_compare after-return.jpg 0003
pass "vanish refuses connections (I/O problem) and return brings the camera back"

status=$(ctl status)
[[ "$status" == *'"captures":3'* && "$status" == *'"downloads":3'* ]] ||
    fail "unexpected status: $status"
pass "status: ${status#ok }"

kill -TERM "$SIM_PID"
exit_status=0
wait "$SIM_PID" || exit_status=$?
SIM_PID=""
[[ $exit_status -eq 0 ]] || fail "simulator exited with $exit_status on SIGTERM"
pass "simulator stops cleanly on SIGTERM"

# ------------------------------------------------------------------ Nikon capture
# With --nikon-capture libgphoto2 takes its Nikon capture path, which
# reports InitiateCapture errors at once instead of waiting for ever.
rm -f "$WORK"/save/*
start_sim --nikon-capture --width 1200 --height 800 --save-dir "$WORK/save"
ctl fault busy on >/dev/null || fail "control channel refused 'fault busy on'"
outcome=$(expect_capture_failure nikon-busy.jpg 15)
[[ "$outcome" == *"Device Busy"* ]] || fail "--nikon-capture busy: expected PTP Device Busy, got: $outcome"
pass "with --nikon-capture and busy on, capture fails: $outcome"
ctl fault busy off >/dev/null || fail "control channel refused 'fault busy off'"
capture_and_compare nikon.jpg 0001
stop_sim

echo "smoke test passed"
