"""harness.py: shared helpers for the integration tests (stdlib only).

Every test_*.py file imports this module, defines test_* functions and
ends with ``harness.main()``.  The environment names the binaries under
test: FTPD, FTPASSWD and FTP (set by tests/integration/Makefile.am).

Server(conf=None, users=None, root_files=None, host="127.0.0.1", args=(),
       users_tool="openssl", listen=None, conf_file="/dev/null")
    Context manager.  Makes a 0755 temporary folder ``.dir`` with the
    anonymous root ``.root`` (filled from ``root_files``) and, for
    ``users`` (name -> password), a users file ``.users_file`` (hashes from
    ``openssl passwd -6``, or from $FTPASSWD --stdin with
    users_tool="ftpasswd") and homes ``.home(name)`` owned by the session
    account.  Starts ``$FTPD -f CONF_FILE -o anon_root=... -o key=value
    ... -o listen=HOST:0 ARGS`` (``conf`` values may be lists for
    repeatable keys; ``listen`` replaces the default listen list), with
    stderr in ``.dir/ftpd.log``, and waits for ``listening on ADDR:PORT``.
    Exposes ``.host``, ``.port``, ``.addrs``, ``.pid``, ``.log_text()``,
    ``.wait_log(regex)``, ``.descendants()``, ``.stop()``.  On exit it
    stops ftpd (SIGTERM) and fails the test if ftpd ended on its own, did
    not exit cleanly, left a core file, or logged a crash or sanitizer
    report.
write_tree(base, files)
    files: {relpath: bytes | str | None (folder) | dict (folder contents)}.
ftp_login(server, user="anonymous", pw=..., host=None) -> ftplib.FTP
raw_session(server, host=None, source=None) -> Raw; Raw(host, port, source)
    A control connection speaking exact bytes (source: local address to
    bind, e.g. 127.0.0.2).  ``.send(bytes)``, ``.cmd(line) -> Reply``,
    ``.reply(timeout)``, ``.expect(line, *codes)``, ``.login(user, pw)``,
    ``.greeting``, ``.closed(timeout)``, ``.open_data(mode)``,
    ``.retr(cmd, mode) -> (bytes, Reply)``, ``.stor(cmd, data, mode) ->
    (Reply, Reply)``, ``.list(cmd, mode) -> str``; mode is ``pasv``,
    ``epsv``, ``port`` or ``eprt``.  ``Raw.from_socket(sock)`` wraps a
    connected socket (inetd tests).  A Reply has ``.code``, ``.lines``,
    ``.text`` and ``.raw`` (the exact bytes, for format checks).
check(cond, msg), check_eq(actual, expected, what), check_code(reply, *codes)
    codes are exact (550) or a class (5).  expect_error(codes, fn, *args)
    for ftplib calls that must fail.
sha256(path_or_bytes), pattern_bytes(size, seed), make_file(path, size, pattern)
tempdir(prefix)     a 0755 temporary folder removed after the test
wait_for(pred, timeout, what), proc_uids(pid), run_ftpd(args) (for -t etc.)
session_account(), give_to_session(path), hash_password(pw), have_program(name)
TOP_SRCDIR          the source tree (etc/, man/)
skip(reason), @limit(seconds) (per-test time limit, default 60 s)
main()
    Runs the calling module's test_* functions in file order; prints
    ``PASS name``, ``FAIL name: reason`` (then the traceback and ftpd's
    log) or ``SKIP name: reason``, and a closing ``N passed, N failed``
    (``, N skipped``) line; exits 1 on any failure, 77 when all skipped.
    FTPD_TESTS=substring selects tests; FTPD_TEST_KEEP=1 keeps the
    temporary folders.
"""

import ftplib
import hashlib
import inspect
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

FTPD = os.environ.get("FTPD", "ftpd")
FTPASSWD = os.environ.get("FTPASSWD", "ftpasswd")
FTP = os.environ.get("FTP", "ftp")

TOP_SRCDIR = os.environ.get("TOP_SRCDIR") or \
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TIMEOUT = 10            # seconds for any single network wait
START_TIMEOUT = 10      # seconds for ftpd to print its listening line
DEFAULT_LIMIT = 60      # seconds per test unless @limit says otherwise

