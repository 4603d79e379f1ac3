#!/usr/bin/env python3
"""test_client_tls.py: the client's FTPS (RFC 4217).

Against real TLS servers from Debian, with a CA and certificates made by
the openssl command at test time (clientlib.Certs): vsftpd with
ssl_enable, force_*_ssl and require_ssl_reuse=YES (explicit and
implicit), and proftpd with mod_tls, TLSRequired on and its default
session-reuse requirement (TLS 1.2 and TLS 1.3): LIST, RETR, STOR, active
mode, mirror both ways with parallel connections, all checked by
checksum.  Then the certificate checks: a wrong host name and an unknown
CA are refused (exit 5) unless --insecure (which says so) or a matching
--fingerprint; trust on first use through the known-hosts file (the
question on a terminal, never in batch mode) and a changed certificate
refused loudly.  Failing closed: --tls against servers that refuse AUTH
TLS or PROT P, text injected after 234, ftps:// against a plain server.
Last, our client against our ftpd over TLS when ftpd offers AUTH TLS
(skipped with the reason until it does)."""

import atexit
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time

import harness
from harness import check, check_eq, limit
import clientlib
from clientlib import (Certs, FakeServer, Proftpd, Pty, Vsftpd, Work, batch, file_sha,
                       fingerprint, run_ftp, tree)

PROMPT = b"ftp> "
_certs = None


def certs():
    """The test certificates, made once per run (in a 0755 folder so the
    servers' accounts can read them)."""
    global _certs
    if _certs is None:
        path = tempfile.mkdtemp(prefix="ftp-it-certs-")
        os.chmod(path, 0o755)
        if not os.environ.get("FTPD_TEST_KEEP"):
            atexit.register(shutil.rmtree, path, True)
        _certs = Certs(path)
    return _certs


def server_files():
    return {"pub": {"big.bin": harness.pattern_bytes(3 * 1024 * 1024 + 17, 3),
                    "small.txt": b"small\n",
                    "d": {"x%d.bin" % i: harness.pattern_bytes(30000 * i + 5, 10 + i)
                          for i in range(5)}}}


def local_files():
    return {"local.bin": harness.pattern_bytes(1024 * 1024 + 3, 50),
            "tree": {"t%d.bin" % i: harness.pattern_bytes(20000 * i + 1, 60 + i) for i in range(6)}}


def check_session(r, srv, cwd, remote_up):
    """What the TRANSFER_SCRIPT below must have produced."""
    r.check_rc(0)
    check("big.bin" in r.out and "small.txt" in r.out, "LIST output:\n" + r.out)
    check_eq(file_sha(os.path.join(cwd, "big.back")),
             file_sha(os.path.join(srv.root, "pub", "big.bin")), "RETR over TLS")
    check_eq(file_sha(os.path.join(remote_up, "up.bin")),
             file_sha(os.path.join(cwd, "local.bin")), "STOR over TLS")
    check_eq(tree(os.path.join(remote_up, "tree")), tree(os.path.join(cwd, "tree")),
             "mirror -R -P 3 over TLS")
    check_eq(tree(os.path.join(cwd, "d.back")), tree(os.path.join(srv.root, "pub", "d")),
             "mirror -P 3 over TLS")


TRANSFER_SCRIPT = ["user anonymous x@", "ls /pub", "get /pub/big.bin big.back", "cd /up",
                   "put local.bin up.bin", "mirror -R -P 3 tree tree",
                   "mirror -P 3 /pub/d d.back"]


def ls_run(srv, w, args, host=None, user="anonymous"):
    """--tls login and LIST; returns the Result (with -d, so a USER sent
    before the certificate was accepted would show)."""
    return run_ftp(["-d", "-n"] + list(args) + [host or srv.host, srv.port], w,
                   input="user %s x@\nls /pub\n" % user, timeout=60)


def refused(r, what):
    r.check_rc(5)
    check("---> USER" not in r.out, "%s: nothing may be sent after an untrusted "
          "handshake:\n%s" % (what, r.out))
    check("small.txt" not in r.out, "%s: no listing:\n%s" % (what, r.out))


