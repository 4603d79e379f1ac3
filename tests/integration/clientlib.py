"""clientlib.py: helpers for the ftp client's integration tests
(test_client_*.py; stdlib only).  harness.py runs the tests and starts our
ftpd; this module drives $FTP and provides the other servers.

API
---
Work()                      context manager: a temporary folder with
                            ``.path``, ``.home`` (HOME for the client, so no
                            history or netrc of the caller is touched) and
                            ``.sub(name)`` -> a new subfolder.
run_ftp(args, work, input=None, cwd=None, timeout=60, env=None) -> Result
                            runs $FTP; Result has ``.rc``, ``.out``,
                            ``.err`` (text) and ``.check_rc(n)``.
batch(server, work, lines, user=None, pw=None, args=(), cwd=None)
                            runs ``$FTP -n [args] HOST PORT`` with a
                            ``user`` line (when user is given) and lines
                            on stdin.
tree(path) -> {relpath: sha256 or "<dir>"}
file_sha(path)
Vsftpd(files=None, tls=None, implicit=False)
                            context manager: Debian's vsftpd fetched with
                            ``apt-get download vsftpd`` and ``dpkg -x`` into
                            a cache folder (once per run), started as root in
                            the foreground with a temporary config on
                            127.0.0.1 and a free port; anonymous login with
                            writes allowed under ``/up``.  ``.host``,
                            ``.port``, ``.root``, ``.up`` (the local path of
                            /up).  Skips the test (harness.skip) with the
                            reason when it cannot be fetched or started.
                            tls=(cert, key): FTPS required for login and
                            data (ssl_enable, force_*_ssl, require_ssl_reuse);
                            implicit=True: TLS from the first byte.
Proftpd(files=None, tls=None, protocols="TLSv1.2 TLSv1.3")
                            the same with Debian's installed proftpd
                            (proftpd-basic) and mod_tls: TLSRequired on,
                            session reuse required (the default).
Certs(path)                 a CA and certificates made with the openssl
                            command (see its docstring); ``fingerprint(pem)``
                            gives "SHA256:<base64>" as ftp prints it.
FakeServer(handler)         a scripted FTP server on 127.0.0.1 for hostile
                            cases (names, replies); see its docstring.
Pty(args, work, cwd)        the client under a pseudo-terminal:
                            ``.expect(bytes_or_regex, timeout)``,
                            ``.send(bytes)``, ``.close()`` -> exit status.
"""

import base64
import grp
import hashlib
import os
import pty
import pwd
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time

import harness

FTP = os.environ.get("FTP", "ftp")


# --------------------------------------------------------------------------
# Running the client

class Result:
    def __init__(self, rc, out, err, args):
        self.rc = rc
        self.out = out
        self.err = err
        self.args = args

    def check_rc(self, rc):
        harness.check(not re.search(r"Sanitizer|runtime error:", self.err),
                      "sanitizer report from ftp:\n%s" % self.err[-3000:])
        harness.check(self.rc == rc, "ftp %s exited %s, expected %s\nstdout:\n%s\n"
                      "stderr:\n%s" % (" ".join(self.args), self.rc, rc,
                                       self.out[-3000:], self.err[-3000:]))
        return self


class Work:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="ftp-it-")
        os.chmod(self.path, 0o755)
        self.home = os.path.join(self.path, "home")
        os.mkdir(self.home, 0o700)
        return self

    def sub(self, name):
        p = os.path.join(self.path, name)
        os.makedirs(p, exist_ok=True)
        os.chmod(p, 0o755)
        return p

    def __exit__(self, *a):
        if not os.environ.get("FTPD_TEST_KEEP"):
            shutil.rmtree(self.path, ignore_errors=True)
        return False


def client_env(work, env=None):
    e = dict(os.environ)
    e["HOME"] = work.home
    e.pop("NETRC", None)
    e["TERM"] = "xterm"
    if env:
        e.update(env)
    return e


def run_ftp(args, work, input=None, cwd=None, timeout=60, env=None):
    args = [str(a) for a in args]
    if isinstance(input, str):
        input = input.encode()
    r = subprocess.run([FTP] + args, input=input if input is not None else b"",
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       cwd=cwd or work.path, env=client_env(work, env), timeout=timeout)
    return Result(r.returncode, r.stdout.decode("utf-8", "replace"),
                  r.stderr.decode("utf-8", "replace"), args)