_live_servers = []      # servers of the running test, for failure logs
_temp_dirs = []         # tempdir() folders of the running test


# --------------------------------------------------------------------------
# Assertions and test control

class Failure(Exception):
    """A check failed."""


class Skip(Exception):
    """The running test cannot run here."""


class TestTimeout(Exception):
    """The per-test time limit ran out."""


def check(cond, msg="check failed"):
    if not cond:
        raise Failure(msg)


def check_eq(actual, expected, what="value"):
    if actual != expected:
        a, e = repr(actual), repr(expected)
        if len(a) > 300:
            a = a[:300] + "..."
        if len(e) > 300:
            e = e[:300] + "..."
        raise Failure("%s: got %s, expected %s" % (what, a, e))


def check_code(reply, *codes):
    """reply is a Reply, an ftplib response string or an ftplib error.
    codes are ints (exact) or one-digit ints/strings like "5" (class)."""
    if isinstance(reply, Reply):
        code, text = reply.code, reply.text
    else:
        text = str(reply)
        m = re.match(r"(\d{3})", text)
        code = int(m.group(1)) if m else -1
    for c in codes:
        c = str(c)
        if (len(c) == 3 and str(code) == c) or (len(c) < 3 and str(code).startswith(c)):
            return reply
    raise Failure("reply %r, expected %s" % (text[:300], "/".join(str(c) for c in codes)))


def expect_error(codes, fn, *args, **kw):
    """Calls fn, which must raise an ftplib error whose code is in codes."""
    try:
        r = fn(*args, **kw)
    except ftplib.all_errors as e:
        check_code(str(e), *codes)
        return str(e)
    raise Failure("%s succeeded (%r), expected %s" %
                  (getattr(fn, "__name__", "call"), r, codes))


def skip(reason):
    raise Skip(reason)


def limit(seconds):
    def deco(fn):
        fn.time_limit = seconds
        return fn
    return deco


def wait_for(pred, timeout=TIMEOUT, step=0.05, what="condition"):
    """Polls pred() until it is true (returns its value) or fails."""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > end:
            raise Failure("timed out waiting for " + what)
        time.sleep(step)


# --------------------------------------------------------------------------
# Data helpers

def pattern_bytes(size, seed=0):
    """Deterministic, non-repeating-looking bytes (all 256 values occur)."""
    if size <= 0:
        return b""
    block = hashlib.sha256(b"ftpd-test-%d" % seed).digest()
    out = bytearray()
    i = 0
    while len(out) < size:
        out += hashlib.sha256(block + i.to_bytes(8, "little")).digest() * 64
        i += 1
    return bytes(out[:size])


def make_file(path, size, pattern=0, mode=0o644):
    """Writes size deterministic bytes to path; returns the bytes."""
    data = pattern_bytes(size, pattern)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
    return data