# --------------------------------------------------------------------------
# Real servers

@limit(240)
def test_vsftpd_explicit_tls():
    c = certs()
    with Vsftpd(server_files(), tls=c.good) as v, Work() as w:
        cwd = w.sub("c")
        harness.write_tree(cwd, local_files())
        r = batch(v, w, TRANSFER_SCRIPT, args=["--tls", "--cacert", c.ca[0], "-v"], cwd=cwd,
                  timeout=180)
        check_session(r, v, cwd, v.up)
        # verbose mode: version, cipher, subject, fingerprint, how trusted
        check(re.search(r"^TLS: TLSv1\.[23], cipher \S+", r.out, re.M), "TLS line:\n" + r.out)
        check("Certificate: CN=localhost" in r.out, "subject:\n" + r.out)
        check("fingerprint: %s" % fingerprint(c.good[0]) in r.out, "fingerprint:\n" + r.out)
        check("verified (trusted CA" in r.out, "trust:\n" + r.out)
        # data connections resume the control session (vsftpd requires it)
        r = batch(v, w, ["user anonymous x@", "ls /pub", "status"],
                  args=["--tls", "--cacert", c.ca[0], "-d"])
        r.check_rc(0)
        check("Data connection: TLSv1" in r.out and "TLS session resumed" in r.out,
              "debug shows the resumed data session:\n" + r.out)
        check("data connections protected (PROT P)" in r.out, "status:\n" + r.out)
        # active mode over TLS too
        r = batch(v, w, ["user anonymous x@", "get /pub/d/x3.bin act.bin"],
                  args=["--tls", "--cacert", c.ca[0], "-A"], cwd=cwd).check_rc(0)
        check_eq(file_sha(os.path.join(cwd, "act.bin")),
                 file_sha(os.path.join(v.root, "pub", "d", "x3.bin")), "active RETR over TLS")
        # an ftp:// URL under --tls and an ftpes:// URL: explicit TLS
        dl = w.sub("dl")
        run_ftp(["--tls", "--cacert", c.ca[0], "ftp://%s:%d/pub/small.txt" % (v.host, v.port)],
                w, cwd=dl).check_rc(0)
        run_ftp(["--cacert", c.ca[0], "-o", "x1.bin",
                 "ftpes://%s:%d/pub/d/x1.bin" % (v.host, v.port)], w, cwd=dl).check_rc(0)
        check_eq(open(os.path.join(dl, "small.txt"), "rb").read(), b"small\n", "ftp:// --tls")
        check_eq(file_sha(os.path.join(dl, "x1.bin")),
                 file_sha(os.path.join(v.root, "pub", "d", "x1.bin")), "ftpes://")
        # the shell: open --tls, and open with an ftpes:// folder URL
        r = run_ftp(["-n", "--cacert", c.ca[0]], w, input=(
            "open --tls %s %d\nuser anonymous x@\nls /pub\nclose\n"
            "open ftpes://%s:%d/pub/d/\nls\n" % (v.host, v.port, v.host, v.port))).check_rc(0)
        check("small.txt" in r.out and "x4.bin" in r.out, "listings after open:\n" + r.out)
        # the same server refuses a login without TLS: TLS was really used
        batch(v, w, ["user anonymous x@", "ls /pub"]).check_rc(2)


