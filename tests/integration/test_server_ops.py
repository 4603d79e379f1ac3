"""test_server_ops.py: what an administrator touches: `ftpd -t` reporting
every error, GNU --help/--version, systemd socket activation and
readiness notification, SIGHUP reload, SIGUSR1 log reopening, SIGTERM's
graceful stop, `ftpd --who`, STAT, the JSON event log and the xferlog
format, syslog facility and ident, PAM logins, and `make install` /
`make uninstall` into a DESTDIR."""

import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import time

import harness as h
from harness import Server, check, check_eq, check_code


def _conf(text, name="ftpd.conf"):
    d = h.tempdir("ftpd-ops-")
    p = os.path.join(d, name)
    with open(p, "w") as f:
        f.write(text)
    return p


def _term(server):
    """Sends SIGTERM ourselves (the harness must not count the exit as a
    crash)."""
    server._stopped = True
    server.proc.send_signal(signal.SIGTERM)


def _retr_start(r, name, first=1 << 20):
    """Starts a download on Raw r and reads `first` bytes.  Returns (data
    socket, bytes read)."""
    r.expect("TYPE I", 200)
    get = r.open_data("epsv")
    check_code(r.cmd("RETR " + name), 150, 125)
    d = get()
    got = bytearray()
    while len(got) < first:
        b = d.recv(min(65536, first - len(got)))
        check(b, "data connection closed early")
        got += b
    return d, got


def _read_all(d, got):
    while True:
        b = d.recv(1 << 20)
        if not b:
            break
        got += b
    d.close()
    return bytes(got)


def _refused(host, port):
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return True
    return False


# --------------------------------------------------------------------------
# ftpd -t, --help, --version

def test_check_reports_every_error():
    p = _conf("# four mistakes, one good line\n"
              "bogus_key = 1\n"                 # 2
              "max_clients = many\n"            # 3
              "banner = all fine here\n"        # 4
              "anon_root = relative/root\n"     # 5 (a check across keys)
              "syslog_facility = kernel9\n"     # 6
              "json_log = logs/ftpd.json\n")    # 7
    r = h.run_ftpd(["-t", "-f", p, "-o", "idle_timeout=soon"])
    check_eq(r.returncode, 1, "ftpd -t exit status with errors")
    err = r.stderr.decode()
    for line in (2, 3, 5, 6, 7):
        check(re.search(r"(?m)^%s:%d: " % (re.escape(p), line), err),
              "stderr names %s:%d: %r" % (p, line, err))
    check("%s:4:" % p not in err, "the good line is not blamed: %r" % err)
    check(re.search(r"(?m)^-o idle_timeout=soon: ", err), "the -o error: %r" % err)
    check_eq(len(err.strip().splitlines()), 6, "one line per error: %r" % err)
    check("configuration OK" not in err, "no OK after errors")
    # a clean file
    r = h.run_ftpd(["-t", "-f", _conf("banner = hello\njson_log = /var/log/x.json\n")])
    check_eq(r.returncode, 0, "ftpd -t on a good file (stderr %r)" % r.stderr)
    check(b"configuration OK" in r.stderr, "says OK: %r" % r.stderr)
    # system checks too: every missing account is reported
    if os.geteuid() == 0:
        r = h.run_ftpd(["-t", "-f", "/dev/null", "-o", "nopriv_user=no-such-user-x1",
                        "-o", "anon_user=no-such-user-x2"])
        check_eq(r.returncode, 1, "missing accounts")
        check(b"no-such-user-x1" in r.stderr and b"no-such-user-x2" in r.stderr,
              "both accounts reported: %r" % r.stderr)


def test_help_and_version_follow_gnu():
    r = h.run_ftpd(["--help"])
    check_eq(r.returncode, 0, "--help exit status")
    out = r.stdout.decode()
    check(out.startswith("Usage: ftpd "), "--help starts with Usage: %r" % out[:80])
    check_eq(r.stderr, b"", "--help writes to stdout only")
    for opt in ("-f", "-o", "-i", "-D", "-t", "-d", "--who", "--help", "--version"):
        check(opt in out, "--help mentions %s" % opt)
    r = h.run_ftpd(["--version"])
    check_eq(r.returncode, 0, "--version exit status")
    first = r.stdout.decode().splitlines()[0]
    check(re.match(r"^ftpd \(\S+\) \d+\.\d+(\.\d+)?$", first), "GNU version line: %r" % first)
    r = h.run_ftpd(["--no-such-option"])
    check(r.returncode != 0, "bad option fails")
    check_eq(r.stdout, b"", "usage errors print nothing on stdout")
    check(b"Try 'ftpd --help'" in r.stderr, "points at --help: %r" % r.stderr)


