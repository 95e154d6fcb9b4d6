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
# Seconds QMP gets to answer.
QMP_LIMIT_S=10

# Copies the output framed by NONCE from fd 0 to stdout as it arrives, and
# writes the outcome to STATUS_FILE: "status N" (the command's exit status)
# or "host-exit N" (QEMU ended first; N is its exit status, 124 on timeout).
# Gives up after LIMIT seconds.  Output not ending in a newline stays so.
# Plain bash: it reads a pipe byte by byte, so it never consumes more than
# its own frame.  (A mawk reader missed its frame about one run in ten.)
read_framed() {
    local nonce=$1 instance=$2 status_file=$3 limit=$4 line on=0 left rest
    local begin="@@ZSLAB-BEGIN $nonce@@" end="@@ZSLAB-END $nonce " host="@@ZSLAB-HOST-EXIT $instance "
    local deadline=$((SECONDS + limit))
    while left=$((deadline - SECONDS)) && ((left > 0)) && IFS= read -r -t "$left" line; do
        line=${line%$'\r'}
        # The host marker may end a partial line of output.
        if [[ $line == *"$host"* ]]; then
            ((on)) && printf '%s' "${line%%"$host"*}"
            rest=${line#*"$host"}
            echo "host-exit ${rest%%@@*}" >"$status_file"
            return 0
        elif [[ $line == "@@ZSLAB-READY "* ]]; then
            # A new boot: the guest reset (a panic, in serve mode) mid-command.
            echo "rebooted 0" >"$status_file"
            return 0
        elif ((on)) && [[ $line == *"$end"* ]]; then
            printf '%s' "${line%%"$end"*}"
            rest=${line#*"$end"}
            echo "status ${rest%%@@*}" >"$status_file"
            return 0
        elif ((on)); then
            printf '%s\n' "$line"
        elif [[ $line == "$begin" ]]; then
            on=1
        fi
    done
    return 1
}

# Waits for the guest's READY line (a boot finished); notes a QEMU exit.
read_ready() {
    local instance=$1 status_file=$2 limit=$3 line left rest
    local host="@@ZSLAB-HOST-EXIT $instance " deadline=$((SECONDS + limit))
    while left=$((deadline - SECONDS)) && ((left > 0)) && IFS= read -r -t "$left" line; do
        if [[ $line == "@@ZSLAB-READY "* ]]; then
            echo ready >"$status_file"
            return 0
        elif [[ $line == *"$host"* ]]; then
            rest=${line#*"$host"}
            echo "host-exit ${rest%%@@*}" >"$status_file"
            return 0
        fi
    done
    return 1
}

# Turns a reader's STATUS_FILE into zns-lab's exit status, with a message
# for everything but the command's own status.  $2: the run dir.  Sets
# OUTCOME_ORIGIN: "command" when the status is the command's, else "lab".
# shellcheck disable=SC2034 # read by zns-lab after outcome and channel_exec
OUTCOME_ORIGIN=lab
outcome() {
    local status_file=$1 run=$2 word code
    read -r word code 2>/dev/null <"$status_file" || { word=none code=0; }
    OUTCOME_ORIGIN=lab
    case $word in
    status)
        OUTCOME_ORIGIN="command"
        return "$code"
        ;;
    rebooted)
        note "the guest never reported: it rebooted during the command ($(crash_reason "$run"))"
        console_tail "$run"
        return "$EXIT_NO_REPORT"
        ;;
    host-exit)
        if [[ $(crash_reason "$run") == *panicked* ]]; then
            # A panicking guest may reboot until its time runs out.
            note "the guest never reported: the kernel panicked (QEMU exit status $code)"
            console_tail "$run"
            return "$EXIT_NO_REPORT"
        fi
        if ((code == 124 || code == 137)); then
            note "timeout: the VM ran out of its time limit and was stopped"
            return "$EXIT_TIMEOUT"
        fi
        note "the guest never reported: $(crash_reason "$run" | sed 's/^no panic on the console$/it powered off or failed to boot/') (QEMU exit status $code)"
        console_tail "$run"
        return "$EXIT_NO_REPORT"
        ;;
    ready) return 0 ;;
    *)
        if [[ $(crash_reason "$run") == *panicked* ]]; then
            note "the guest never reported: the kernel panicked"
            console_tail "$run"
            return "$EXIT_NO_REPORT"
        fi
        note "timeout: no answer from the guest"
        return "$EXIT_TIMEOUT"
        ;;
    esac
}

# Names what the console log shows went wrong.
crash_reason() {
    local log=$1/console.log
    if grep -q 'Kernel panic' "$log" 2>/dev/null; then
        echo "the kernel panicked"
    elif grep -q 'zns-lab-guest: FATAL' "$log" 2>/dev/null; then
        echo "the guest's init failed"
    else
        echo "no panic on the console"
    fi
}

# Shows the console log from the first sign of a crash (or its last lines),
# and QEMU's own messages.
console_tail() {
    local run=$1 lines=${CONSOLE_TAIL_LINES:-25} first
    if [[ -s $run/console.log ]]; then
        first=$(grep -n -m 1 -E 'Kernel panic|sysrq: Trigger a crash|BUG:|Oops:|FATAL' "$run/console.log" | cut -d: -f1)
        echo "--- console ($run/console.log) ---" >&2
        if [[ -n $first ]]; then
            tail -n "+$first" "$run/console.log" | head -n "$lines" | tr -d '\r' >&2
        else
            tail -n "$lines" "$run/console.log" | tr -d '\r' >&2
        fi
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
    local started=$SECONDS
    read_framed "$nonce" "$instance" "$status_file" "$((limit + READER_SLACK_S))" <&"$io" || true
    exec {io}<&-
    outcome "$status_file" "$run" || rc=$?
    rm -f "$status_file"
    # The guest kills a command at its limit with SIGKILL: status 128 + 9.
    if ((rc == 137 && SECONDS - started >= limit)); then
        # shellcheck disable=SC2034 # read by zns-lab
        OUTCOME_ORIGIN=lab
        note "timeout: the command ran past its ${limit} s limit and was killed"
        return "$EXIT_TIMEOUT"
    fi
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
    local run=$1 cmd=$2 id reply=""
    id=$(new_nonce)
    exec {qmp}<>"$run/qmp.out"
    # Capabilities are negotiated once per QEMU; a repeat only earns an error.
    printf '{"execute":"qmp_capabilities"}\n{"execute":"%s","id":"%s"}\n' "$cmd" "$id" 1<>"$run/qmp.in"
    local line deadline=$((SECONDS + QMP_LIMIT_S))
    while ((SECONDS < deadline)) && IFS= read -r -t "$QMP_LIMIT_S" line <&"$qmp"; do
        [[ $line == *"\"$id\""* ]] && reply=$line && break
    done
    exec {qmp}<&-
    [[ $reply == *'"return"'* ]] || die "$EXIT_LAB" "QMP $cmd failed: ${reply:-no reply}"
}
