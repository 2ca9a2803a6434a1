#!/usr/bin/env bash
# shellcheck disable=SC2016  # wait_for conditions are quoted: eval runs them later
# smoke_test.sh — checks print-rig end to end against a real private cupsd:
# a print lands byte for byte, media-empty stops the printer with the job
# kept, clear + cupsenable prints it exactly once, the IPP Everywhere queue
# completes a job, an unknown queue is refused, restart-cupsd and stop work.
# Exits non-zero on the first failure. Run as root.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rig=$here/print-rig

work=$(mktemp -d /tmp/print-rig-smoke.XXXXXX)
# Filters of the IPP queue run as user lp and must reach the spool.
chmod 0755 "$work"
dir=$work/rig
cleanup() {
    "$rig" stop "$dir" || true
    rm -rf "$work"
}
trap cleanup EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }
pass() { echo "ok   - $*"; }
fail() {
    echo "FAIL - $*" >&2
    if [[ -f $dir/log/error_log ]]; then
        echo "---- cupsd error_log (tail) ----" >&2
        tail -n 20 "$dir/log/error_log" >&2
    fi
    exit 1
}

# Poll `condition` (shell code, evaluated afresh each time) every 20 ms for
# at most `limit_ms`.
wait_for() { # limit_ms condition
    local limit=$1 condition=$2 deadline
    deadline=$(($(now_ms) + limit))
    until eval "$condition"; do
        (($(now_ms) < deadline)) || return 1
        sleep 0.02
    done
}

printer_attr() { # queue attribute -> value
    ipptool -tv "ipp://$CUPS_SERVER/printers/$1" get-printer-attributes.test 2>/dev/null |
        sed -n "s/^ *$2 ([^)]*) = //p" | head -n 1
}
job_attr() { # job-id attribute -> value
    ipptool -tv "ipp://$CUPS_SERVER/jobs/$1" get-job-attributes.test 2>/dev/null |
        sed -n "s/^ *$2 ([^)]*) = //p" | head -n 1
}
job_id_of() { # "request id is booth-7 (1 file(s))" -> 7
    sed -n 's/^request id is .*-\([0-9]*\) .*/\1/p'
}
files_of_job() { # queue job-id -> count of saved files for that job
    "$rig" jobs "$dir" "$1" | grep -c "/$2-" || true
}

# ------------------------------------------------------------------- picture
photo=$work/photo.jpg
if python3 -c 'import PIL' 2>/dev/null; then
    python3 - "$photo" <<'EOF'
import sys
from PIL import Image
Image.new("RGB", (60, 90), (200, 40, 30)).save(sys.argv[1], "JPEG", quality=80)
EOF
else
    # An 8x8 grey baseline JPEG (141 bytes), written for this test.
    base64 -d >"$photo" <<'EOF'
/9j/2wBDAAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB
AQEBAQEBAQEBAQEBAQH/wAALCAAIAAgBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAAAP/EABQQAQAA
AAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AP//Z
EOF
fi
[[ $(head -c 3 "$photo" | od -An -tx1 | tr -d ' ') == ffd8ff ]] || fail "test picture is not a JPEG"

# --------------------------------------------------------------------- start
t0=$(now_ms)
line=$("$rig" start "$dir" --port 0 2>"$work/start.err") || {
    cat "$work/start.err" >&2
    fail "print-rig start"
}
start_ms=$(($(now_ms) - t0))
[[ $line =~ ^CUPS_SERVER=127\.0\.0\.1:[0-9]+$ ]] || fail "start printed '$line'"
eval "export $line"
# shellcheck source=/dev/null
source "$dir/env"
[[ $CUPS_SERVER == "${line#CUPS_SERVER=}" ]] || fail "DIR/env disagrees with stdout"
ready_ms=$(sed -n "s/.* ready on .* in \([0-9]*\) ms/\1/p" "$work/start.err" | head -n 1)
pass "rig started on $CUPS_SERVER (cupsd ready in ${ready_ms} ms, whole start ${start_ms} ms)"
[[ $(lpstat -r) == "scheduler is running" ]] || fail "lpstat -r"
for queue in booth lab ipp; do
    lpstat -p "$queue" | grep -q "enabled" || fail "queue $queue is not enabled"
    [[ $(printer_attr "$queue" printer-is-accepting-jobs) == true ]] ||
        fail "queue $queue does not accept jobs"
done
pass "queues booth, lab and ipp are enabled and accepting"

# ------------------------------------------------------------- a plain print
t0=$(now_ms)
id=$(lp -d booth -t order-1-copy-1 "$photo" | job_id_of)
[[ -n $id ]] || fail "lp -d booth gave no job id"
wait_for 15000 '[[ -n $("$rig" jobs "$dir" booth) ]]' || fail "no output for job $id within 15 s"
print_ms=$(($(now_ms) - t0))
out=$("$rig" jobs "$dir" booth)
[[ $out == "$dir/out/booth/$id-order-1-copy-1.jpg" ]] || fail "unexpected output name: $out"
cmp -s "$photo" "$out" || fail "printed bytes differ from the submitted JPEG"
wait_for 5000 '[[ $(job_attr "$id" job-state) == completed ]]' || fail "job $id did not complete"
pass "booth printed job $id byte for byte in ${print_ms} ms"

