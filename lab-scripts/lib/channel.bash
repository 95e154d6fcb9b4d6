# shellcheck shell=bash
# channel.bash: talking to a lab VM.
#
# Commands and their output travel on a virtio-serial port, "zslab.io",
# whose host end is a pair of FIFOs (QEMU's pipe chardev: RUN/io.in into the
# guest, RUN/io.out out of it).  The guest frames each command's output:
#   @@ZSLAB-BEGIN <nonce>@@ ... @@ZSLAB-END <nonce> <status>@@
# and the launcher appends "@@ZSLAB-HOST-EXIT <instance> <status>@@" when
# QEMU ends.  Readers skip anything not framed with their own nonce, so output
# left over from an abandoned request never leaks into the next one.
# QMP travels the same way, on RUN/qmp.in and RUN/qmp.out.

# Seconds a host reader waits beyond the command's own limit.
READER_SLACK_S=15

# awk that handles each line as it arrives: mawk buffers pipe input unless
# told otherwise.
if awk -W version 2>&1 | grep -q mawk; then
    AWK_STREAM=(awk -W interactive)
else
    AWK_STREAM=(awk)
fi

# Copies the output framed by NONCE from fd 0 to stdout as it arrives, and
# writes the outcome to STATUS_FILE: "status N" (the command's exit status)
# or "host-exit N" (QEMU ended first; N is its exit status, 124 on timeout).
# Lines end with CR LF or LF; output not ending in a newline stays so.
# Gives up after LIMIT seconds.
read_framed() {
    local nonce=$1 instance=$2 status_file=$3 limit=$4
    timeout "$limit" "${AWK_STREAM[@]}" -v begin="@@ZSLAB-BEGIN $nonce@@" -v end="@@ZSLAB-END $nonce " \
        -v host="@@ZSLAB-HOST-EXIT $instance " -v status_file="$status_file" '
        function field(s, prefix,   v) { v = substr(s, index(s, prefix) + length(prefix)); sub(/@@.*/, "", v); return v + 0 }
        { sub(/\r$/, "") }
        !on && $0 == begin { on = 1; next }
        on && (i = index($0, end)) {
            if (i > 1) printf "%s", substr($0, 1, i - 1)
            print "status " field($0, end) > status_file; exit
        }
        index($0, host) == 1 { print "host-exit " field($0, host) > status_file; exit }
        on { print; fflush() }
    '
}

# Waits for the guest's READY line (a boot finished); fails on QEMU exit.
read_ready() {
    local instance=$1 status_file=$2 limit=$3
    timeout "$limit" "${AWK_STREAM[@]}" -v host="@@ZSLAB-HOST-EXIT $instance " -v status_file="$status_file" '
        index($0, "@@ZSLAB-READY ") == 1 { print "ready" > status_file; exit }
        index($0, host) == 1 { v = substr($0, length(host) + 1); sub(/@@.*/, "", v)
            print "host-exit " v > status_file; exit }
    '
}

# Turns a reader's STATUS_FILE into zns-lab's exit status, with a message
# for everything but the command's own status.  $2: the run dir.
outcome() {
    local status_file=$1 run=$2 word code
    read -r word code <"$status_file" 2>/dev/null || { word=none code=0; }
    case $word in
    status) return "$code" ;;
    host-exit)
        if ((code == 124 || code == 137)); then
            note "timeout: the VM ran out of its time limit and was stopped"
            return "$EXIT_TIMEOUT"
        fi
        note "the guest never reported (panic or boot failure; QEMU exit status $code)"
        console_tail "$run"
        return "$EXIT_NO_REPORT"
        ;;
    ready) return 0 ;;
    *)
        note "timeout: no answer from the guest"
        return "$EXIT_TIMEOUT"
        ;;
    esac
}

# Shows the end of the console log and of QEMU's own messages.
console_tail() {
    local run=$1 lines=${CONSOLE_TAIL_LINES:-25}
    if [[ -s $run/console.log ]]; then
        echo "--- last $lines lines of the console ($run/console.log) ---" >&2
        tail -n "$lines" "$run/console.log" | tr -d '\r' >&2
    fi
    if [[ -s $run/qemu.log ]]; then
        echo "--- QEMU said ---" >&2
        tail -n 10 "$run/qemu.log" >&2
    fi
}

# Sends a command script (file $2) to the serving guest of RUN and streams
# its output.  $3: the command's time limit in seconds.  Returns its status.
channel_exec() {
    local run=$1 script=$2 limit=$3 nonce instance status_file rc=0 len
    nonce=$(new_nonce)
    instance=$(cat "$run/instance")
    status_file=$run/exec.$nonce
    len=$(stat -c %s "$script")
    exec {io}<>"$run/io.out"
    {
        printf 'EXEC %s %d %d\n' "$nonce" "$limit" "$len"
        cat "$script"
    } 1<>"$run/io.in"
    read_framed "$nonce" "$instance" "$status_file" "$((limit + READER_SLACK_S))" <&"$io" || true
    exec {io}<&-
    outcome "$status_file" "$run" || rc=$?
    rm -f "$status_file"
    return "$rc"
}

# Waits up to $2 seconds for a (re)boot of RUN's guest to finish.
channel_wait_ready() {
    local run=$1 limit=$2 instance status_file rc=0
    instance=$(cat "$run/instance")
    status_file=$run/ready.$$
    exec {io}<>"$run/io.out"
    read_ready "$instance" "$status_file" "$limit" <&"$io" || true
    exec {io}<&-
    outcome "$status_file" "$run" || rc=$?
    rm -f "$status_file"
    return "$rc"
}

# Sends one QMP command ($2, JSON "execute" name) and waits for its reply.
qmp_command() {
    local run=$1 cmd=$2 id reply
    id=$(new_nonce)
    exec {qmp}<>"$run/qmp.out"
    # Capabilities are negotiated once per QEMU; a repeat only earns an error.
    printf '{"execute":"qmp_capabilities"}\n{"execute":"%s","id":"%s"}\n' "$cmd" "$id" 1<>"$run/qmp.in"
    reply=$(timeout 10 "${AWK_STREAM[@]}" -v id="\"$id\"" 'index($0, id) { print; exit }' <&"$qmp") || true
    exec {qmp}<&-
    [[ $reply == *'"return"'* ]] || die "$EXIT_LAB" "QMP $cmd failed: ${reply:-no reply}"
}