@limit(120)
def test_vsftpd_implicit_ftps_urls():
    c = certs()
    with Vsftpd(server_files(), tls=c.good, implicit=True) as v, Work() as w:
        dl = w.sub("dl")
        url = "ftps://%s:%d/pub/big.bin" % (v.host, v.port)
        run_ftp(["--cacert", c.ca[0], url], w, cwd=dl).check_rc(0)
        check_eq(file_sha(os.path.join(dl, "big.bin")),
                 file_sha(os.path.join(v.root, "pub", "big.bin")), "ftps:// auto-fetch")
        # -u to an ftps:// folder
        harness.write_tree(dl, {"up1.bin": harness.pattern_bytes(200000, 77)})
        run_ftp(["--cacert", c.ca[0], "-u", "ftps://%s:%d/up/" % (v.host, v.port), "up1.bin"],
                w, cwd=dl).check_rc(0)
        check_eq(file_sha(os.path.join(v.up, "up1.bin")), file_sha(os.path.join(dl, "up1.bin")),
                 "ftps:// upload")
        # a folder URL opens a session in the shell
        r = run_ftp(["--cacert", c.ca[0], "ftps://%s:%d/pub/d/" % (v.host, v.port)], w,
                    input="ls\nget x2.bin\n", cwd=dl).check_rc(0)
        check("x4.bin" in r.out, "listing in the folder:\n" + r.out)
        check_eq(file_sha(os.path.join(dl, "x2.bin")),
                 file_sha(os.path.join(v.root, "pub", "d", "x2.bin")), "get after ftps:// open")
        # without the CA: refused, nothing written
        dl2 = w.sub("dl2")
        r = run_ftp([url], w, cwd=dl2).check_rc(5)
        check(fingerprint(c.good[0]) in r.err, "the fingerprint is shown:\n" + r.err)
        check_eq(os.listdir(dl2), [], "no file after a refused certificate")


@limit(240)
def test_proftpd_tls12_and_tls13():
    c = certs()
    for proto in ("TLSv1.2", "TLSv1.3"):
        with Proftpd(server_files(), tls=c.good, protocols=proto) as p, Work() as w:
            cwd = w.sub("c")
            harness.write_tree(cwd, local_files())
            r = batch(p, w, TRANSFER_SCRIPT, args=["--tls", "--cacert", c.ca[0], "-v"],
                      cwd=cwd, timeout=180)
            try:
                check_session(r, p, cwd, p.up)
            except harness.Failure as e:
                raise harness.Failure("%s: %s\n%s" % (proto, e, p.log_text()))
            check("TLS: %s," % proto in r.out, "%s negotiated:\n%s" % (proto, r.out))
            r = batch(p, w, ["user anonymous x@", "ls /pub"],
                      args=["--tls", "--cacert", c.ca[0], "-d"]).check_rc(0)
            check("TLS session resumed" in r.out, "%s: data resumes the session:\n%s"
                  % (proto, r.out))
            # without TLS proftpd refuses the login (TLSRequired on)
            batch(p, w, ["user anonymous x@", "ls /pub"]).check_rc(2)


# --------------------------------------------------------------------------
# Certificate checks

@limit(180)
def test_wrong_host_and_unknown_ca():
    c = certs()
    with Vsftpd(server_files(), tls=c.wrong_host) as v, Work() as w:
        r = ls_run(v, w, ["--tls", "--cacert", c.ca[0]])
        refused(r, "wrong host name")
        check("other.example" in r.err and "127.0.0.1" in r.err,
              "the names are explained:\n" + r.err)
        r = ls_run(v, w, ["--tls", "--cacert", c.ca[0], "--insecure"]).check_rc(0)
        check("small.txt" in r.out, "listing with --insecure")
        check("WARNING: --insecure" in r.err, "--insecure says so:\n" + r.err)
        r = ls_run(v, w, ["--tls", "--cacert", c.ca[0], "--fingerprint",
                          fingerprint(c.wrong_host[0])]).check_rc(0)
        check("small.txt" in r.out and "WARNING" not in r.err, "trusted fingerprint:\n" + r.err)
    with Vsftpd(server_files(), tls=c.unknown_ca) as v, Work() as w:
        fp = fingerprint(c.unknown_ca[0])
        r = ls_run(v, w, ["--tls", "--cacert", c.ca[0]])
        refused(r, "unknown CA")
        check("not a trusted CA" in r.err and fp in r.err, "explained with the fingerprint:\n"
              + r.err)
        ls_run(v, w, ["--tls", "--insecure"]).check_rc(0)
        ls_run(v, w, ["--tls", "--fingerprint", fp]).check_rc(0)
        # the hex form that `openssl x509 -fingerprint -sha256` prints
        out = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in",
                              c.unknown_ca[0]], stdout=subprocess.PIPE, check=True).stdout
        hexfp = out.decode().strip().split("=", 1)[1]
        ls_run(v, w, ["--tls", "--fingerprint", hexfp]).check_rc(0)
        # another fingerprint: refused, and loudly
        r = ls_run(v, w, ["--tls", "--fingerprint", fingerprint(c.self_a[0])])
        refused(r, "wrong --fingerprint")
        check("does not match --fingerprint" in r.err, "explained:\n" + r.err)
        # a malformed pin is a usage error, not "no pin"
        ls_run(v, w, ["--tls", "--fingerprint", "SHA256:nonsense"]).check_rc(64)
    with Vsftpd(server_files(), tls=c.good) as v, Work() as w:
        # by name: the host name check passes for "localhost" too
        ls_run(v, w, ["-4", "--tls", "--cacert", c.ca[0]], host="localhost").check_rc(0)
        # a pin is exact: a CA-signed certificate other than the pinned one is refused
        refused(ls_run(v, w, ["--tls", "--cacert", c.ca[0], "--fingerprint",
                              fingerprint(c.self_a[0])]), "pin beats CA")
        # the system store alone does not know the test CA
        refused(ls_run(v, w, ["--tls"]), "no --cacert")
        # an unreadable --cacert is a TLS failure before anything is sent
        r = ls_run(v, w, ["--tls", "--cacert", os.path.join(w.path, "missing.pem")])
        refused(r, "missing CA file")
        check("missing.pem" in r.err, "names the file:\n" + r.err)


