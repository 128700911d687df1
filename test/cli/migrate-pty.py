# Runs a migrate command on a pseudo-terminal of its own (its controlling
# terminal), waits until its progress shows (the job runs), sends SIGINT to
# it, waits a little, then types the terminal's interrupt character (Ctrl-C);
# prints, as JSON, everything it wrote and how it ended.
#   python3 migrate-pty.py '["virsh", "-c", URI, "migrate", "--verbose", ...]'
import base64, json, os, select, signal, sys, time

argv = json.loads(sys.argv[1])
master, slave = os.openpty()
pid = os.fork()
if pid == 0:
    os.setsid()
    import fcntl, termios
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)
    os.close(master)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.execvp(argv[0], argv)
os.close(slave)

out = b""
status = None


def pump(seconds, want=None):
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
            if d:
                out += d
                continue
        if status is not None:
            return
        if want is not None and want in out:
            return


pump(120, b"Migration: [")
signaled = status is None
if signaled:
    os.kill(pid, signal.SIGINT)
pump(2)
still = status is None
if still:
    os.write(master, b"\x03")
pump(120)
if status is None:
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
print(json.dumps({
    "output": base64.b64encode(out).decode(),
    "aliveAfterSigint": still,
    "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
    "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
}))