def test_documentation_covers_every_key():
    r = h.run_ftpd(["--help"])
    keys = re.findall(r"(?m)^  ([a-z][a-z0-9_]+) += ", r.stdout.decode())
    check(len(keys) > 20 and "json_log" in keys, "keys listed by --help: %r" % keys)
    man5 = open(os.path.join(h.TOP_SRCDIR, "man", "ftpd.conf.5")).read()
    man8 = open(os.path.join(h.TOP_SRCDIR, "man", "ftpd.8")).read()
    sample = open(os.path.join(h.TOP_SRCDIR, "etc", "ftpd.conf")).read()
    for k in keys:
        check(re.search(r"(?m)^\.It Cm %s\b" % k, man5), "ftpd.conf(5) documents %s" % k)
        check(re.search(r"(?m)^#%s =" % k, sample), "etc/ftpd.conf shows %s" % k)
    for word in ("Fl -who", "Dv SIGHUP", "Dv SIGUSR1", "Dv SIGTERM", "Ev LISTEN_FDS",
                 "Ev NOTIFY_SOCKET", "ftpd -i"):
        check(word in man8, "ftpd(8) covers %s" % word)
    check(re.search(r"(?m)^ftp +stream +tcp +nowait +root +\S+/ftpd +ftpd -i$", man8),
          "ftpd(8) has an inetd.conf line")
    for word in ("JSON EVENT LOG", "Li session", "Li duration", "Li result"):
        check(word in man5, "ftpd.conf(5) documents the JSON schema (%s)" % word)
    socket_unit = open(os.path.join(h.TOP_SRCDIR, "etc", "ftpd.socket")).read()
    check(re.search(r"(?m)^Accept=no$", socket_unit), "ftpd.socket uses Accept=no")
    service = open(os.path.join(h.TOP_SRCDIR, "etc", "ftpd.service.in")).read()
    check(re.search(r"(?m)^ExecStart=@sbindir@/ftpd$", service), "ftpd.service runs ftpd")
    check(re.search(r"(?m)^Type=notify$", service), "ftpd.service waits for READY=1")


# --------------------------------------------------------------------------
# systemd: socket activation (LISTEN_FDS/LISTEN_PID) and sd_notify

class Activated:
    """ftpd started the way systemd starts a socket-activated service:
    the listening socket at descriptor 3, LISTEN_FDS=1, LISTEN_PID = the
    pid of the process that execs ftpd, NOTIFY_SOCKET for readiness."""

    def __init__(self, lsock, root, args, notify_path=None):
        self.dir = h.tempdir("ftpd-act-")
        self.log_path = os.path.join(self.dir, "ftpd.log")
        acct = h.session_account().pw_name
        argv = [h.FTPD, "-f", "/dev/null", "-o", "anon_root=" + root,
                "-o", "anon_user=" + acct, "-o", "nopriv_user=nobody",
                "-o", "status_dir=" + os.path.join(self.dir, "run")] + list(args)
        logfd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        pid = os.fork()
        if pid == 0:                    # the service manager's child
            try:
                os.dup2(logfd, 1)
                os.dup2(logfd, 2)
                if lsock.fileno() == 3:         # dup2(3, 3) keeps CLOEXEC
                    os.set_inheritable(3, True)
                else:
                    os.dup2(lsock.fileno(), 3)  # inheritable by default
                env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                       "LISTEN_PID": str(os.getpid()), "LISTEN_FDS": "1",
                       "LISTEN_FDNAMES": "ftpd.socket"}
                if notify_path:
                    env["NOTIFY_SOCKET"] = notify_path
                os.execve(h.FTPD, argv, env)
            finally:
                os._exit(127)
        os.close(logfd)
        self.pid = pid
        self.status = None

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_log(self, regex, timeout=h.TIMEOUT):
        return h.wait_for(lambda: re.search(regex, self.log_text(), re.M), timeout,
                          what="log line /%s/" % regex)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.status is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                p, st = os.waitpid(self.pid, os.WNOHANG)
                if p == self.pid:
                    self.status = st
                    break
                time.sleep(0.05)
            else:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                raise h.Failure("ftpd did not stop on SIGTERM; log:\n" + self.log_text()[-1500:])
        return self.status


