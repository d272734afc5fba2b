#!/usr/bin/env python3
"""Run QEMU monitor commands that a test guest asks for on its console.

usage: monitor.py SERIAL.log QMP.sock MONITOR.log

Started by vm_run --monitor next to QEMU.  Waits for QEMU's QMP socket,
then follows the serial console (SERIAL.log, written by QEMU) and, for
every line

    ===MONITOR <human monitor command>===

(printed by the guest's /bin/monitor), runs the command through QMP's
human-monitor-command; "===MONITOR +N <command>===" runs it N seconds
later (a guest about to suspend cannot ask for its own wakeup then).  Everything goes to MONITOR.log, one line each:

    command <cmd>
    reply <cmd>: <output, newlines as \\n>
    event <NAME> <data as JSON>

(QMP events such as DEVICE_DELETED, SUSPEND, WAKEUP included).  Ends when
QEMU closes the socket.
"""

import json
import os
import re
import select
import socket
import sys
import time

MARK = re.compile(r"===MONITOR (?:\+(\d+(?:\.\d+)?) )?(.*?)===")


def main():
    serial, sock_path, log_path = sys.argv[1:4]
    log = open(log_path, "a", buffering=1)
    deadline = time.time() + 60
    sock = None
    while sock is None:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(sock_path)
            sock = s
        except OSError:
            if time.time() > deadline:
                log.write("error no QMP socket %s\n" % sock_path)
                return 1
            time.sleep(0.1)
    f = sock.makefile("rwb", buffering=0)

    def send(obj):
        f.write(json.dumps(obj).encode() + b"\n")

    pending = []

    def handle(msg):
        if "event" in msg:
            log.write("event %s %s\n" % (msg["event"],
                                         json.dumps(msg.get("data", {}))))
        elif "return" in msg or "error" in msg:
            cmd = pending.pop(0) if pending else "?"
            if cmd is None:
                return
            out = msg.get("return", msg.get("error"))
            if not isinstance(out, str):
                out = json.dumps(out)
            log.write("reply %s: %s\n" % (cmd, out.replace("\n", "\\n")))

    pending.append(None)
    send({"execute": "qmp_capabilities"})
    later = []

    def run(cmd):
        log.write("command %s\n" % cmd)
        pending.append(cmd)
        send({"execute": "human-monitor-command",
              "arguments": {"command-line": cmd}})

    while not os.path.exists(serial):
        time.sleep(0.1)
    con = open(serial, "rb")
    partial = b""
    rbuf = b""
    while True:
        r, _, _ = select.select([sock], [], [], 0.1)
        if r:
            data = sock.recv(65536)
            if not data:
                return 0
            rbuf += data
            while b"\n" in rbuf:
                line, rbuf = rbuf.split(b"\n", 1)
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                handle(msg)
        for item in [x for x in later if x[0] <= time.time()]:
            later.remove(item)
            run(item[1])
        chunk = con.read()
        if not chunk:
            continue
        partial += chunk
        lines = partial.split(b"\n")
        partial = lines.pop()
        for raw in lines:
            m = MARK.search(raw.decode("utf-8", "replace"))
            if not m:
                continue
            if m.group(1):
                log.write("later +%s %s\n" % (m.group(1), m.group(2)))
                later.append((time.time() + float(m.group(1)), m.group(2)))
            else:
                run(m.group(2))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (BrokenPipeError, ConnectionResetError):
        sys.exit(0)