def batch(server, work, lines, user=None, pw=None, args=(), cwd=None, timeout=60):
    script = []
    if user is not None:
        script.append("user %s '%s'" % (user, pw))
    script += list(lines)
    return run_ftp(["-n"] + list(args) + [server.host, server.port], work,
                   input="\n".join(script) + "\n", cwd=cwd, timeout=timeout)


def file_sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tree(path):
    """{relative path: sha256, or "<dir>" for folders} below path."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(path):
        rel = os.path.relpath(dirpath, path)
        for d in dirnames:
            out[os.path.normpath(os.path.join(rel, d))] = "<dir>"
        for n in filenames:
            out[os.path.normpath(os.path.join(rel, n))] = file_sha(os.path.join(dirpath, n))
    return out


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# --------------------------------------------------------------------------
# A real server from Debian: vsftpd

_VSFTPD_CACHE = os.path.join(tempfile.gettempdir(), "ftpkit-it-vsftpd-%d" % os.getuid())


def vsftpd_binary():
    """Path of vsftpd, fetched from the Debian archive on first use, or
    raises harness.Skip with the reason."""
    binary = os.path.join(_VSFTPD_CACHE, "root", "usr", "sbin", "vsftpd")
    if os.access(binary, os.X_OK):
        return binary
    if os.geteuid() != 0:
        harness.skip("vsftpd needs root to start (chroot and privilege drop)")
    for tool in ("apt-get", "dpkg"):
        if not shutil.which(tool):
            harness.skip("%s not found: cannot fetch Debian's vsftpd" % tool)
    os.makedirs(_VSFTPD_CACHE, exist_ok=True)
    os.chmod(_VSFTPD_CACHE, 0o755)      # apt's _apt user may write here
    try:
        r = subprocess.run(["apt-get", "download", "vsftpd"], cwd=_VSFTPD_CACHE,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=180)
    except subprocess.TimeoutExpired:
        harness.skip("apt-get download vsftpd timed out")
    debs = [n for n in os.listdir(_VSFTPD_CACHE) if n.startswith("vsftpd_") and n.endswith(".deb")]
    if r.returncode != 0 or not debs:
        harness.skip("could not fetch vsftpd with apt-get download: %s" %
                     r.stderr.decode("utf-8", "replace").strip()[-300:])
    r = subprocess.run(["dpkg", "-x", os.path.join(_VSFTPD_CACHE, debs[0]),
                        os.path.join(_VSFTPD_CACHE, "root")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if r.returncode != 0 or not os.access(binary, os.X_OK):
        harness.skip("dpkg -x of %s failed: %r" % (debs[0], r.stderr[-300:]))
    return binary


def _anon_account():
    """An account for vsftpd's anonymous sessions whose home exists (vsftpd
    changes into it before its chroot)."""
    for name in ("ftp", "daemon", "bin"):
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            continue
        if os.path.isdir(pw.pw_dir):
            return pw
    harness.skip("no account with an existing home for vsftpd's anonymous user")


VSFTPD_CONF = """\
# written by clientlib.py for one test; see Vsftpd in clientlib.py
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port={port}
background=NO
anonymous_enable=YES
local_enable=NO
no_anon_password=YES
anon_root={root}
ftp_username={account}
write_enable=YES
anon_upload_enable=YES
anon_mkdir_write_enable=YES
anon_other_write_enable=YES
anon_umask=022
ascii_upload_enable=YES
ascii_download_enable=YES
allow_writeable_chroot=YES
secure_chroot_dir={empty}
seccomp_sandbox=NO
isolate_network=NO
isolate=NO
tcp_wrappers=NO
xferlog_enable=NO
vsftpd_log_file={log}
dual_log_enable=NO
"""


VSFTPD_TLS_CONF = """\
ssl_enable=YES
allow_anon_ssl=YES
force_anon_logins_ssl=YES
force_anon_data_ssl=YES
force_local_logins_ssl=YES
force_local_data_ssl=YES
require_ssl_reuse=YES
rsa_cert_file={cert}
rsa_private_key_file={key}
implicit_ssl={implicit}
"""


def _tls_greeting(host, port):
    """Reads the greeting of an implicit-TLS server (not verified)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection((host, port), timeout=2) as raw:
        with ctx.wrap_socket(raw) as s:
            s.settimeout(3)
            return s.recv(64)