def known_hosts(w):
    return os.path.join(w.home, ".ftp_known_hosts")


@limit(180)
def test_trust_on_first_use():
    c = certs()
    fp_a, fp_b = fingerprint(c.self_a[0]), fingerprint(c.self_b[0])
    with Vsftpd(server_files(), tls=c.self_a) as v, Work() as w:
        key = "127.0.0.1:%d" % v.port
        # batch mode never asks, even with "yes" waiting on its input
        r = run_ftp(["-n", "--tls", v.host, v.port], w,
                    input="yes\nuser anonymous x@\nls /pub\n").check_rc(5)
        check("Trust this" not in r.out + r.err, "no question in batch mode")
        check(fp_a in r.err and "--fingerprint" in r.err, "how to go on:\n" + r.err)
        check(not os.path.exists(known_hosts(w)), "nothing remembered")
        # interactive: the question, answered no
        p = Pty(["-n", "--tls", v.host, v.port], w)
        out = p.expect(b"(yes/no)", timeout=20)
        check(fp_a.encode() in out, "the fingerprint is shown before the question: %r" % out)
        p.send("no\r")
        p.expect(PROMPT, timeout=20)
        p.send("quit\r")
        check_eq(p.close(), 5, "exit status after refusing the certificate")
        check(not os.path.exists(known_hosts(w)), "a no is not remembered")
        # answered yes: remembered, the session goes on
        p = Pty(["-n", "--tls", v.host, v.port], w)
        p.expect(b"(yes/no)", timeout=20)
        p.send("yes\r")
        p.expect(PROMPT, timeout=20)
        p.send("user anonymous x@\r")
        p.expect(re.compile(rb"230[^\n]*\n.*ftp> ", re.S), timeout=20)
        p.send("ls /pub\r")
        out = p.expect(PROMPT, timeout=20)
        check(b"small.txt" in out, "listing after trusting: %r" % out)
        p.send("quit\r")
        check_eq(p.close(), 0, "exit status")
        lines = [l for l in open(known_hosts(w)).read().splitlines() if l.strip()]
        check_eq(lines, ["%s %s" % (key, fp_a)], "known-hosts line")
        check_eq(os.stat(known_hosts(w)).st_mode & 0o777, 0o600, "known-hosts mode")
        # from now on batch mode accepts it without asking
        r = ls_run(v, w, ["--tls", "-v"]).check_rc(0)
        check("matches the known-hosts file" in r.out and "small.txt" in r.out,
              "known certificate accepted:\n" + r.out)
        # parallel mirror workers accept it too (they never ask)
        dl = w.sub("m")
        run_ftp(["-n", "--tls", v.host, v.port], w, cwd=dl,
                input="user anonymous x@\nmirror -P 3 /pub/d d\n", timeout=120).check_rc(0)
        check_eq(tree(os.path.join(dl, "d")), tree(os.path.join(v.root, "pub", "d")),
                 "parallel mirror with a remembered certificate")
        # --known-hosts names another file
        other = os.path.join(w.path, "kh")
        ls_run(v, w, ["--tls", "--known-hosts", other]).check_rc(5)
        with open(other, "w") as f:
            f.write("# comment\n%s %s\n" % (key, fp_a))
        ls_run(v, w, ["--tls", "--known-hosts", other]).check_rc(0)
    # the certificate changes: refused loudly, in batch and interactively
    with Vsftpd(server_files(), tls=c.self_b) as v, Work() as w:
        key = "127.0.0.1:%d" % v.port
        with open(known_hosts(w), "w") as f:
            f.write("%s %s\n" % (key, fp_a))
        r = ls_run(v, w, ["--tls"])
        refused(r, "changed certificate")
        check("CERTIFICATE HAS CHANGED" in r.err and fp_a in r.err and fp_b in r.err,
              "loud, with both fingerprints:\n" + r.err)
        p = Pty(["-n", "--tls", v.host, v.port], w)
        out = p.expect(PROMPT, timeout=20)
        check(b"HAS CHANGED" in out and b"(yes/no)" not in out,
              "no question for a changed certificate: %r" % out)
        p.send("quit\r")
        check_eq(p.close(), 5, "exit status")
        check_eq(open(known_hosts(w)).read(), "%s %s\n" % (key, fp_a), "entry kept")
        # --fingerprint still lets the user accept the new one on purpose
        ls_run(v, w, ["--tls", "--fingerprint", fp_b]).check_rc(0)