# -------------------------------------------------------------- media-empty
"$rig" fault "$dir" booth media-empty
t0=$(now_ms)
id=$(lp -d booth -t order-2-copy-1 "$photo" | job_id_of)
stopped_with_media_empty() {
    [[ $(printer_attr booth printer-state) == stopped &&
        $(printer_attr booth printer-state-reasons) == *media-empty* ]]
}
wait_for 2000 stopped_with_media_empty ||
    fail "booth not stopped with media-empty within 2 s: state=$(printer_attr booth printer-state) reasons=$(printer_attr booth printer-state-reasons)"
empty_ms=$(($(now_ms) - t0))
[[ $(job_attr "$id" job-state) == pending ]] || fail "job $id is $(job_attr "$id" job-state), not pending"
lpstat -p booth | grep -q disabled || fail "lpstat -p does not show booth disabled"
[[ $(files_of_job booth "$id") == 0 ]] || fail "job $id printed despite media-empty"
pass "media-empty: booth stopped ($(printer_attr booth printer-state-reasons)) in ${empty_ms} ms, job $id pending"

# Re-enabling without clearing the fault stops the printer again.
cupsenable booth
sleep 0.3
wait_for 2000 stopped_with_media_empty || fail "booth did not stop again while still empty"
[[ $(files_of_job booth "$id") == 0 ]] || fail "job $id printed while still empty"
pass "media-empty persists until cleared"

"$rig" fault "$dir" booth clear
cupsenable booth
wait_for 15000 '(($(files_of_job booth "$id") >= 1))' || fail "job $id not printed after clear + cupsenable"
wait_for 5000 '[[ $(job_attr "$id" job-state) == completed ]]' ||
    fail "job $id did not complete after clear"
sleep 0.5 # a second copy, if there were one, would show up by now
[[ $(files_of_job booth "$id") == 1 ]] || fail "job $id printed $(files_of_job booth "$id") times, want 1"
[[ $(printer_attr booth printer-state-reasons) == none ]] ||
    fail "booth reasons after clear: $(printer_attr booth printer-state-reasons)"
[[ $("$rig" jobs "$dir" booth | wc -l) == 2 ]] || fail "booth should hold exactly 2 prints"
pass "clear + cupsenable: job $id printed exactly once, reasons back to none"

# --------------------------------------------------------------------- ipp
t0=$(now_ms)
id=$(lp -d ipp -t ipp-order-1 "$photo" | job_id_of)
wait_for 15000 '[[ $(job_attr "$id" job-state) == completed ]]' ||
    fail "ipp job $id is $(job_attr "$id" job-state) after 15 s"
ipp_ms=$(($(now_ms) - t0))
ipp_out=$("$rig" jobs "$dir" ipp)
if [[ $(wc -l <<<"$ipp_out") != 1 ]] || ! cmp -s "$photo" "$ipp_out"; then
    fail "ipp printer did not receive the JPEG unchanged: $ipp_out"
fi
pass "ipp (IPP Everywhere via ippeveprinter) completed job $id in ${ipp_ms} ms"

# ----------------------------------------------------------- unknown queue
if lp -d nosuch "$photo" >/dev/null 2>&1; then
    fail "lp -d nosuch succeeded"
fi
pass "lp -d nosuch is refused"

# ----------------------------------------------------------- restart-cupsd
old_pid=$(<"$dir/cupsd.pid")
"$rig" restart-cupsd "$dir" 2>/dev/null
[[ $(<"$dir/cupsd.pid") != "$old_pid" ]] || fail "restart-cupsd kept the old pid"
id=$(lp -d lab -t after-restart "$photo" | job_id_of)
wait_for 15000 '(($(files_of_job lab "$id") == 1))' || fail "lab did not print after restart-cupsd"
pass "restart-cupsd: new cupsd on the same port prints"

# -------------------------------------------------------------------- stop
pids=$(cat "$dir"/cupsd.pid "$dir"/ippeveprinter.pid "$dir"/dbus.pid)
"$rig" stop "$dir"
"$rig" stop "$dir" # idempotent
for pid in $pids; do
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo gone)
    [[ $state == gone || $state == Z ]] || fail "pid $pid still running after stop"
done
[[ $(lpstat -r 2>/dev/null || true) != "scheduler is running" ]] || fail "cupsd still answers after stop"
pass "stop ended cupsd, ippeveprinter and dbus-daemon (twice, idempotent)"

echo
echo "timings: cupsd ready ${ready_ms} ms (start command ${start_ms} ms);" \
    "lp -> file ${print_ms} ms; media-empty visible ${empty_ms} ms;" \
    "ipp job completed ${ipp_ms} ms"
echo "PASS"