class Vsftpd:
    """vsftpd 3 from Debian on 127.0.0.1, anonymous, /up writable;
    with tls=(cert, key) FTPS is required (implicit=True: TLS at once)."""

    def __init__(self, files=None, tls=None, implicit=False):
        self.files = files
        self.tls = tls
        self.implicit = implicit
        self.proc = None
        self.dir = None
        self.host = "127.0.0.1"

    def __enter__(self):
        binary = vsftpd_binary()
        acct = _anon_account()
        self.dir = tempfile.mkdtemp(prefix="ftp-it-vsftpd-")
        os.chmod(self.dir, 0o755)
        self.root = os.path.join(self.dir, "root")
        self.up = os.path.join(self.root, "up")
        empty = os.path.join(self.dir, "empty")
        for p in (self.root, self.up, empty):
            os.mkdir(p)
            os.chmod(p, 0o755)
        harness.write_tree(self.root, self.files)
        for dirpath, dirnames, filenames in os.walk(self.up):
            os.chown(dirpath, acct.pw_uid, acct.pw_gid)
            for n in filenames:
                os.chown(os.path.join(dirpath, n), acct.pw_uid, acct.pw_gid)
        last = ""
        for _ in range(5):      # the free port may be taken meanwhile
            self.port = free_port()
            conf = os.path.join(self.dir, "vsftpd.conf")
            with open(conf, "w") as f:
                f.write(VSFTPD_CONF.format(port=self.port, root=self.root, account=acct.pw_name,
                                           empty=empty, log=os.path.join(self.dir, "vsftpd.log")))
                if self.tls:
                    f.write(VSFTPD_TLS_CONF.format(cert=self.tls[0], key=self.tls[1],
                                                   implicit="YES" if self.implicit else "NO"))
            out = open(os.path.join(self.dir, "vsftpd.out"), "wb")
            self.proc = subprocess.Popen([binary, conf], stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=out, cwd=self.dir)
            out.close()
            if self._wait_ready():
                return self
            self._stop()
            with open(os.path.join(self.dir, "vsftpd.out"), "rb") as f:
                last = f.read().decode("utf-8", "replace")
        shutil.rmtree(self.dir, ignore_errors=True)
        harness.skip("vsftpd would not start: %s" % last.strip()[-300:])

    def _wait_ready(self):
        end = time.monotonic() + 5
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                return False
            try:
                if self.implicit:
                    if _tls_greeting(self.host, self.port).startswith(b"220"):
                        return True
                else:
                    with socket.create_connection((self.host, self.port), timeout=2) as s:
                        s.settimeout(3)
                        if s.recv(64).startswith(b"220"):
                            return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def _stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def __exit__(self, *a):
        self._stop()
        if not os.environ.get("FTPD_TEST_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)
        return False


# --------------------------------------------------------------------------
# Another real server from Debian: proftpd (package proftpd-basic)

PROFTPD_CONF = """\
# written by clientlib.py for one test; see Proftpd in clientlib.py
ServerType standalone
ServerName "proftpd under test"
DefaultServer on
Port {port}
DefaultAddress 127.0.0.1
SocketBindTight on
UseIPv6 off
User {account}
Group {group}
PidFile {dir}/proftpd.pid
ScoreboardFile {dir}/proftpd.scoreboard
DelayTable none
WtmpLog off
TransferLog none
SystemLog {dir}/proftpd.log
UseReverseDNS off
RequireValidShell off
MaxInstances 30
Umask 022
AllowOverwrite on
ModulePath /usr/lib/proftpd
{tls}
<Anonymous {root}>
  User {account}
  Group {group}
  UserAlias anonymous {account}
  RequireValidShell off
  <Limit WRITE>
    DenyAll
  </Limit>
  <Directory {root}/up>
    <Limit WRITE>
      AllowAll
    </Limit>
  </Directory>
</Anonymous>
"""

PROFTPD_TLS = """\
LoadModule mod_tls.c
<IfModule mod_tls.c>
  TLSEngine on
  TLSRequired on
  TLSProtocol {protocols}
  TLSRSACertificateFile {cert}
  TLSRSACertificateKeyFile {key}
  TLSVerifyClient off
  TLSLog {dir}/tls.log
  TLSOptions EnableDiags
</IfModule>
"""


class Proftpd:
    """Debian's proftpd on 127.0.0.1 (run as root in the foreground):
    anonymous, /up writable; tls=(cert, key) loads mod_tls with
    TLSRequired on and the default session-reuse requirement."""

    def __init__(self, files=None, tls=None, protocols="TLSv1.2 TLSv1.3"):
        self.files = files
        self.tls = tls
        self.protocols = protocols
        self.proc = None
        self.dir = None
        self.host = "127.0.0.1"

    def __enter__(self):
        binary = shutil.which("proftpd") or "/usr/sbin/proftpd"
        if not os.access(binary, os.X_OK):
            harness.skip("proftpd is not installed (package proftpd-basic)")
        if os.geteuid() != 0:
            harness.skip("proftpd needs root to start (chroot and privilege drop)")
        if self.tls and not os.path.exists("/usr/lib/proftpd/mod_tls.so"):
            harness.skip("proftpd's mod_tls is missing")
        acct = _anon_account()
        group = grp.getgrgid(acct.pw_gid).gr_name
        self.dir = tempfile.mkdtemp(prefix="ftp-it-proftpd-")
        os.chmod(self.dir, 0o755)
        self.root = os.path.join(self.dir, "root")
        self.up = os.path.join(self.root, "up")
        for p in (self.root, self.up):
            os.mkdir(p)
            os.chmod(p, 0o755)
        harness.write_tree(self.root, self.files)
        for dirpath, dirnames, filenames in os.walk(self.up):
            os.chown(dirpath, acct.pw_uid, acct.pw_gid)
            for n in filenames:
                os.chown(os.path.join(dirpath, n), acct.pw_uid, acct.pw_gid)
        last = ""
        for _ in range(5):
            self.port = free_port()
            tls = ""
            if self.tls:
                tls = PROFTPD_TLS.format(protocols=self.protocols, cert=self.tls[0],
                                         key=self.tls[1], dir=self.dir)
            conf = os.path.join(self.dir, "proftpd.conf")
            with open(conf, "w") as f:
                f.write(PROFTPD_CONF.format(port=self.port, account=acct.pw_name, group=group,
                                            dir=self.dir, root=self.root, tls=tls))
            out = open(os.path.join(self.dir, "proftpd.out"), "wb")
            self.proc = subprocess.Popen([binary, "-n", "-q", "-c", conf],
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                         cwd=self.dir)
            out.close()
            if self._wait_ready():
                return self
            self._stop()
            with open(os.path.join(self.dir, "proftpd.out"), "rb") as f:
                last = f.read().decode("utf-8", "replace")
        shutil.rmtree(self.dir, ignore_errors=True)
        harness.skip("proftpd would not start: %s" % last.strip()[-300:])

    def log_text(self):
        out = ""
        for n in ("proftpd.out", "proftpd.log", "tls.log"):
            try:
                with open(os.path.join(self.dir, n), "rb") as f:
                    out += "--- %s\n%s" % (n, f.read().decode("utf-8", "replace")[-3000:])
            except OSError:
                pass
        return out

    _wait_ready = Vsftpd._wait_ready
    _stop = Vsftpd._stop
    implicit = False

    def __exit__(self, *a):
        self._stop()
        if not os.environ.get("FTPD_TEST_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)
        return False


# --------------------------------------------------------------------------
# Certificates made at test time

class Certs:
    """CA and server certificates made with the openssl command in path:
    ``ca`` (cert, key) a test CA; ``good`` for localhost and 127.0.0.1
    signed by it; ``wrong_host`` signed by it for other.example only;
    ``other_ca`` a second CA nobody trusts and ``unknown_ca`` a localhost
    certificate from it; ``self_a`` and ``self_b`` two self-signed
    localhost certificates.  Each is a (cert.pem, key.pem) pair readable by
    the servers.  Skips the test when openssl is missing."""

    def __init__(self, path):
        if not shutil.which("openssl"):
            harness.skip("the openssl command is needed to make certificates")
        self.path = path
        self.ca = self._ca("ca", "ftpkit test CA")
        self.other_ca = self._ca("other_ca", "untrusted test CA")
        self.good = self._leaf("good", "localhost", "DNS:localhost,IP:127.0.0.1", self.ca)
        self.wrong_host = self._leaf("wrong_host", "other.example", "DNS:other.example",
                                     self.ca)
        self.unknown_ca = self._leaf("unknown_ca", "localhost", "DNS:localhost,IP:127.0.0.1",
                                     self.other_ca)
        self.self_a = self._leaf("self_a", "localhost", "DNS:localhost,IP:127.0.0.1", None)
        self.self_b = self._leaf("self_b", "localhost", "DNS:localhost,IP:127.0.0.1", None)

    def _run(self, args):
        r = subprocess.run(["openssl"] + args, cwd=self.path, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        if r.returncode != 0:
            raise harness.Failure("openssl %s: %s" % (" ".join(args),
                                                     r.stderr.decode("utf-8", "replace")))

    def _files(self, name):
        return (os.path.join(self.path, name + ".pem"), os.path.join(self.path, name + ".key"))

    def _ca(self, name, cn):
        cert, key = self._files(name)
        self._run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                   "-out", cert, "-days", "30", "-subj", "/CN=" + cn,
                   "-addext", "basicConstraints=critical,CA:TRUE",
                   "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        return cert, key

    def _leaf(self, name, cn, san, ca):
        cert, key = self._files(name)
        ext = os.path.join(self.path, name + ".ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\n"
                    "keyUsage=digitalSignature,keyEncipherment\n"
                    "extendedKeyUsage=serverAuth\n" % san)
        if ca is None:
            self._run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                       "-out", cert, "-days", "30", "-subj", "/CN=" + cn,
                       "-addext", "subjectAltName=" + san])
        else:
            csr = os.path.join(self.path, name + ".csr")
            self._run(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                       "-out", csr, "-subj", "/CN=" + cn])
            self._run(["x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1],
                       "-CAcreateserial", "-out", cert, "-days", "30", "-extfile", ext])
        os.chmod(cert, 0o644)
        os.chmod(key, 0o644)    # test keys: the servers' accounts read them
        return cert, key