# --------------------------------------------------------------------------
# Failing closed

class TlsFake:
    """A one-session scripted FTPS server (explicit): replies come from
    replies[cmd] (default "200 ok"); after "234" it does the TLS handshake
    with cert.  Every command line received is kept in .log."""

    def __init__(self, cert, replies):
        self.replies = replies
        self.log = []
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert[0], cert[1])
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(2)
        self.lsock.settimeout(20)
        self.host, self.port = "127.0.0.1", self.lsock.getsockname()[1]
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *a):
        self.lsock.close()
        self.thread.join(10)
        return False

    def _run(self):
        try:
            s, _ = self.lsock.accept()
            s.settimeout(20)
            s.sendall(b"220 fake tls ready\r\n")
            f = s.makefile("rb")
            end = time.monotonic() + 30
            while time.monotonic() < end:
                line = f.readline()
                if not line:
                    break
                text = line.decode("latin-1").rstrip("\r\n")
                self.log.append(text)
                cmd = text.split(" ")[0].upper()
                rep = self.replies.get(cmd, "221 bye" if cmd == "QUIT" else "200 ok")
                s.sendall(rep.encode() + b"\r\n")
                if cmd == "AUTH" and rep.startswith("234"):
                    s = self.ctx.wrap_socket(s, server_side=True)
                    f = s.makefile("rb")
                if cmd == "QUIT":
                    break
            s.close()
        except (OSError, ssl.SSLError):
            pass


