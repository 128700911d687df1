# Runs a console client on a pseudo-terminal of its own (its controlling
# terminal), waits until it is attached, sends it a signal, then leaves with
# Ctrl-] if it is still there; or, with "hangup", closes the terminal's master
# side instead. Prints, as JSON, the terminal's settings before, while attached
# and after, and how the client ended.
#   python3 console-pty.py '["virsh", "-c", URI, "console", DOM]' SIGHUP|...|hangup
import base64, fcntl, json, os, select, signal, sys, termios, time

argv = json.loads(sys.argv[1])
action = sys.argv[2]

master, slave = os.openpty()
before = termios.tcgetattr(slave)
pid = os.fork()
if pid == 0:
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)
    os.close(master)
    os.execvp(argv[0], argv)

out = b""
status = None


def pump(seconds, want=None):
    """Reads what the client writes until `want` shows, it exits, or time is up."""
    global out, status
    end = time.time() + seconds
    while time.time() < end:
        if status is None:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = st
        r, _, _ = select.select([master], [], [], 0.05)
        if r:
            try:
                d = os.read(master, 4096)
            except OSError:
                d = b""
            out += d
        elif status is not None:
            return
        if want is not None and want in out:
            return


pump(60, b"Escape character")
# Attached: the terminal goes raw (no line editing) once the console is set up.
end = time.time() + 60
while termios.tcgetattr(slave)[3] & termios.ICANON and status is None and time.time() < end:
    pump(0.05)
attached = termios.tcgetattr(slave)
# virsh traps its signals just after making the terminal raw: a moment for that.
pump(0.5)
if action == "hangup":
    os.close(slave)
    os.close(master)
    end = time.time() + 30
    while status is None and time.time() < end:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
        time.sleep(0.05)
    after = None
else:
    os.kill(pid, getattr(signal, action))
    pump(1)
    survived = status is None
    if status is None:
        os.write(master, b"\x1d")
        pump(30)
    after = termios.tcgetattr(slave)

if status is None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    ended = {"hung": True}
elif os.WIFSIGNALED(status):
    ended = {"signal": signal.Signals(os.WTERMSIG(status)).name}
else:
    ended = {"code": os.WEXITSTATUS(status)}


def flags(t):
    return None if t is None else {"icanon": bool(t[3] & termios.ICANON), "echo": bool(t[3] & termios.ECHO), "isig": bool(t[3] & termios.ISIG)}


print(json.dumps({
    "out": base64.b64encode(out).decode(),
    "ended": ended,
    "survived": action != "hangup" and survived,
    "before": flags(before),
    "attached": flags(attached),
    "after": flags(after),
    "restored": after == before,
}))