def test_socket_activation():
    root = h.tempdir("ftpd-act-root-")
    data = h.make_file(os.path.join(root, "act.bin"), 300000, pattern=7)
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    port = lsock.getsockname()[1]
    nsock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    npath = os.path.join(h.tempdir("ftpd-notify-"), "notify")
    nsock.bind(npath)
    nsock.settimeout(h.TIMEOUT)
    # `listen` names an address this host does not have: ftpd must not
    # use it when it was handed a socket.
    a = Activated(lsock, root, ["-o", "listen=192.0.2.1:21"], notify_path=npath)
    lsock.close()                       # ftpd owns it now
    try:
        check_eq(nsock.recv(4096), b"READY=1", "sd_notify readiness")
        a.wait_log(r"listening on 127\.0\.0\.1:%d \(socket activation\)" % port)
        check(not re.search(r"192\.0\.2\.1", a.log_text()), "listen is ignored")
        for _ in range(2):              # Accept=no: one ftpd, many sessions
            with h.Raw("127.0.0.1", port) as r:
                r.login()
                got, _ = r.retr("RETR act.bin", "epsv")
                check_eq(h.sha256(got), h.sha256(data), "download through the passed socket")
                r.cmd("QUIT")
        os.kill(a.pid, signal.SIGHUP)
        check_eq(nsock.recv(4096), b"RELOADING=1", "sd_notify on SIGHUP")
        check_eq(nsock.recv(4096), b"READY=1", "ready again after the reload")
        a.wait_log(r"reload: new sessions use the new configuration")
        with h.Raw("127.0.0.1", port) as r:
            r.login()                   # the passed socket survives the reload
            r.cmd("QUIT")
        st = a.stop()
        check_eq(nsock.recv(4096), b"STOPPING=1", "sd_notify on SIGTERM")
        check(os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0, "exit status 0: %r" % st)
        check(_refused("127.0.0.1", port), "the socket is closed after stop")
    finally:
        a.stop(signal.SIGKILL)
        nsock.close()


