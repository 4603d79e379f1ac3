"""servers.py: the FTP servers bench/run measures, each started as root in
the foreground on 127.0.0.1 with a temporary configuration, serving the
same tmpfs root to anonymous users (downloads from /, uploads into
/incoming).  Ours is the built ftpd; the peers are Debian's vsftpd,
pure-ftpd and proftpd, taken from the system when installed, otherwise
fetched with `apt-get download` and unpacked with `dpkg -x` into a cache
folder (BENCH_CACHE, default /tmp/ftpkit-bench-cache)."""

import glob
import os
import re
import signal
import socket
import subprocess
import time

from benchlib import BenchError, log, run, tree

START_TIMEOUT = 15


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def control_lines(port, cmds, timeout=5):
    """Greeting plus the replies to cmds, as text (for FEAT checks)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    data = b""
    try:
        for c in [None] + list(cmds):
            if c:
                s.sendall(c.encode() + b"\r\n")
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                chunk = s.recv(65536)
                if not chunk:
                    return data.decode(errors="replace")
                data += chunk
                last = data.rstrip(b"\r\n").split(b"\n")[-1]
                if re.match(rb"^\d{3} ", last):
                    break
    finally:
        s.close()
    return data.decode(errors="replace")


class Server:
    name = "?"
    upload_vdir = "/incoming"

    def __init__(self, work, root, cert):
        self.work, self.root, self.cert = work, root, cert
        self.proc = None
        self.port = None
        self.tls = False
        self.tls_note = ""
        self.version = "?"
        self.logf = None

    def argv(self):
        raise NotImplementedError

    def start(self):
        self.port = self.port or free_port()
        argv = self.argv()
        self.logf = open(os.path.join(self.work, self.name + ".log"), "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=self.logf, stderr=self.logf,
                                     start_new_session=True)
        self.wait_ready()
        feat = control_lines(self.port, ["FEAT", "QUIT"])
        self.feat = feat
        self.check_tls(feat)

    def wait_ready(self):
        end = time.monotonic() + START_TIMEOUT
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise BenchError("%s exited at start: %s" % (
                    self.name, self.log_tail()))
            try:
                if control_lines(self.port, []).startswith("220"):
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise BenchError("%s did not answer in %d s" % (self.name,
                                                         START_TIMEOUT))

    def check_tls(self, feat):
        self.tls = "AUTH TLS" in feat
        if not self.tls:
            self.tls_note = "TLS not set up for this server"

    def log_tail(self):
        try:
            return open(os.path.join(self.work, self.name + ".log"),
                        errors="replace").read()[-600:]
        except OSError:
            return ""

    def pid(self):
        return self.proc.pid

    def procs(self):
        return tree(self.pid())

    def stop(self):
        if self.proc is None:
            return
        family = tree(self.proc.pid)
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        # Sessions may live in their own process groups.
        for p in family[1:]:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc = None
        if self.logf:
            self.logf.close()


class Ours(Server):
    """The built ftpd.  Extra -o options from BENCH_FTPD_OPTS (space
    separated key=value); TLS options are guessed from the config keys
    ftpd/conf.c defines (a key naming a certificate or a private key)."""
    name = "ftpd"

    def __init__(self, work, root, cert, build, srcdir, name="ftpd"):
        Server.__init__(self, work, root, cert)
        self.name = name
        self.bin = os.path.join(build, "ftpd", "ftpd")
        if not os.access(self.bin, os.X_OK):
            raise BenchError("no %s: build first" % self.bin)
        self.srcdir = srcdir
        out = subprocess.run([self.bin, "--version"], capture_output=True,
                             text=True)
        self.version = (out.stdout or out.stderr).strip().split("\n")[0]

    def tls_opts(self):
        try:
            src = open(os.path.join(self.srcdir, "ftpd", "conf.c")).read()
        except OSError:
            return []
        keys = re.findall(r'K\("(\w+)"', src)
        opts = []
        for k in keys:
            if "cert" in k and "ca" not in k.split("_"):
                opts.append("%s=%s" % (k, self.cert[0]))
            elif re.search(r"(^|_)(tls|ssl)_?key(_file)?$|private_key", k):
                opts.append("%s=%s" % (k, self.cert[1]))
        return opts

    def base_opts(self):
        return ["listen=127.0.0.1:0", "anon_root=" + self.root,
                "anon_upload_dir=" + self.upload_vdir,
                "max_clients=3000", "max_per_ip=3000",
                "empty_dir=" + os.path.join(self.work, "empty-" + self.name)]

    def argv(self):
        opts = self.base_opts() + self.tls_opts()
        opts += os.environ.get("BENCH_FTPD_OPTS", "").split()
        # Drop options this build does not know (ftpd -t says which).
        for _ in range(10):
            argv = [self.bin, "-f", "/dev/null"]
            for o in opts:
                argv += ["-o", o]
            r = subprocess.run(argv + ["-t"], capture_output=True,
                               text=True)
            if r.returncode == 0:
                return argv
            bad = [o for o in opts if o.split("=")[0] in r.stderr
                   and o not in self.base_opts()]
            if not bad:
                raise BenchError("ftpd -t: " + r.stderr.strip())
            opts = [o for o in opts if o not in bad]
        raise BenchError("ftpd -t keeps failing")

    def start(self):
        self.logf = open(os.path.join(self.work, self.name + ".log"), "wb")
        self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE,
                                     start_new_session=True)
        end = time.monotonic() + START_TIMEOUT
        while time.monotonic() < end:
            line = self.proc.stderr.readline().decode(errors="replace")
            if not line:
                break
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                break
        if self.port is None:
            raise BenchError("ftpd did not start")
        # Keep draining its log into a file so it never blocks.
        self.drain = subprocess.Popen(["cat"], stdin=self.proc.stderr,
                                      stdout=self.logf)
        self.proc.stderr.close()
        self.wait_ready()
        self.feat = control_lines(self.port, ["FEAT", "QUIT"])
        self.tls = "AUTH TLS" in self.feat
        if not self.tls:
            self.tls_note = "TLS not available in this build"

    def stop(self):
        Server.stop(self)
        if getattr(self, "drain", None):
            self.drain.wait(timeout=10)


class Vsftpd(Server):
    name = "vsftpd"

    def __init__(self, work, root, cert, binpath):
        Server.__init__(self, work, root, cert)
        self.bin = binpath
        # vsftpd -v writes its version to descriptor 0 (inetd style).
        a, b = socket.socketpair()
        subprocess.run([binpath, "-v"], stdin=b, capture_output=True,
                       timeout=10)
        b.close()
        a.settimeout(2)
        try:
            text = a.recv(200).decode(errors="replace")
        except OSError:
            text = ""
        a.close()
        m = re.search(r"version\s+(\S+)", text)
        self.version = "vsftpd " + (m.group(1) if m else "?")

    def argv(self):
        empty = os.path.join(self.work, "empty-vsftpd")
        os.makedirs(empty, exist_ok=True)
        conf = os.path.join(self.work, "vsftpd.conf")
        with open(conf, "w") as f:
            f.write("\n".join([
                "listen=YES", "listen_ipv6=NO", "listen_address=127.0.0.1",
                "listen_port=%d" % self.port, "background=NO",
                "anonymous_enable=YES", "no_anon_password=YES",
                "anon_root=" + self.root, "local_enable=NO",
                "write_enable=YES", "anon_upload_enable=YES",
                "ftp_username=ftp", "secure_chroot_dir=" + empty,
                "max_clients=0", "max_per_ip=0", "xferlog_enable=NO",
                "dirmessage_enable=NO", "use_localtime=NO",
                "idle_session_timeout=900",
                "ssl_enable=YES", "allow_anon_ssl=YES",
                "force_anon_logins_ssl=NO", "force_anon_data_ssl=NO",
                "rsa_cert_file=" + self.cert[0],
                "rsa_private_key_file=" + self.cert[1],
                "ssl_ciphers=HIGH", ""]))
        return [self.bin, conf]


class PureFtpd(Server):
    """pure-ftpd serves anonymous users from the ftp account's home, so it
    runs in a private mount namespace with the root bound onto that."""
    name = "pure-ftpd"

    def __init__(self, work, root, cert, binpath):
        Server.__init__(self, work, root, cert)
        self.bin = binpath
        out = subprocess.run([binpath, "--help"], capture_output=True,
                             text=True)
        m = re.search(r"v(\d[\w.]*)", out.stdout + out.stderr)
        self.version = "pure-ftpd " + (m.group(1) if m else "?")
        import pwd
        self.home = pwd.getpwnam("ftp").pw_dir
        if not os.path.isdir(self.home):
            raise BenchError("pure-ftpd: ftp's home %s is missing"
                             % self.home)

    def argv(self):
        cmd = ("mount --make-rprivate / && mount --bind '%s' '%s' && "
               "exec '%s' -S 127.0.0.1,%d -e -H -A -c 3000 -C 3000 "
               "-I 900 -Y 1 -2 '%s,%s'") % (
                   self.root, self.home, self.bin, self.port,
                   self.cert[0], self.cert[1])
        return ["unshare", "-m", "sh", "-c", cmd]


class Proftpd(Server):
    name = "proftpd"

    def __init__(self, work, root, cert, binpath, moddir):
        Server.__init__(self, work, root, cert)
        self.bin, self.moddir = binpath, moddir
        out = subprocess.run([binpath, "-v"], capture_output=True,
                             text=True)
        m = re.search(r"Version\s+(\S+)", out.stdout + out.stderr)
        self.version = "proftpd " + (m.group(1) if m else "?")

    def argv(self):
        conf = os.path.join(self.work, "proftpd.conf")
        tls = os.path.exists(os.path.join(self.moddir, "mod_tls.so"))
        lines = [
            "ServerType standalone", "DefaultServer on",
            "ServerName bench", "Port %d" % self.port,
            "DefaultAddress 127.0.0.1", "SocketBindTight on",
            "UseIPv6 off", "UseReverseDNS off", "User nobody",
            "Group nogroup", "MaxInstances 3000",
            "PidFile " + os.path.join(self.work, "proftpd.pid"),
            "ScoreboardFile " + os.path.join(self.work, "proftpd.score"),
            "DelayEngine off", "WtmpLog off", "TransferLog none",
            "RequireValidShell off", "TimeoutIdle 900",
            "ModulePath " + self.moddir,
            "<Anonymous %s>" % self.root, "  User ftp", "  Group nogroup",
            "  UserAlias anonymous ftp", "  RequireValidShell off",
            "  MaxClients none",
            "  <Directory %s/incoming>" % self.root,
            "    <Limit STOR>", "      AllowAll", "    </Limit>",
            "  </Directory>", "</Anonymous>"]
        if tls:
            lines += [
                "LoadModule mod_tls.c", "TLSEngine on",
                "TLSProtocol TLSv1.2 TLSv1.3", "TLSRequired off",
                "TLSRSACertificateFile " + self.cert[0],
                "TLSRSACertificateKeyFile " + self.cert[1],
                "TLSVerifyClient off"]
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        return [self.bin, "-n", "-q", "-c", conf]


def fetch_debs(cache, pkgs):
    """apt-get download + dpkg -x of pkgs into cache/root (once)."""
    os.makedirs(cache, exist_ok=True)
    xroot = os.path.join(cache, "root")
    need = [p for p in pkgs if not glob.glob(os.path.join(cache, p + "_*.deb"))]
    if need:
        log("fetching " + " ".join(need))
        try:
            run(["apt-get", "download"] + need, timeout=300, cwd=cache)
        except BenchError as e:
            log("apt-get download failed: %s" % e)
    for deb in glob.glob(os.path.join(cache, "*.deb")):
        stamp = deb + ".unpacked"
        if not os.path.exists(stamp):
            run(["dpkg", "-x", deb, xroot])
            open(stamp, "w").close()
    return xroot


def peers(work, root, cert):
    """The peer servers available here (a list), with a note for each
    missing one."""
    cache = os.environ.get("BENCH_CACHE", "/tmp/ftpkit-bench-cache")
    wanted = {"vsftpd": "/usr/sbin/vsftpd", "pure-ftpd": "/usr/sbin/pure-ftpd",
              "proftpd": "/usr/sbin/proftpd"}
    missing = [n for n, p in wanted.items() if not os.access(p, os.X_OK)]
    xroot = None
    if missing and os.environ.get("BENCH_NO_FETCH") != "1":
        pkgs = [{"proftpd": "proftpd-core"}.get(n, n) for n in missing]
        xroot = fetch_debs(cache, pkgs)
    out, notes = [], []

    def path(n):
        if os.access(wanted[n], os.X_OK):
            return wanted[n]
        if xroot and os.access(xroot + wanted[n], os.X_OK):
            return xroot + wanted[n]
        notes.append("%s: not installed and not fetched" % n)
        return None

    only = os.environ.get("BENCH_SERVERS")
    want = set(only.split(",")) if only else None
    for n in ("vsftpd", "pure-ftpd", "proftpd"):
        if want is not None and n not in want:
            continue
        p = path(n)
        if p is None:
            continue
        try:
            if n == "vsftpd":
                out.append(Vsftpd(work, root, cert, p))
            elif n == "pure-ftpd":
                out.append(PureFtpd(work, root, cert, p))
            else:
                moddir = "/usr/lib/proftpd"
                if not p.startswith("/usr/sbin"):
                    moddir = xroot + moddir
                out.append(Proftpd(work, root, cert, p, moddir))
        except BenchError as e:
            notes.append(str(e))
    return out, notes


def pwd_uid(name):
    import pwd
    return pwd.getpwnam(name).pw_uid