def fingerprint(cert_pem):
    """"SHA256:<unpadded base64>" of the certificate, as ftp shows it."""
    with open(cert_pem) as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())
    return "SHA256:" + base64.b64encode(hashlib.sha256(der).digest()).decode().rstrip("=")


# --------------------------------------------------------------------------
# A scripted server for hostile cases

class FakeServer:
    """A one-session FTP server in a thread.  handler(cmd, arg, srv) returns
    the reply text (str, may hold several "\\r\\n"-separated lines) or None
    for the default answer.  srv.data(payload) serves payload on the next
    passive data connection (EPSV/PASV are answered by the server; PASV's
    227 names srv.pasv_lie as the address when set).  Every command line
    received is kept in srv.log."""

    def __init__(self, handler, pasv_lie=None, epsv=True):
        self.handler = handler
        self.pasv_lie = pasv_lie
        self.epsv = epsv
        self.log = []
        self.host = "127.0.0.1"
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.bind((self.host, 0))
        self.lsock.listen(4)
        self.port = self.lsock.getsockname()[1]
        self.dsock = None
        self._payload = b""
        self.stored = {}
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *a):
        self._stop = True
        try:
            self.lsock.close()
        except OSError:
            pass
        self.thread.join(5)
        return False

    def data(self, payload):
        self._payload = payload

    def _open_pasv(self):
        if self.dsock:
            self.dsock.close()
        self.dsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.dsock.bind((self.host, 0))
        self.dsock.listen(1)
        self.dsock.settimeout(10)
        return self.dsock.getsockname()[1]

    def _run(self):
        self.lsock.settimeout(20)
        try:
            c, _ = self.lsock.accept()
        except OSError:
            return
        c.settimeout(20)
        f = c.makefile("rb")
        c.sendall(b"220 fake ready\r\n")
        end = time.monotonic() + 30
        while not self._stop and time.monotonic() < end:
            try:
                line = f.readline()
            except OSError:
                break
            if not line:
                break
            text = line.decode("latin-1").rstrip("\r\n")
            self.log.append(text)
            cmd, _, arg = text.partition(" ")
            cmd = cmd.upper()
            rep = self.handler(cmd, arg, self)
            if rep is None:
                rep = self._default(cmd, arg, c)
            if rep:
                c.sendall(rep.encode("latin-1") + b"\r\n")
            if cmd == "QUIT":
                break
        c.close()

    def _send_data(self, c, payload):
        try:
            d, _ = self.dsock.accept()
        except OSError:
            return "425 no data connection"
        c.sendall(b"150 here it comes\r\n")
        d.sendall(payload)
        d.close()
        return "226 done"

    def _default(self, cmd, arg, c):
        if cmd == "USER":
            return "331 password please"
        if cmd == "PASS":
            return "230 logged in"
        if cmd == "FEAT":
            return "211-Features:\r\n MLST type*;size*;modify*;\r\n SIZE\r\n MDTM\r\n211 End"
        if cmd == "TYPE":
            return "200 ok"
        if cmd == "EPSV":
            if not self.epsv:
                return "500 EPSV not understood"
            return "229 Entering Extended Passive Mode (|||%d|)" % self._open_pasv()
        if cmd == "PASV":
            port = self._open_pasv()
            host = (self.pasv_lie or self.host).replace(".", ",")
            return "227 Entering Passive Mode (%s,%d,%d)" % (host, port >> 8, port & 255)
        if cmd in ("RETR", "LIST", "NLST", "MLSD"):
            return self._send_data(c, self._payload)
        if cmd == "STOR":
            try:
                d, _ = self.dsock.accept()
            except OSError:
                return "425 no data connection"
            c.sendall(b"150 send it\r\n")
            chunks = []
            while True:
                b = d.recv(65536)
                if not b:
                    break
                chunks.append(b)
            d.close()
            self.stored[arg] = b"".join(chunks)
            return "226 stored"
        if cmd == "PWD":
            return '257 "/" is here'
        if cmd in ("CWD", "CDUP"):
            return "250 ok"
        if cmd == "SIZE":
            return "550 no size"
        if cmd == "MDTM":
            return "550 no time"
        if cmd == "QUIT":
            return "221 bye"
        return "502 not implemented"