def test_activation_for_another_process_is_ignored():
    # LISTEN_PID of another process: ftpd opens its own `listen` socket.
    with WrappedServer(["sh", "-c", 'LISTEN_PID=1 LISTEN_FDS=1 exec "$@" 3</dev/null', "sh"],
                       root_files={"x": "x"}) as s:
        check("socket activation" not in s.log_text(), "fd 3 was not taken")
        with h.raw_session(s) as r:
            r.login()
            r.cmd("QUIT")
    # a passed descriptor that is not a listening socket is an error
    r = subprocess.run(["sh", "-c", 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$@" 3</dev/null',
                        "sh", h.FTPD, "-f", "/dev/null", "-o", "listen=127.0.0.1:0"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=h.TIMEOUT)
    check_eq(r.returncode, 1, "a non-socket at descriptor 3 stops ftpd")
    check(b"not a listening stream socket" in r.stderr, "says why: %r" % r.stderr)


# --------------------------------------------------------------------------
# SIGHUP, SIGUSR1, SIGTERM

def test_sighup_reloads_for_new_sessions_only():
    p = _conf("banner = first configuration\n")
    with Server(conf_file=p, root_files={"f.txt": "reload me\n"}) as s:
        old = h.raw_session(s)
        check("first configuration" in old.reply().text, "first banner")
        old.login()
        with open(p, "w") as f:
            f.write("banner = second configuration\nanon_enable = no\n")
        os.kill(s.pid, signal.SIGHUP)
        s.wait_log(r"reload: new sessions use the new configuration")
        with h.raw_session(s) as new:
            check("second configuration" in new.reply().text, "new sessions get the new banner")
            if check_code(new.cmd("USER anonymous"), 331, 530).code == 331:
                check_code(new.cmd("PASS x@y"), 530)
        # the running session keeps its configuration (anonymous, reads)
        got, _ = old.retr("RETR f.txt")
        check_eq(got, b"reload me\n", "the running session is untouched")
        # a broken configuration is reported and the old one stays
        with open(p, "w") as f:
            f.write("banner = third\nmax_clients = lots\nbogus = 1\n")
        os.kill(s.pid, signal.SIGHUP)
        s.wait_log(r"reload failed \(2 errors\)")
        log = s.log_text()
        check("%s:2:" % p in log and "%s:3:" % p in log, "errors with file:line in the log")
        with h.raw_session(s) as new:
            check("second configuration" in new.reply().text, "the last good configuration stays")
        old.expect("NOOP", 200)
        old.cmd("QUIT")
        old.close()
        check_eq(s.proc.poll(), None, "ftpd still runs")


def test_sigusr1_reopens_logs():
    logdir = h.tempdir("ftpd-logs-")
    xl, jl = os.path.join(logdir, "xferlog"), os.path.join(logdir, "ftpd.json")
    with Server(conf={"xferlog": xl, "json_log": jl},
                root_files={"a.txt": "aaa\n", "b.txt": "bbbb\n"}) as s:
        old = h.raw_session(s)
        old.login()
        old.retr("RETR a.txt")
        h.wait_for(lambda: os.path.exists(xl) and open(xl).read().count("\n") == 1,
                   what="first xferlog line")
        os.rename(xl, xl + ".1")
        os.rename(jl, jl + ".1")
        os.kill(s.pid, signal.SIGUSR1)
        s.wait_log(r"SIGUSR1: log files reopened")
        # a running session and a new one both write to the new files
        old.retr("RETR b.txt")
        with h.raw_session(s) as new:
            new.login()
            new.retr("RETR a.txt")
            new.cmd("QUIT")
        text = h.wait_for(lambda: os.path.exists(xl) and open(xl).read().count("\n") >= 2
                          and open(xl).read(), what="two lines in the new xferlog")
        check("/b.txt" in text and "/a.txt" in text, "new xferlog: %r" % text)
        check_eq(open(xl + ".1").read().count("\n"), 1, "the rotated xferlog got nothing more")
        old.cmd("QUIT")
        old.close()
        events = h.wait_for(lambda: [json.loads(l)["event"] for l in open(jl)
                                     if l.strip()].count("disconnect") >= 2 and
                            [json.loads(l)["event"] for l in open(jl) if l.strip()],
                            what="both disconnects in the new JSON log")
        check_eq(events.count("download"), 2, "downloads in the new JSON log: %r" % events)
        rotated = [json.loads(l)["event"] for l in open(jl + ".1") if l.strip()]
        check_eq(rotated, ["connect", "login", "download"], "the rotated JSON log")


@h.limit(90)
def test_sigterm_lets_transfers_finish():
    size = 48 << 20
    with Server(root_files={}) as s:
        data = h.make_file(os.path.join(s.root, "big.bin"), size, pattern=3)
        busy = h.raw_session(s)
        busy.login()
        d, got = _retr_start(busy, "big.bin")
        idle = h.raw_session(s)
        idle.login()
        t0 = time.monotonic()
        _term(s)
        # the idle session is told at once
        rep = idle.reply(timeout=5)
        check_code(rep, 421)
        check(idle.closed(5), "the idle session is closed")
        check(h.wait_for(lambda: _refused(s.host, s.port), 5, what="listener closed"),
              "no new connections")
        check_eq(s.proc.poll(), None, "ftpd waits for the running transfer")
        # the transfer completes, then the session is ended
        body = _read_all(d, got)
        check_eq(h.sha256(body), h.sha256(data), "the transfer completed intact")
        check_code(busy.reply(), 226)
        check_code(busy.reply(timeout=5), 421)
        check(busy.closed(5), "closed after its transfer")
        s.proc.wait(10)
        check_eq(s.proc.returncode, 0, "exit status after a graceful stop")
        check(time.monotonic() - t0 < 30, "stopped soon after the transfer")
        idle.close()
        busy.close()


def test_sigterm_timeout_kills_stalled_transfers():
    with Server(conf={"shutdown_timeout": "2"}) as s:
        h.make_file(os.path.join(s.root, "big.bin"), 64 << 20, pattern=4)
        r = h.raw_session(s)
        r.login()
        d, _ = _retr_start(r, "big.bin")      # and never read again
        procs = s.descendants()
        check(len(procs) >= 2, "a monitor and a worker run: %r" % procs)
        t0 = time.monotonic()
        _term(s)
        s.proc.wait(15)
        took = time.monotonic() - t0
        check_eq(s.proc.returncode, 0, "exit status after shutdown_timeout")
        check(1.5 <= took < 10, "stopped after about shutdown_timeout (%.1f s)" % took)
        s.wait_log(r"shutdown_timeout reached: killing 1 session")
        h.wait_for(lambda: not [p for p in procs if os.path.exists("/proc/%d" % p)
                                and "Z" not in open("/proc/%d/stat" % p).read().split(")")[-1][:3]],
                   5, what="the session's processes to be gone")
        d.close()
        r.close()


# --------------------------------------------------------------------------
# Status: ftpd --who and STAT

def _who(s, status_dir):
    r = h.run_ftpd(["-f", "/dev/null", "-o", "status_dir=" + status_dir, "--who"])
    check_eq(r.returncode, 0, "ftpd --who exit status (stderr %r)" % r.stderr)
    return r.stdout.decode()


def test_who_lists_sessions():
    sd = os.path.join(h.tempdir("ftpd-who-"), "run")
    # a long failed-login delay keeps the PASS visible for a while
    with Server(users={"alice": "pw"},
                conf={"status_dir": sd, "login_fail_delay": "3"}) as s:
        h.make_file(os.path.join(s.home("alice"), "big.bin"), 64 << 20, pattern=5)
        anon = h.raw_session(s)
        anon.login()
        anon.expect("CWD /", 250)
        alice = h.raw_session(s)
        alice.login("alice", "pw")
        d, got = _retr_start(alice, "big.bin")

        def progress():
            got.extend(d.recv(1 << 16))     # keep the transfer moving
            out = _who(s, sd)
            return "bytes so far" in out and out
        h.wait_for(progress, what="--who showing the transfer's progress")
        pw = h.raw_session(s)
        check_code(pw.reply(), 220)
        check_code(pw.cmd("USER alice"), 331)
        pw.send("PASS s3cret-value\r\n")     # answered after the fail delay
        out = h.wait_for(lambda: (lambda o: "PASS" in o and o)(_who(s, sd)),
                         what="--who showing the login in progress")
        lines = out.splitlines()
        check(lines[0].split()[:2] == ["PID", "USER"], "header: %r" % lines[0])
        check(re.search(r"(?m)^\d+ +anonymous +127\.0\.0\.1 .* idle$", out),
              "the idle anonymous session: %r" % out)
        m = re.search(r"(?m)^\d+ +alice +127\.0\.0\.1 .*RETR big\.bin \((\d+) bytes so far\)$", out)
        check(m, "alice's transfer with its progress: %r" % out)
        check(int(m.group(1)) >= 1 << 20, "progress counts bytes")
        check(re.search(r"(?m)^\d+ +- +127\.0\.0\.1 .*PASS <hidden>", out),
              "a login in progress, password hidden: %r" % out)
        check("s3cret" not in out, "no password in --who")
        # the files: one per session, written by the (root) monitor only
        st = os.stat(sd)
        check_eq(stat.S_IMODE(st.st_mode), 0o700, "status_dir mode")
        names = [n for n in os.listdir(sd) if n.startswith("session.")]
        check_eq(len(names), 3, "one status file per session: %r" % names)
        for n in names:
            fst = os.stat(os.path.join(sd, n))
            check_eq(fst.st_uid, os.geteuid(), "status file owner (the monitor's)")
            check_eq(stat.S_IMODE(fst.st_mode), 0o600, "status file mode")
            check("s3cret" not in open(os.path.join(sd, n)).read(), "no password in the file")
        check_code(pw.reply(), 530)
        pw.close()
        _read_all(d, got)
        check_code(alice.reply(), 226)
        for c in (anon, alice):
            c.cmd("QUIT")
            c.close()
        h.wait_for(lambda: not [n for n in os.listdir(sd) if n.startswith("session.")],
                   what="status files removed when sessions end")
        check_eq(_who(s, sd).strip().count("\n"), 0, "--who shows only the header")
    r = h.run_ftpd(["-f", "/dev/null", "-o", "status_dir=/nonexistent/ftpd-who", "--who"])
    check_eq(r.returncode, 1, "--who without a running daemon")
    check(b"/nonexistent/ftpd-who" in r.stderr, "says which folder: %r" % r.stderr)


def test_stat_shows_session_state():
    with Server(root_files={"s.bin": b"x" * 5000}) as s:
        with h.raw_session(s) as r:
            r.login()
            r.expect("TYPE I", 200)
            r.retr("RETR s.bin")
            r.expect("TYPE A", 200)
            r.expect("EPSV", 229)
            rep = check_code(r.cmd("STAT"), 211)
            t = rep.text
            check("Connected from 127.0.0.1" in t, "client address: %r" % t)
            check("Logged in as anonymous" in t, "user: %r" % t)
            check("TYPE: ASCII" in t, "representation type: %r" % t)
            check("passive listener open" in t, "data connection state: %r" % t)
            check(re.search(r"1 down \(5000 bytes\)", t), "transfer counters: %r" % t)
            check(rep.lines[-1].startswith("211 "), "multi-line 211 reply")
        # STAT during a transfer reports its progress
        h.make_file(os.path.join(s.root, "big.bin"), 64 << 20, pattern=6)
        with h.raw_session(s) as r:
            r.login()
            d, got = _retr_start(r, "big.bin")
            rep = check_code(r.cmd("STAT"), 213, 211)
            m = re.search(r"(\d+) bytes", rep.text)
            check(m and int(m.group(1)) >= len(got), "progress in STAT: %r" % rep.text)
            _read_all(d, got)
            check_code(r.reply(), 226)


# --------------------------------------------------------------------------
# Logs: JSON events, xferlog format, syslog facility and ident

JSON_KEYS = {"time", "session", "client", "user", "event", "path", "bytes", "duration", "result"}
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def test_json_log_events():
    logdir = h.tempdir("ftpd-json-")
    jl = os.path.join(logdir, "events.json")
    name = 'a "quoted" name.txt'
    body = b"json log test\n" * 100
    with Server(users={"bob": "pw"}, conf={"json_log": jl},
                root_files={name: body}) as s:
        with h.raw_session(s) as r:
            r.login()
            r.expect("TYPE I", 200)
            got, _ = r.retr("RETR " + name)
            check_eq(got, body, "download")
            r.cmd("QUIT")
        with h.raw_session(s) as r:
            check_code(r.reply(), 220)
            check_code(r.cmd("USER bob"), 331)
            check_code(r.cmd("PASS wrong"), 530)
            check_code(r.cmd("USER bob"), 331)
            check_code(r.cmd("PASS pw"), 230)
            r.expect("TYPE I", 200)
            r.stor("STOR up.bin", b"u" * 4096)
            r.cmd("QUIT")
        ev = h.wait_for(lambda: (lambda l: sum(e["event"] == "disconnect" for e in l) >= 2 and l)(
            [json.loads(x) for x in open(jl) if x.strip()] if os.path.exists(jl) else []),
            what="two sessions in the JSON log")
    for e in ev:
        check_eq(set(e), JSON_KEYS, "keys of %r" % e)
        check(RFC3339.match(e["time"]), "RFC 3339 time: %r" % e["time"])
        check(isinstance(e["bytes"], int) and isinstance(e["duration"], (int, float)),
              "numbers: %r" % e)
        check_eq(e["client"], "127.0.0.1", "client")
        check(re.match(r"^[0-9a-f]{16}$", e["session"]), "session id: %r" % e["session"])
    sessions = []
    for e in ev:
        if e["session"] not in sessions:
            sessions.append(e["session"])
    check_eq(len(sessions), 2, "two session ids")
    a = [e for e in ev if e["session"] == sessions[0]]
    b = [e for e in ev if e["session"] == sessions[1]]
    check_eq([e["event"] for e in a], ["connect", "login", "download", "disconnect"], "anonymous")
    check_eq(a[0]["user"], None, "no user before login")
    check_eq((a[2]["user"], a[2]["path"], a[2]["bytes"], a[2]["result"]),
             ("anonymous", "/" + name, len(body), "ok"), "download event")
    check_eq(a[3]["bytes"], len(body), "bytes of the session")
    check_eq([(e["event"], e["result"]) for e in b],
             [("connect", "ok"), ("login", "fail"), ("login", "ok"), ("upload", "ok"),
              ("disconnect", "ok")], "user session")
    check_eq((b[1]["user"], b[3]["path"], b[3]["bytes"]), ("bob", "/up.bin", 4096), "upload")
    check(all("wrong" not in json.dumps(e) for e in ev), "no password in the JSON log")


def test_xferlog_names_with_spaces():
    logdir = h.tempdir("ftpd-xl-")
    xl = os.path.join(logdir, "xferlog")
    with Server(conf={"xferlog": xl}, root_files={"my file name.txt": "spaces\n"}) as s:
        with h.raw_session(s) as r:
            r.login()
            r.expect("TYPE A", 200)
            r.retr("RETR my file name.txt")
            r.cmd("QUIT")
        line = h.wait_for(lambda: os.path.exists(xl) and open(xl).read().strip(),
                          what="xferlog line")
    t = line.split()
    # wu-ftpd: ctime(5) secs host size name type action dir access user service auth id status
    check_eq(len(t), 18, "18 fields: %r" % line)
    check(re.match(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} \d+ ", line),
          "date and seconds: %r" % line)
    check_eq(t[8], "/my_file_name.txt", "spaces written as '_'")
    check_eq(t[9:], ["a", "_", "o", "a", "anonymous", "ftp", "0", "*", "c"], "the fixed fields")


def _ns_wrapper(script):
    """A command prefix running `script` (shell) in a private mount
    namespace, then exec'ing the rest of the command line."""
    return ["unshare", "-m", "--propagation", "private", "sh", "-c",
            "set -e\n" + script + '\nexec "$@"', "sh"]


def _need_namespaces():
    if os.geteuid() != 0:
        h.skip("needs root (private mount namespace)")
    if not h.have_program("unshare"):
        h.skip("needs unshare(1)")
    r = subprocess.run(_ns_wrapper("mount -t tmpfs none /mnt") + ["true"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=h.TIMEOUT)
    if r.returncode != 0:
        h.skip("cannot make a mount namespace here: %r" % r.stderr[:200])


class WrappedServer(Server):
    def __init__(self, prefix, **kw):
        Server.__init__(self, **kw)
        self.prefix = prefix

    def command_line(self):
        return self.prefix + Server.command_line(self)


def test_syslog_facility_and_ident():
    _need_namespaces()
    d = h.tempdir("ftpd-syslog-")
    logsock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    logsock.bind(os.path.join(d, "log"))
    os.chmod(os.path.join(d, "log"), 0o666)
    logsock.settimeout(h.TIMEOUT)
    os.mkdir(os.path.join(d, "dev"))
    # /dev in the namespace: a tmpfs with the real devices linked in and
    # /dev/log pointing at our socket.
    script = ("mount --rbind /dev %(d)s/dev\n"
              "mount -t tmpfs -o mode=0755 none /dev\n"
              "for n in null zero full random urandom; do ln -s %(d)s/dev/$n /dev/$n; done\n"
              "ln -s %(d)s/log /dev/log\n") % {"d": d}
    with WrappedServer(_ns_wrapper(script),
                       conf={"syslog": "yes", "syslog_facility": "local3",
                             "syslog_ident": "ftp-test-ident"}) as s:
        with h.raw_session(s) as r:
            r.login()
            r.cmd("QUIT")
        msgs = []
        end = time.monotonic() + h.TIMEOUT
        while time.monotonic() < end and not any(b"login ok" in m for m in msgs):
            try:
                msgs.append(logsock.recv(8192))
            except socket.timeout:
                break
    text = b"\n".join(msgs).decode("utf-8", "replace")
    m = re.search(r"<(\d+)>.*?ftp-test-ident\[\d+\]: .*login ok", text)
    check(m, "a syslog line with our ident: %r" % text[:500])
    pri = int(m.group(1))
    check_eq(pri >> 3, 19, "facility local3 (PRI %d)" % pri)
    check_eq(pri & 7, 6, "severity info")
    logsock.close()


# --------------------------------------------------------------------------
# PAM

PAM_USER = "ftppamtest"
PAM_NOSHELL = "ftppamnoshell"


def test_pam_login():
    r = h.run_ftpd(["-t", "-f", "/dev/null", "-o", "system_users=yes", "-o", "auth_backend=pam"])
    if b"without PAM" in r.stderr:
        h.skip("ftpd was built without PAM (configure --with-pam)")
    check_eq(r.returncode, 0, "-t with auth_backend = pam (stderr %r)" % r.stderr)
    _need_namespaces()
    for mod in ("/lib/x86_64-linux-gnu/security/pam_unix.so", "/lib/security/pam_unix.so",
                "/usr/lib/x86_64-linux-gnu/security/pam_unix.so",
                "/usr/lib/security/pam_unix.so"):
        if os.path.exists(mod):
            break
    else:
        if not any(os.path.exists(os.path.join(dp, "pam_unix.so"))
                   for dp, _, _ in os.walk("/usr/lib") if dp.endswith("security")):
            h.skip("pam_unix.so not found")
    uid = next(u for u in range(4242, 4342) if not _uid_taken(u))
    d = h.tempdir("ftpd-pam-")
    home = os.path.join(d, "home")
    os.mkdir(home)
    os.chown(home, uid, uid)
    os.chmod(home, 0o755)
    etc = os.path.join(d, "etc")
    os.mkdir(etc)
    for n in ("passwd", "shadow", "group"):
        shutil.copy2("/etc/" + n, os.path.join(etc, n))
    with open(os.path.join(etc, "passwd"), "a") as f:
        f.write("%s:x:%d:%d:PAM test:%s:/bin/sh\n" % (PAM_USER, uid, uid, home))
        f.write("%s:x:%d:%d:PAM test:%s:/usr/sbin/nologin\n" % (PAM_NOSHELL, uid, uid, home))
    with open(os.path.join(etc, "group"), "a") as f:
        f.write("%s:x:%d:\n" % (PAM_USER, uid))
    with open(os.path.join(etc, "shadow"), "a") as f:
        f.write("%s:%s:19000:0:99999:7:::\n" % (PAM_USER, h.hash_password("pam-secret")))
        f.write("%s:%s:19000:0:99999:7:::\n" % (PAM_NOSHELL, h.hash_password("pam-secret")))
    pamd = os.path.join(d, "pam.d")
    os.mkdir(pamd)
    with open(os.path.join(pamd, "ftpd-test"), "w") as f:
        f.write("auth required pam_unix.so nodelay\naccount required pam_unix.so\n")
    script = "\n".join("mount --bind %s /etc/%s" % (os.path.join(etc, n), n)
                       for n in ("passwd", "shadow", "group"))
    script += "\nmount --bind %s /etc/pam.d" % pamd
    with WrappedServer(_ns_wrapper(script),
                       conf={"system_users": "yes", "auth_backend": "pam",
                             "pam_service": "ftpd-test"}) as s:
        with h.raw_session(s) as r:
            r.login(PAM_USER, "pam-secret")
            check_eq(r.expect("PWD", 257).lines[0][:7], '257 "/"', "rooted at the home")
            r.expect("TYPE I", 200)
            data = h.pattern_bytes(70000, 9)
            r.stor("STOR pam.bin", data)
            got, _ = r.retr("RETR pam.bin")
            check_eq(h.sha256(got), h.sha256(data), "round trip")
            r.cmd("QUIT")
        st = os.stat(os.path.join(home, "pam.bin"))
        check_eq(st.st_uid, uid, "the upload belongs to the PAM user")
        with h.raw_session(s) as r:
            check_code(r.reply(), 220)
            check_code(r.cmd("USER " + PAM_USER), 331)
            check_code(r.cmd("PASS wrong-secret"), 530)
            # the right password, but no login shell
            check_code(r.cmd("USER " + PAM_NOSHELL), 331)
            check_code(r.cmd("PASS pam-secret"), 530)
        s.wait_log(r"login failed: user=%s: PAM: " % PAM_USER)
        s.wait_log(r"login failed: user=%s: shell" % PAM_NOSHELL)
        check(PAM_USER not in open("/etc/passwd").read(), "the host's /etc/passwd is untouched")
    check(not os.path.exists("/etc/pam.d/ftpd-test"), "the host's /etc/pam.d is untouched")


def _uid_taken(uid):
    import pwd
    try:
        pwd.getpwuid(uid)
        return True
    except KeyError:
        return False


# --------------------------------------------------------------------------
# make install / make uninstall into DESTDIR

@h.limit(240)
def test_install_uninstall_destdir():
    top = os.path.dirname(os.path.dirname(os.path.abspath(h.FTPD)))
    if not os.path.exists(os.path.join(top, "Makefile")) or not h.have_program("make"):
        h.skip("no build tree with a Makefile above $FTPD")
    dest = h.tempdir("ftpd-destdir-")
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}

    def make(target):
        r = subprocess.run(["make", "-s", "-C", top, target, "DESTDIR=" + dest],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                           timeout=200)
        check_eq(r.returncode, 0, "make %s: %s" % (target, r.stdout.decode()[-2000:]))

    make("install")
    files = []
    for dp, _, fn in os.walk(dest):
        files += [os.path.relpath(os.path.join(dp, n), dest) for n in fn]

    def one(regex):
        m = [f for f in files if re.search(regex, f)]
        check_eq(len(m), 1, "installed files matching %s (%r)" % (regex, files))
        return m[0]

    sbin = one(r"(^|/)sbin/ftpd$")
    prefix = os.path.dirname(os.path.dirname(sbin))
    for regex in (r"/sbin/ftpasswd$", r"/bin/ftp$", r"/man/man8/ftpd\.8$",
                  r"/man/man5/ftpd\.conf\.5$", r"/man/man1/ftp\.1$", r"/man/man8/ftpasswd\.8$",
                  r"/ftpd\.conf\.sample$", r"/systemd/system/ftpd\.socket$"):
        one(regex)
    for f in files:
        check(f.startswith(prefix + "/"), "%s is inside the prefix %s" % (f, prefix))
    unit = one(r"/systemd/system/ftpd\.service$")
    text = open(os.path.join(dest, unit)).read()
    check(re.search(r"(?m)^ExecStart=/%s$" % re.escape(sbin), text),
          "ExecStart names the installed ftpd: %r" % text)
    check("@sbindir@" not in text, "no placeholders left")
    r = subprocess.run([os.path.join(dest, sbin), "--version"], stdout=subprocess.PIPE,
                       timeout=h.TIMEOUT)
    check_eq(r.returncode, 0, "the installed ftpd runs")
    if b"Built with PAM" in r.stdout:
        one(r"/pam\.d/ftpd$")
    check(os.access(os.path.join(dest, sbin), os.X_OK), "ftpd is executable")
    make("uninstall")
    left = []
    for dp, _, fn in os.walk(dest):
        left += [os.path.join(dp, n) for n in fn]
    check_eq(left, [], "files left after make uninstall")


if __name__ == "__main__":
    h.main()