@limit(120)
def test_fails_closed():
    c = certs()
    with Work() as w:
        # AUTH TLS refused: no login in the clear
        with FakeServer(lambda cmd, arg, srv: "500 AUTH not understood"
                        if cmd == "AUTH" else None) as srv:
            r = batch(srv, w, ["ls"], user="bob", pw="secret", args=["--tls"])
        r.check_rc(5)
        check("does not offer TLS" in r.err, "explained:\n" + r.err)
        check(not any(l.startswith(("USER", "PASS", "EPSV", "PASV", "LIST")) for l in srv.log),
              "nothing but AUTH (and QUIT) in the clear: %r" % srv.log)
        # plaintext pipelined after 234 is not taken as protected
        with FakeServer(lambda cmd, arg, srv: "234 go ahead\r\n230 injected"
                        if cmd == "AUTH" else None) as srv:
            r = batch(srv, w, ["ls"], user="bob", pw="secret", args=["--tls"])
        r.check_rc(5)
        check("injection" in r.err, "explained:\n" + r.err)
        check(not any(l.startswith(("USER", "PASS")) for l in srv.log), "no login: %r" % srv.log)
        # PROT P refused after login: no data connection in the clear
        with TlsFake(c.good, {"AUTH": "234 go", "USER": "331 pw", "PASS": "230 in",
                              "PROT": "536 no private data for you"}) as srv:
            r = batch(srv, w, ["ls", "get x"], user="bob", pw="secret",
                      args=["--tls", "--cacert", c.ca[0]])
        r.check_rc(5)
        check("PROT P refused" in r.err, "explained:\n" + r.err)
        check("PBSZ 0" in srv.log and "PROT P" in srv.log, "PBSZ before PROT: %r" % srv.log)
        check(not any(l.startswith(("EPSV", "PASV", "PORT", "EPRT", "LIST", "RETR"))
                      for l in srv.log), "no data commands: %r" % srv.log)
        # ftps:// (implicit) against a plain FTP port
        with FakeServer(lambda cmd, arg, srv: None) as srv:
            r = run_ftp(["ftps://%s:%d/x" % (srv.host, srv.port)], w, timeout=40)
        r.check_rc(5)
        check("implicit" in r.err, "hint about ftps:// vs ftpes://:\n" + r.err)
    # vsftpd without TLS: --tls is refused before any login
    with Vsftpd(server_files()) as v, Work() as w:
        r = ls_run(v, w, ["--tls"]).check_rc(5)
        check("---> USER" not in r.out, "no USER sent:\n" + r.out)


# --------------------------------------------------------------------------
# Our ftpd over TLS

def ftpd_tls_conf(c):
    return {"tls_cert": c.good[0], "tls_key": c.good[1]}


@limit(240)
def test_our_ftpd_over_tls():
    c = certs()
    conf = ftpd_tls_conf(c)
    r = harness.run_ftpd(["-t", "-f", "/dev/null"] +
                         sum((["-o", "%s=%s" % kv] for kv in conf.items()), []))
    if r.returncode != 0:
        harness.skip("ftpd does not support TLS yet (tls_cert/tls_key refused: %s); the "
                     "TLS test of our client against our server is skipped"
                     % r.stderr.decode("utf-8", "replace").strip()[-200:])
    with harness.Server(conf=conf, users={"alice": "pw"}) as s, Work() as w:
        harness.give_to_session(s.home("alice"))
        feat = batch(s, w, ["quote FEAT"], args=["-v"])
        if not re.search(r"^ AUTH TLS", feat.out, re.M | re.I):
            harness.skip("ftpd does not offer AUTH TLS in FEAT yet; the TLS test of "
                         "our client against our server is skipped")
        home = s.home("alice")
        harness.write_tree(home, {"pub": server_files()["pub"]})
        os.makedirs(os.path.join(home, "up"), exist_ok=True)
        harness.give_to_session(home)
        cwd = w.sub("c")
        harness.write_tree(cwd, local_files())
        # the session's root is alice's home: /pub and /up are in it
        r = batch(s, w, ["user alice pw"] + TRANSFER_SCRIPT[1:],
                  args=["--tls", "--cacert", c.ca[0], "-v"], cwd=cwd, timeout=180)

        class Home:
            root = home
        check_session(r, Home, cwd, os.path.join(home, "up"))
        check(re.search(r"^TLS: TLSv1\.[23]", r.out, re.M), "TLS in use:\n" + r.out)
        r = batch(s, w, ["user alice pw", "ls /pub"],
                  args=["--tls", "--cacert", c.ca[0], "-d"]).check_rc(0)
        check("TLS session resumed" in r.out, "data resumes the session:\n" + r.out)


if __name__ == "__main__":
    harness.main()