# --------------------------------------------------------------------------
# The client under a pseudo-terminal

class Pty:
    def __init__(self, args, work, cwd=None, env=None):
        self.buf = b""
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.chdir(cwd or work.path)
                os.execve(FTP, [FTP] + [str(a) for a in args], client_env(work, env))
            finally:
                os._exit(127)

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        os.write(self.fd, data)

    def expect(self, what, timeout=10):
        """Waits for bytes (or a compiled regex) in the output; returns the
        output up to and including the match and consumes it."""
        end = time.monotonic() + timeout
        while True:
            if isinstance(what, bytes):
                i = self.buf.find(what)
                if i >= 0:
                    out = self.buf[:i + len(what)]
                    self.buf = self.buf[i + len(what):]
                    return out
            else:
                m = what.search(self.buf)
                if m:
                    out = self.buf[:m.end()]
                    self.buf = self.buf[m.end():]
                    return out
            left = end - time.monotonic()
            if left <= 0:
                raise harness.Failure("timed out waiting for %r; screen ends with %r" %
                                      (what, self.buf[-600:]))
            r, _, _ = select.select([self.fd], [], [], min(left, 0.2))
            if r:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise harness.Failure("the client ended while waiting for %r; output %r"
                                          % (what, self.buf[-600:]))
                self.buf += chunk

    def close(self, timeout=10):
        """Waits for the client to exit (kills it after timeout); returns
        its exit status (negative for a signal)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                r, _, _ = select.select([self.fd], [], [], 0.1)
                if r:
                    os.read(self.fd, 65536)
            except OSError:
                pass
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(st)
        os.kill(self.pid, signal.SIGKILL)
        _, st = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(st)