def sha256(x):
    if isinstance(x, (bytes, bytearray)):
        return hashlib.sha256(x).hexdigest()
    h = hashlib.sha256()
    with open(x, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def write_tree(base, files):
    """files: {relpath: bytes|str|None|dict}.  None makes a folder, a dict
    a folder with those contents.  Folders 0755, files 0644."""
    for rel, content in (files or {}).items():
        p = os.path.join(base, rel)
        if content is None or isinstance(content, dict):
            os.makedirs(p, exist_ok=True)
            os.chmod(p, 0o755)
            if isinstance(content, dict):
                write_tree(p, content)
            continue
        os.makedirs(os.path.dirname(p), exist_ok=True)
        if isinstance(content, str):
            content = content.encode()
        with open(p, "wb") as f:
            f.write(content)
        os.chmod(p, 0o644)


# --------------------------------------------------------------------------
# Accounts

def run_uid():
    return os.geteuid()


def session_account():
    """The account anonymous and virtual sessions run as when ftpd starts
    as root: 'ftp' when it exists (the default), else 'nobody'."""
    for name in ("ftp", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            pass
    raise Failure("neither an 'ftp' nor a 'nobody' account exists")


def give_to_session(path):
    """Makes path (recursively) owned by the session account when root, so
    sessions can write there."""
    if os.geteuid() != 0:
        return
    acct = session_account()
    os.lchown(path, acct.pw_uid, acct.pw_gid)
    for dirpath, dirnames, filenames in os.walk(path):
        os.lchown(dirpath, acct.pw_uid, acct.pw_gid)
        for n in dirnames + filenames:
            os.lchown(os.path.join(dirpath, n), acct.pw_uid, acct.pw_gid)


def hash_password(pw):
    """sha512-crypt hash from openssl (independent of ftpasswd)."""
    r = subprocess.run(["openssl", "passwd", "-6", "-stdin"], input=pw.encode() + b"\n",
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    if r.returncode != 0 or not r.stdout.startswith(b"$6$"):
        raise Failure("openssl passwd -6 failed: %r" % r.stderr)
    return r.stdout.decode().strip()


def tempdir(prefix="ftpd-it-"):
    """A world-readable temporary folder, removed after the running test
    (kept with FTPD_TEST_KEEP=1)."""
    d = tempfile.mkdtemp(prefix=prefix)
    os.chmod(d, 0o755)
    _temp_dirs.append(d)
    return d


def have_program(name):
    return shutil.which(name) is not None


# --------------------------------------------------------------------------
# The server under test

def _fmt_listen(host, port):
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


class Server:
    def __init__(self, conf=None, users=None, root_files=None, host="127.0.0.1",
                 args=(), users_tool="openssl", listen=None, wait=True, conf_file="/dev/null"):
        self.host = host
        self.port = None
        self.addrs = []             # (host, port) of every listening line
        self.conf = dict(conf or {})
        self.users = dict(users or {})
        self.root_files = root_files
        self.args = list(args)
        self.users_tool = users_tool
        self.listen = listen        # list of listen values, default HOST:0
        self.wait = wait
        self.conf_file = conf_file
        self.proc = None
        self.dir = None
        self.root = None
        self.users_file = None
        self.log_path = None
        self._stopped = False

    # ---- setup
    def home(self, user):
        return os.path.join(self.dir, "home", user)

    def _make_users(self):
        os.makedirs(os.path.join(self.dir, "home"), mode=0o755)
        os.chmod(os.path.join(self.dir, "home"), 0o755)
        self.users_file = os.path.join(self.dir, "users")
        lines = []
        for name, pw in self.users.items():
            h = self.home(name)
            os.makedirs(h)
            os.chmod(h, 0o755)
            give_to_session(h)
            if self.users_tool == "ftpasswd":
                r = subprocess.run([FTPASSWD, "-f", self.users_file, "-d", h, "--stdin", name],
                                   input=pw.encode() + b"\n", stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, timeout=TIMEOUT)
                if r.returncode != 0:
                    raise Failure("ftpasswd failed: %r" % (r.stderr,))
            else:
                lines.append("%s:%s:%s\n" % (name, hash_password(pw), h))
        if self.users_tool != "ftpasswd":
            with open(self.users_file, "w") as f:
                f.writelines(lines)
            os.chmod(self.users_file, 0o600)

    def command_line(self):
        opts = []
        acct = session_account().pw_name
        base = {"anon_root": self.root, "nopriv_user": "nobody",
                "anon_user": acct, "virtual_user": acct}
        if self.users_file:
            base["users_file"] = self.users_file
        if self.conf_file == "/dev/null" and self.dir:
            # Keep the digest cache in the test's folder, not /var/cache.
            base["hash_cache"] = os.path.join(self.dir, "hashcache")
        base.update(self.conf)
        for k, v in base.items():
            for item in (v if isinstance(v, (list, tuple)) else [v]):
                opts += ["-o", "%s=%s" % (k, item)]
        listen = self.listen or [_fmt_listen(self.host, 0)]
        for item in listen:
            opts += ["-o", "listen=" + item]
        return [FTPD, "-f", self.conf_file] + opts + self.args

    def __enter__(self):
        _live_servers.append(self)  # on failure the runner prints the log
        self._start()
        return self

    def _start(self):
        self.dir = tempfile.mkdtemp(prefix="ftpd-it-")
        os.chmod(self.dir, 0o755)
        self.root = os.path.join(self.dir, "root")
        os.mkdir(self.root)
        os.chmod(self.root, 0o755)
        write_tree(self.root, self.root_files)
        if self.users:
            self._make_users()
        self.log_path = os.path.join(self.dir, "ftpd.log")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.command_line(), stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=self._log, cwd=self.dir)
        if not self.wait:
            return
        end = time.monotonic() + START_TIMEOUT
        want = len(self.listen) if self.listen else 1
        while True:
            self.addrs = [(h.strip("[]"), int(p)) for h, p in
                          re.findall(r"listening on (\S+):(\d+)", self.log_text())]
            if len(self.addrs) >= want:
                break
            if self.proc.poll() is not None:
                raise Failure("ftpd exited with %s before listening; log:\n%s" %
                              (self.proc.returncode, self.log_text()[-2000:]))
            if time.monotonic() > end:
                raise Failure("ftpd printed no 'listening on' line in %d s; log:\n%s" %
                              (START_TIMEOUT, self.log_text()[-2000:]))
            time.sleep(0.02)
        self.host, self.port = self.addrs[0]

    @property
    def pid(self):
        return self.proc.pid

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def wait_log(self, regex, timeout=TIMEOUT, flags=re.I | re.M):
        """Waits until the log matches regex; returns the match."""
        return wait_for(lambda: re.search(regex, self.log_text(), flags), timeout,
                        what="log line /%s/" % regex)

    def descendants(self):
        """PIDs of every process below ftpd."""
        return _descendants(self.proc.pid)

    # ---- teardown
    def stop(self):
        """Stops ftpd (SIGTERM, then SIGKILL); returns the exit status."""
        if self._stopped:
            return self.proc.returncode
        self._stopped = True
        if self.proc.poll() is None:
            kids = self.descendants()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
            for k in kids:      # sessions left behind
                try:
                    os.kill(k, signal.SIGKILL)
                except OSError:
                    pass
        return self.proc.returncode

    def _cleanup(self, check_exit=True):
        problem = None
        if self.proc is not None:
            died_early = self.proc.poll() is not None and not self._stopped
            rc = self.stop()
            if check_exit:
                if died_early:
                    problem = "ftpd exited by itself with status %s" % rc
                elif rc not in (0, -signal.SIGTERM, 128 + signal.SIGTERM):
                    problem = "ftpd ended with status %s after SIGTERM" % rc
            self._log.close()
        if check_exit and self.dir:
            log = self.log_text()
            if re.search(r"AddressSanitizer|runtime error:|LeakSanitizer", log):
                problem = problem or "sanitizer report in the ftpd log"
            m = re.search(r"(?im)^.*(signal (6|11|7|4|8)\b|segmentation fault|core dumped).*$", log)
            if m:
                problem = problem or "ftpd log reports a crash: " + m.group(0)
            for dirpath, _, filenames in os.walk(self.dir):
                for n in filenames:
                    if n == "core" or n.startswith("core."):
                        problem = problem or "core file " + os.path.join(dirpath, n)
        return problem

    def __exit__(self, et, ev, tb):
        problem = self._cleanup(check_exit=True)
        if et is not None:
            return False        # the runner prints the log and cleans up
        if problem:
            raise Failure(problem)
        if self in _live_servers:
            _live_servers.remove(self)
        if self.dir and not os.environ.get("FTPD_TEST_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)
        return False


def _descendants(pid):
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in children.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def proc_uids(pid):
    """(real, effective, saved, fs) uids of pid, or None if it is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("Uid:"):
                    return tuple(int(x) for x in line.split()[1:5])
    except OSError:
        return None
    return None


def run_ftpd(args, timeout=TIMEOUT, input=None):
    """Runs ftpd to completion (for -t, --help, config errors)."""
    return subprocess.run([FTPD] + list(args), input=input, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)


# --------------------------------------------------------------------------
# Clients

def ftp_login(server, user="anonymous", pw="test@example.org", host=None):
    f = ftplib.FTP(timeout=TIMEOUT)
    f.connect(host or server.host, server.port)
    f.login(user, pw)
    return f


class Reply:
    def __init__(self, code, lines, raw):
        self.code = code
        self.lines = lines
        self.raw = raw

    @property
    def text(self):
        return "\n".join(self.lines)

    def __repr__(self):
        return "Reply(%r)" % self.text[:200]


class Raw:
    """A control connection speaking exact bytes."""

    def __init__(self, host, port, source=None, timeout=TIMEOUT):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        if source:
            self.sock.bind((source, 0))
        self.sock.connect((host, port))
        self.host = host
        self.buf = b""
        self.greeting = None

    @classmethod
    def from_socket(cls, sock, timeout=TIMEOUT):
        """Wraps an already connected control socket (e.g. a socketpair)."""
        self = cls.__new__(cls)
        sock.settimeout(timeout)
        self.sock, self.buf, self.greeting = sock, b"", None
        self.host = ""
        return self

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()
        return False

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.sock.sendall(data)

    def _line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed; partial data %r" % self.buf[:200])
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line + b"\n"

    def reply(self, timeout=None):
        """Reads one complete (possibly multi-line) reply."""
        old = self.sock.gettimeout()
        if timeout is not None:
            self.sock.settimeout(timeout)
        try:
            raw = self._line()
            first = raw.decode("utf-8", "replace").rstrip("\r\n")
            if not re.match(r"\d{3}[ -]", first + " "):
                raise Failure("malformed reply line %r" % raw)
            code = int(first[:3])
            lines = [first]
            if first[3:4] == "-":
                while True:
                    l = self._line()
                    raw += l
                    s = l.decode("utf-8", "replace").rstrip("\r\n")
                    lines.append(s)
                    if s.startswith("%03d " % code) or s == "%03d" % code:
                        break
            rep = Reply(code, lines, raw)
            if self.greeting is None:
                self.greeting = rep     # the first reply is the greeting
            return rep
        finally:
            self.sock.settimeout(old)

    def cmd(self, line, timeout=None):
        if isinstance(line, str):
            line = line.encode("utf-8")
        self.send(line + b"\r\n")
        return self.reply(timeout)

    def expect(self, line, *codes):
        return check_code(self.cmd(line), *codes)

    def login(self, user="anonymous", pw="test@example.org"):
        if self.greeting is None:
            self.reply()
        check_code(self.greeting, 220)
        r = self.cmd("USER " + user)
        if r.code == 331:
            r = self.cmd("PASS " + pw)
        return check_code(r, 230)

    def closed(self, timeout=TIMEOUT):
        """True when the server closes the connection within timeout."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.sock.settimeout(max(0.05, end - time.monotonic()))
            try:
                b = self.sock.recv(65536)
            except socket.timeout:
                return False
            except OSError:
                return True
            if not b:
                return True
            self.buf += b
        return False

    # ---- data connections
    def open_data(self, mode):
        """Prepares a data connection.  Returns a callable that, after the
        transfer command got its preliminary reply, yields the connected
        data socket."""
        local = self.sock.getsockname()[0]
        peer = self.sock.getpeername()[0]
        fam = self.sock.family
        if mode in ("pasv", "epsv"):
            if mode == "pasv":
                r = check_code(self.cmd("PASV"), 227)
                m = re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", r.text)
                check(m, "unparsable 227 reply %r" % r.text)
                port = int(m.group(5)) * 256 + int(m.group(6))
            else:
                r = check_code(self.cmd("EPSV"), 229)
                m = re.search(r"\((.)\1\1(\d+)\1\)", r.text)
                check(m, "unparsable 229 reply %r" % r.text)
                port = int(m.group(2))
            d = socket.socket(fam, socket.SOCK_STREAM)
            d.settimeout(TIMEOUT)
            d.connect((peer, port))
            return lambda: d
        ls = socket.socket(fam, socket.SOCK_STREAM)
        ls.settimeout(TIMEOUT)
        ls.bind((local, 0))
        ls.listen(1)
        port = ls.getsockname()[1]
        if mode == "port":
            check(fam == socket.AF_INET, "PORT needs IPv4")
            r = self.cmd("PORT %s,%d,%d" % (local.replace(".", ","), port >> 8, port & 255))
        else:
            r = self.cmd("EPRT |%d|%s|%d|" % (1 if fam == socket.AF_INET else 2, local, port))
        check_code(r, 200)

        def accept():
            try:
                c, _ = ls.accept()
            finally:
                ls.close()
            c.settimeout(TIMEOUT)
            return c
        return accept

    def retr(self, cmd, mode="epsv"):
        """Runs a download command (RETR/LIST/NLST/MLSD); returns
        (data, final Reply)."""
        get = self.open_data(mode)
        check_code(self.cmd(cmd), 125, 150)
        d = get()
        chunks = []
        try:
            while True:
                b = d.recv(1 << 20)
                if not b:
                    break
                chunks.append(b)
        finally:
            d.close()
        return b"".join(chunks), check_code(self.reply(), 226, 250)

    def stor(self, cmd, data, mode="epsv"):
        """Runs an upload command (STOR/APPE/STOU); returns (preliminary
        Reply, final Reply)."""
        get = self.open_data(mode)
        pre = check_code(self.cmd(cmd), 125, 150)
        d = get()
        try:
            d.sendall(data)
        finally:
            d.close()
        return pre, check_code(self.reply(), 226, 250)

    def list(self, cmd="LIST", mode="epsv"):
        data, _ = self.retr(cmd, mode)
        return data.decode("utf-8", "replace")


def raw_session(server, host=None, source=None):
    return Raw(host or server.host, server.port, source=source)


# --------------------------------------------------------------------------
# The runner

def _alarm(signum, frame):
    raise TestTimeout("time limit exceeded")


def main():
    """Runs the calling module's test_* functions in file order."""
    mod = sys.modules["__main__"]
    tests = [(getattr(mod, n)) for n in dir(mod)
             if n.startswith("test_") and callable(getattr(mod, n))]
    tests = [t for t in tests if inspect.isfunction(t) and t.__module__ == mod.__name__]
    tests.sort(key=lambda t: t.__code__.co_firstlineno)
    sel = os.environ.get("FTPD_TESTS")
    if sel:
        tests = [t for t in tests if sel in t.__name__]
    signal.signal(signal.SIGALRM, _alarm)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    passed = failed = skipped = 0
    for t in tests:
        name = t.__name__
        del _live_servers[:]
        start = time.monotonic()
        signal.alarm(getattr(t, "time_limit", DEFAULT_LIMIT))
        try:
            t()
            signal.alarm(0)
            passed += 1
            print("PASS %s (%.1fs)" % (name, time.monotonic() - start), flush=True)
        except Skip as e:
            signal.alarm(0)
            skipped += 1
            print("SKIP %s: %s" % (name, e), flush=True)
        except BaseException as e:      # also TestTimeout, KeyboardInterrupt
            signal.alarm(0)
            if isinstance(e, KeyboardInterrupt):
                raise
            failed += 1
            reason = str(e).split("\n")[0] or type(e).__name__
            if not isinstance(e, Failure):
                reason = "%s: %s" % (type(e).__name__, reason)
            print("FAIL %s: %s" % (name, reason), flush=True)
            detail = traceback.format_exc()
            print("  " + detail.replace("\n", "\n  "), flush=True)
            for s in list(_live_servers):
                try:
                    s._cleanup(check_exit=False)
                except Exception:
                    pass
                print("  --- ftpd log (%s) ---" % s.log_path)
                print("  " + s.log_text()[-2500:].replace("\n", "\n  "), flush=True)
        finally:
            signal.alarm(0)
            for s in list(_live_servers):
                try:
                    s._cleanup(check_exit=False)
                except Exception:
                    pass
                if s.dir and not os.environ.get("FTPD_TEST_KEEP"):
                    shutil.rmtree(s.dir, ignore_errors=True)
            del _live_servers[:]
            if not os.environ.get("FTPD_TEST_KEEP"):
                for d in _temp_dirs:
                    shutil.rmtree(d, ignore_errors=True)
            del _temp_dirs[:]
    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    print(line, flush=True)
    if failed:
        sys.exit(1)
    if skipped and not passed:
        sys.exit(77)
    sys.exit(0)
