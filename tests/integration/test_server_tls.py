"""test_server_tls.py: ftpd's FTPS (RFC 4217): AUTH TLS, PBSZ/PROT, data
connections that must resume the control session, the tls_required and
tls_require_data policies, CCC, implicit FTPS, certificate reload without a
restart, and curl, lftp and ftplib over TLS with checksums.  A CA and the
server certificates are made at test time with the openssl command."""

import ftplib
import hashlib
import io
import os
import re
import socket
import ssl
import subprocess
import time

import harness as h
from harness import Server, check, check_code, check_eq

BIG = 2 * 1024 * 1024 + 333
PW = "tls pw"


# --------------------------------------------------------------------------
# Certificates

def _openssl(*args):
    r = subprocess.run(["openssl"] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    check_eq(r.returncode, 0, "openssl %s (stderr %r)" % (args[0], r.stderr[-300:]))


class Pki:
    """A CA and server certificates for 127.0.0.1 / localhost, signed by it."""

    def __init__(self):
        if not h.have_program("openssl"):
            h.skip("openssl not installed")
        self.dir = h.tempdir("ftpd-tls-")
        self.ca_key = os.path.join(self.dir, "ca.key")
        self.ca = os.path.join(self.dir, "ca.pem")
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-nodes", "-keyout", self.ca_key, "-out", self.ca, "-days", "2",
                 "-subj", "/CN=ftpd test CA")
        self.ext = os.path.join(self.dir, "ext.cnf")
        with open(self.ext, "w") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                    "extendedKeyUsage=serverAuth\n")
        self.n = 0
        # The files ftpd is configured with; replaced by install().
        self.cert = os.path.join(self.dir, "server.pem")
        self.key = os.path.join(self.dir, "server.key")

    def issue(self, cn="localhost"):
        """A new key and certificate; returns (cert path, key path)."""
        self.n += 1
        key = os.path.join(self.dir, "s%d.key" % self.n)
        csr = os.path.join(self.dir, "s%d.csr" % self.n)
        crt = os.path.join(self.dir, "s%d.pem" % self.n)
        _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", key, "-out", csr, "-subj", "/CN=%s" % cn)
        _openssl("x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", self.ca_key,
                 "-CAcreateserial", "-out", crt, "-days", "2", "-extfile", self.ext)
        return crt, key

    def install(self, crt, key):
        """Puts a certificate and key in place atomically (as a renewal
        tool would: new file, rename)."""
        for src, dst in ((key, self.key), (crt, self.cert)):
            tmp = dst + ".new"
            with open(src, "rb") as f, open(tmp, "wb") as g:
                g.write(f.read())
            os.chmod(tmp, 0o600)
            os.replace(tmp, dst)

    def conf(self, **extra):
        c = {"tls_cert": self.cert, "tls_key": self.key}
        c.update(extra)
        return c

    def context(self):
        ctx = ssl.create_default_context(cafile=self.ca)
        ctx.check_hostname = True
        return ctx


def _pki():
    p = Pki()
    p.install(*p.issue())
    return p


def _fingerprint_file(path):
    with open(path) as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())
    return hashlib.sha256(der).hexdigest()


def _tree():
    return {"pub": {"big.bin": h.pattern_bytes(BIG, 7), "small.txt": "small\n"}}


# --------------------------------------------------------------------------
# A control connection that can switch to TLS

class TlsRaw(h.Raw):
    """harness.Raw plus AUTH TLS and PROT P data connections that resume
    the control session (or not, when a test wants to see the refusal)."""

    def starttls(self, ctx, server_hostname="127.0.0.1"):
        check_eq(self.buf, b"", "bytes after 234")
        self.ctx = ctx
        self.sock = ctx.wrap_socket(self.sock, server_hostname=server_hostname)
        return self.sock

    def auth_tls(self, ctx):
        if self.greeting is None:
            self.reply()
        check_code(self.cmd("AUTH TLS"), 234)
        return self.starttls(ctx)

    def protect(self):
        check_code(self.cmd("PBSZ 0"), 200)
        check_code(self.cmd("PROT P"), 200)

    def tls_retr(self, cmd, session="control", ctx=None):
        """Download over a PROT P passive connection.  session: "control"
        (resume ours), None (a fresh handshake), or an SSLSession.
        Returns (data, final reply); data is None when the data handshake
        or the read failed."""
        get = self.open_data("epsv")
        check_code(self.cmd(cmd), 150)
        d = get()
        sess = self.sock.session if session == "control" else session
        ctx = ctx or self.ctx
        chunks = []
        try:
            d = ctx.wrap_socket(d, server_hostname="127.0.0.1", session=sess)
            while True:
                b = d.recv(1 << 20)
                if not b:
                    break
                chunks.append(b)
            data = b"".join(chunks)
        except (ssl.SSLError, OSError):
            data = None
        finally:
            d.close()
        return data, self.reply()

    def tls_stor(self, cmd, payload, truncate=False):
        get = self.open_data("epsv")
        check_code(self.cmd(cmd), 150)
        d = self.ctx.wrap_socket(get(), server_hostname="127.0.0.1",
                                 session=self.sock.session)
        d.sendall(payload)
        if truncate:
            # Close the TCP connection without close_notify.
            raw = socket.socket(fileno=os.dup(d.fileno()))
            raw.shutdown(socket.SHUT_RDWR)
            raw.close()
            d.close()
        else:
            d.unwrap().close()
        return self.reply()


def _tls_session(s, ctx, user="anonymous", pw="x@example.org"):
    r = TlsRaw(s.host, s.port)
    r.auth_tls(ctx)
    r.login(user, pw)
    return r


class ResumingFTP_TLS(ftplib.FTP_TLS):
    """ftplib.FTP_TLS as clients such as FileZilla or lftp behave: the data
    connection resumes the control connection's TLS session (stock ftplib
    does not, see test_ftplib_without_reuse)."""

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host,
                                            session=self.sock.session)
        return conn, size


def _run(argv, timeout=90):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, timeout=timeout)


# --------------------------------------------------------------------------
# Protocol

def test_feat_and_command_sequence():
    p = _pki()
    with Server(conf=p.conf(), root_files=_tree()) as s:
        with TlsRaw(s.host, s.port) as r:
            r.reply()
            feat = check_code(r.cmd("FEAT"), 211).lines
            for f in ("AUTH TLS", "PBSZ", "PROT"):
                check(" " + f in feat, "FEAT lists %s: %r" % (f, feat))
            check_code(r.cmd("PBSZ 0"), 503)
            check_code(r.cmd("PROT P"), 503)
            check_code(r.cmd("AUTH KERBEROS_V4"), 504)
            check_code(r.cmd("CCC"), 530)
            r.auth_tls(p.context())
            check_code(r.cmd("AUTH TLS"), 503)
            check_code(r.cmd("PROT P"), 503)          # PBSZ first
            rep = check_code(r.cmd("PBSZ 0"), 200)
            check("PBSZ=0" in rep.text, "PBSZ reply %r" % rep.text)
            check_code(r.cmd("PROT S"), 536)
            check_code(r.cmd("PROT E"), 536)
            check_code(r.cmd("PROT X"), 504)
            check_code(r.cmd("PROT C"), 200)
            check_code(r.cmd("PROT P"), 200)
            r.login()
            rep = check_code(r.cmd("CCC"), 534)
            check("tls_allow_ccc" in rep.text, "CCC refusal says why: %r" % rep.text)
            check_code(r.cmd("REIN"), 502)
            # PROT P carried over from before login into the post-login worker
            data, fin = r.tls_retr("RETR /pub/big.bin")
            check_code(fin, 226)
            check_eq(h.sha256(data or b""), h.sha256(h.pattern_bytes(BIG, 7)), "RETR over TLS")
            check_code(r.cmd("QUIT"), 221)


def test_no_tls_without_certificate():
    with Server() as s:
        with TlsRaw(s.host, s.port) as r:
            r.reply()
            feat = check_code(r.cmd("FEAT"), 211).text
            check("AUTH TLS" not in feat, "FEAT without a certificate: %r" % feat)
            check_code(r.cmd("AUTH TLS"), 504)
            r.login()


def test_pipelined_plaintext_after_auth_discarded():
    p = _pki()
    with Server(conf=p.conf()) as s:
        with TlsRaw(s.host, s.port) as r:
            r.reply()
            # One packet: the USER must never run, in clear or under TLS.
            r.send(b"AUTH TLS\r\nUSER evil\r\n")
            check_code(r.reply(), 234)
            r.starttls(p.context())
            rep = r.cmd("PASS secret")
            check_code(rep, 503)
            check("USER" in rep.text, "PASS without USER: %r" % rep.text)
            r.login()
        s.wait_log(r"discarded 11 plaintext byte")
        check("USER evil" not in s.log_text(), "USER evil was executed")


# --------------------------------------------------------------------------
# Clients

def test_curl_over_tls():
    if not h.have_program("curl"):
        h.skip("curl not installed")
    p = _pki()
    with Server(conf=p.conf(), users={"cu": PW}, root_files=_tree()) as s:
        tmp = h.tempdir("ftpd-tls-curl-")
        src = os.path.join(tmp, "up.bin")
        h.make_file(src, BIG, 8)
        base = ["curl", "-sS", "--max-time", "60", "--ssl-reqd", "--cacert", p.ca]
        url = "ftp://127.0.0.1:%d" % s.port
        r = _run(base + [url + "/pub/"])
        check_eq(r.returncode, 0, "curl LIST (stderr %r)" % r.stderr)
        check("big.bin" in r.stdout.decode(), "curl LIST: %r" % r.stdout)
        # Passive only: curl 7.87-7.88 never starts TLS on an active data
        # connection (curl issue 10666); lftp covers active mode below.
        for extra in ([], ["--disable-epsv"]):
            r = _run(base + extra + [url + "/pub/big.bin"])
            check_eq(r.returncode, 0, "curl RETR %s (stderr %r)" % (extra, r.stderr))
            check_eq(h.sha256(r.stdout), h.sha256(h.pattern_bytes(BIG, 7)), "curl RETR %s" % extra)
        r = _run(base + ["--user", "cu:" + PW, "-T", src, url + "/up.bin"])
        check_eq(r.returncode, 0, "curl STOR (stderr %r)" % r.stderr)
        check_eq(h.sha256(os.path.join(s.home("cu"), "up.bin")), h.sha256(src), "curl STOR")
        # --ssl-reqd fails closed against a certificate from another CA
        other = Pki()
        r = _run(["curl", "-sS", "--max-time", "20", "--ssl-reqd", "--cacert", other.ca,
                  url + "/pub/"])
        check(r.returncode != 0, "curl accepted a certificate of an unknown CA")


def test_lftp_over_tls():
    if not h.have_program("lftp"):
        h.skip("lftp not installed")
    p = _pki()
    with Server(conf=p.conf(tls_required="all", tls_require_data="all"),
                users={"lu": PW}, root_files=_tree()) as s:
        tmp = h.tempdir("ftpd-tls-lftp-")
        src = os.path.join(tmp, "src")
        os.mkdir(src)
        h.make_file(os.path.join(src, "a.bin"), BIG, 9)
        h.make_file(os.path.join(src, "b.bin"), 70000, 10)
        for passive in ("on", "off"):
            script = ("set ssl:ca-file %s; set ftp:ssl-force true; set ftp:ssl-protect-data true; "
                      "set ftp:passive-mode %s; set net:max-retries 1; set net:timeout 15; "
                      "set cmd:fail-exit yes; set xfer:clobber yes; "
                      "open -u lu,'%s' -p %d 127.0.0.1; "
                      "put %s/a.bin -o /a%s.bin; get /a%s.bin -o %s/back%s.bin; "
                      "mirror -R %s /m%s; cls -1 /"
                      % (p.ca, passive, PW, s.port, src, passive, passive, tmp, passive,
                         src, passive))
            r = _run(["lftp", "-c", script])
            check_eq(r.returncode, 0, "lftp passive=%s (stderr %r)" % (passive, r.stderr[-500:]))
            want = h.sha256(os.path.join(src, "a.bin"))
            check_eq(h.sha256(os.path.join(s.home("lu"), "a%s.bin" % passive)), want,
                     "lftp put (passive %s)" % passive)
            check_eq(h.sha256(os.path.join(tmp, "back%s.bin" % passive)), want,
                     "lftp get (passive %s)" % passive)
            for n in ("a.bin", "b.bin"):
                check_eq(h.sha256(os.path.join(s.home("lu"), "m" + passive, n)),
                         h.sha256(os.path.join(src, n)), "lftp mirror -R %s" % n)
            check("a%s.bin" % passive in r.stdout.decode(), "lftp cls: %r" % r.stdout)


def test_ftplib_prot_p():
    p = _pki()
    with Server(conf=p.conf(), users={"py": PW}, root_files=_tree()) as s:
        f = ResumingFTP_TLS(context=p.context(), timeout=h.TIMEOUT)
        f.connect(s.host, s.port)
        f.login("py", PW)          # AUTH TLS first (FTP_TLS.login)
        f.prot_p()
        payload = h.pattern_bytes(BIG, 11)
        f.storbinary("STOR up.bin", io.BytesIO(payload))
        check_eq(h.sha256(os.path.join(s.home("py"), "up.bin")), h.sha256(payload), "STOR")
        got = []
        f.retrbinary("RETR up.bin", got.append)
        check_eq(h.sha256(b"".join(got)), h.sha256(payload), "RETR")
        check_eq(f.nlst(), ["up.bin"], "NLST")
        f.prot_c()                 # clear data is still allowed by default
        got = []
        f.retrbinary("RETR up.bin", got.append)
        check_eq(h.sha256(b"".join(got)), h.sha256(payload), "RETR with PROT C")
        f.quit()


# --------------------------------------------------------------------------
# Data connections must resume the control connection's session

def test_data_connection_without_reuse_refused():
    p = _pki()
    with Server(conf=p.conf(), root_files=_tree()) as s:
        ctx = p.context()
        with _tls_session(s, ctx) as a, _tls_session(s, ctx) as b:
            a.protect()
            b.protect()
            data, fin = a.tls_retr("RETR /pub/small.txt")
            check_eq(data, b"small\n", "resumed data connection")
            check_code(fin, 226)
            # A fresh handshake (new context, no session)
            data, fin = a.tls_retr("RETR /pub/small.txt", session=None, ctx=p.context())
            check(not data, "a data connection without reuse got data: %r" % data)
            check_code(fin, 522)
            check("reuse" in fin.text, "522 says why: %r" % fin.text)
            # The session of another FTP session from the same address
            data, fin = a.tls_retr("RETR /pub/small.txt", session=b.sock.session)
            check(not data, "another session's ticket got data: %r" % data)
            check_code(fin, 522)
            # and the control session still works afterwards
            data, fin = a.tls_retr("RETR /pub/small.txt")
            check_eq(data, b"small\n", "resumed data connection after refusals")
        s.wait_log(r"data connection refused: .*session reuse required")


def test_ftplib_without_reuse():
    """Stock ftplib opens data connections without resuming: refused by
    default, accepted with tls_require_reuse = no."""
    p = _pki()
    for reuse in ("yes", "no"):
        with Server(conf=p.conf(tls_require_reuse=reuse), root_files=_tree()) as s:
            f = ftplib.FTP_TLS(context=p.context(), timeout=h.TIMEOUT)
            f.connect(s.host, s.port)
            f.login()
            f.prot_p()
            got = []
            if reuse == "yes":
                try:
                    f.retrbinary("RETR /pub/small.txt", got.append)
                    raise h.Failure("a data connection without reuse was accepted")
                except (ftplib.error_temp, ftplib.error_perm, ssl.SSLError, OSError,
                        EOFError):
                    pass
            else:
                f.retrbinary("RETR /pub/small.txt", got.append)
                check_eq(b"".join(got), b"small\n", "RETR without reuse (reuse not required)")
            f.close()


def test_truncated_upload_not_stored():
    p = _pki()
    with Server(conf=p.conf(), users={"tu": PW}) as s:
        with _tls_session(s, p.context(), "tu", PW) as r:
            r.protect()
            fin = r.tls_stor("STOR cut.bin", h.pattern_bytes(300000, 3), truncate=True)
            check_code(fin, 4)
            check(not os.path.exists(os.path.join(s.home("tu"), "cut.bin")),
                  "a truncated TLS upload was stored")
            fin = r.tls_stor("STOR whole.bin", h.pattern_bytes(300000, 3))
            check_code(fin, 226)
            check_eq(h.sha256(os.path.join(s.home("tu"), "whole.bin")),
                     h.sha256(h.pattern_bytes(300000, 3)), "complete TLS upload")


# --------------------------------------------------------------------------
# Policies

def test_login_before_tls_refused():
    p = _pki()
    with Server(conf=p.conf(tls_required="users"), users={"bob": PW}) as s:
        with TlsRaw(s.host, s.port) as r:
            r.reply()
            rep = check_code(r.cmd("USER bob"), 530, 534)
            check("TLS" in rep.text, "refusal says why: %r" % rep.text)
            check_code(r.cmd("PASS " + PW), 503)
        with h.raw_session(s) as r:    # anonymous may stay in clear
            r.login()
            check_code(r.cmd("AUTH TLS"), 503)   # too late after login
        with _tls_session(s, p.context(), "bob", PW) as r:
            check_code(r.cmd("PWD"), 257)
    with Server(conf=p.conf(tls_required="all")) as s:
        with TlsRaw(s.host, s.port) as r:
            r.reply()
            check_code(r.cmd("USER anonymous"), 530, 534)
        if h.have_program("curl"):
            r = _run(["curl", "-sS", "--max-time", "20", "ftp://127.0.0.1:%d/" % s.port])
            check(r.returncode != 0, "curl logged in without TLS")
        with _tls_session(s, p.context()) as r:
            check_code(r.cmd("PWD"), 257)


def test_prot_p_required():
    p = _pki()
    with Server(conf=p.conf(tls_require_data="all"), root_files=_tree()) as s:
        with h.raw_session(s) as r:
            r.login()
            rep = check_code(r.cmd("LIST"), 521)
            check("PROT P" in rep.text, "521 says what to do: %r" % rep.text)
        with _tls_session(s, p.context()) as r:
            check_code(r.cmd("PBSZ 0"), 200)
            rep = check_code(r.cmd("PROT C"), 534)
            check("tls_require_data" in rep.text, "PROT C refusal: %r" % rep.text)
            check_code(r.cmd("RETR /pub/small.txt"), 521)
            check_code(r.cmd("PROT P"), 200)
            data, fin = r.tls_retr("RETR /pub/small.txt")
            check_eq(data, b"small\n", "RETR with PROT P")


def test_ccc_when_allowed():
    p = _pki()
    with Server(conf=p.conf(tls_allow_ccc="yes"), root_files=_tree()) as s:
        with _tls_session(s, p.context()) as r:
            r.protect()
            control_session = r.sock.session
            check_code(r.cmd("CCC"), 200)
            r.sock = r.sock.unwrap()         # close_notify both ways
            check_code(r.cmd("PWD"), 257)    # now in clear
            check_code(r.cmd("PROT C"), 503)  # no downgrade after CCC
            check_code(r.cmd("CCC"), 533)
            # Data stays protected and still resumes the control session.
            get = r.open_data("epsv")
            check_code(r.cmd("RETR /pub/big.bin"), 150)
            d = r.ctx.wrap_socket(get(), server_hostname="127.0.0.1", session=control_session)
            buf = b""
            while True:
                b = d.recv(1 << 20)
                if not b:
                    break
                buf += b
            d.close()
            check_code(r.reply(), 226)
            check_eq(h.sha256(buf), h.sha256(h.pattern_bytes(BIG, 7)), "RETR after CCC")
        if h.have_program("curl"):
            # curl's "active" CCC mode answers our close_notify (its default
            # "passive" mode does not; see ftpd.conf(5)).
            out = _run(["curl", "-sS", "--max-time", "30", "--ssl-reqd", "--ftp-ssl-ccc",
                        "--ftp-ssl-ccc-mode", "active", "--cacert", p.ca,
                        "ftp://127.0.0.1:%d/pub/big.bin" % s.port])
            check_eq(out.returncode, 0, "curl --ftp-ssl-ccc (stderr %r)" % out.stderr)
            check_eq(h.sha256(out.stdout), h.sha256(h.pattern_bytes(BIG, 7)), "curl after CCC")


# --------------------------------------------------------------------------
# Implicit FTPS and certificates

def test_implicit_tls():
    p = _pki()
    conf = p.conf(listen_implicit_tls="127.0.0.1:0")
    with Server(conf=conf, root_files=_tree()) as s:
        m = s.wait_log(r"listening on 127\.0\.0\.1:(\d+) \(implicit TLS\)")
        port = int(m.group(1))
        check(port != s.port, "implicit TLS has its own port")
        ctx = p.context()
        r = TlsRaw.from_socket(ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)),
                                               server_hostname="127.0.0.1"))
        r.ctx = ctx
        with r:
            check_code(r.reply(), 220)
            r.login()
            # data is protected without PBSZ/PROT in implicit mode
            data, fin = r.tls_retr("RETR /pub/big.bin")
            check_code(fin, 226)
            check_eq(h.sha256(data or b""), h.sha256(h.pattern_bytes(BIG, 7)), "implicit RETR")
        # the plain port stays plain
        with h.raw_session(s) as r:
            check_code(r.reply(), 220)
        if h.have_program("curl"):
            out = _run(["curl", "-sS", "--max-time", "30", "--cacert", p.ca,
                        "ftps://127.0.0.1:%d/pub/big.bin" % port])
            check_eq(out.returncode, 0, "curl ftps:// (stderr %r)" % out.stderr)
            check_eq(h.sha256(out.stdout), h.sha256(h.pattern_bytes(BIG, 7)), "curl ftps://")


def test_abor_during_protected_transfer():
    p = _pki()
    with Server(conf=p.conf(), root_files={"huge.bin": h.pattern_bytes(24 * 1024 * 1024, 4),
                                           "small.txt": "small\n"}) as s:
        with _tls_session(s, p.context()) as r:
            r.protect()
            get = r.open_data("epsv")
            check_code(r.cmd("RETR /huge.bin"), 150)
            d = r.ctx.wrap_socket(get(), server_hostname="127.0.0.1", session=r.sock.session)
            check(len(d.recv(65536)) > 0, "some data before ABOR")
            r.send("ABOR\r\n")
            codes = [r.reply().code, r.reply().code]
            check_eq(codes, [426, 226], "replies to ABOR during a TLS transfer")
            d.close()
            # the next protected transfer resumes the session again
            data, fin = r.tls_retr("RETR /small.txt")
            check_eq(data, b"small\n", "transfer after ABOR")


def test_inetd_tls():
    p = _pki()
    root = h.tempdir("ftpd-tls-inetd-")
    h.write_tree(root, {"hello.txt": "hello inetd tls\n"})
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    client = socket.create_connection(ls.getsockname(), timeout=h.TIMEOUT)
    conn, _ = ls.accept()
    ls.close()
    acct = h.session_account().pw_name
    proc = subprocess.Popen([h.FTPD, "-i", "-f", "/dev/null", "-o", "anon_root=" + root,
                             "-o", "anon_user=" + acct, "-o", "nopriv_user=nobody",
                             "-o", "tls_cert=" + p.cert, "-o", "tls_key=" + p.key,
                             "-o", "tls_required=all"],
                            stdin=conn.fileno(), stdout=conn.fileno(), stderr=subprocess.PIPE)
    conn.close()
    try:
        r = TlsRaw.from_socket(client)
        r.auth_tls(p.context())
        r.login()
        r.protect()
        data, fin = r.tls_retr("RETR hello.txt")
        check_eq(data, b"hello inetd tls\n", "RETR over TLS in inetd mode")
        check_code(fin, 226)
        check_code(r.cmd("QUIT"), 221)
        proc.wait(10)
        check_eq(proc.returncode, 0, "exit status")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        client.close()


def test_full_records_on_data_connections():
    """Performance: downloads go out in full 16 KiB TLS records."""
    p = _pki()
    with Server(conf=p.conf(), root_files=_tree()) as s:
        with _tls_session(s, p.context()) as r:
            r.protect()
            get = r.open_data("epsv")
            check_code(r.cmd("RETR /pub/big.bin"), 150)
            sock = get()
            inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
            obj = r.ctx.wrap_bio(inc, out, server_hostname="127.0.0.1",
                                 session=r.sock.session)
            raw, sizes, plain = b"", [], []
            while True:
                try:
                    obj.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    sock.sendall(out.read())
                    b = sock.recv(65536)
                    check(b, "EOF during the data handshake")
                    raw += b
                    inc.write(b)
            sock.sendall(out.read())
            raw = b""             # the rest: application data records
            while True:
                b = sock.recv(1 << 20)
                if not b:
                    break
                raw += b
            sock.close()
            check_code(r.reply(), 226)
            pos = 0
            while pos + 5 <= len(raw):
                ctype, length = raw[pos], int.from_bytes(raw[pos + 3:pos + 5], "big")
                if ctype == 23:       # application data (TLS 1.2 and 1.3)
                    sizes.append(length)
                pos += 5 + length
            inc.write(raw)
            while True:
                try:
                    d = obj.read(1 << 20)
                except (ssl.SSLZeroReturnError, ssl.SSLWantReadError):
                    break
                if not d:
                    break
                plain.append(d)
            check_eq(h.sha256(b"".join(plain)), h.sha256(h.pattern_bytes(BIG, 7)), "data")
            full = max(sizes)
            check(full >= 16384 + 17, "largest record %d bytes" % full)
            small = [n for n in sizes[:-3] if n != full]
            check(len(small) <= 1, "records below full size: %d of %d (%r)"
                  % (len(small), len(sizes), small[:10]))


def _server_fp(s, ctx):
    with TlsRaw(s.host, s.port) as r:
        sock = r.auth_tls(ctx)
        fp = hashlib.sha256(sock.getpeercert(binary_form=True)).hexdigest()
        check_code(r.cmd("QUIT"), 221)
    return fp


@h.limit(120)
def test_certificate_reload():
    p = _pki()
    first = _fingerprint_file(p.cert)
    with Server(conf=p.conf(), root_files=_tree()) as s:
        ctx = p.context()
        check_eq(_server_fp(s, ctx), first, "fingerprint of the first certificate")
        running = _tls_session(s, ctx)
        running.protect()
        crt, key = p.issue()
        p.install(crt, key)
        second = _fingerprint_file(p.cert)
        check(second != first, "the new certificate differs")
        check_eq(_server_fp(s, ctx), second, "a new session sees the new certificate")
        s.wait_log(r"certificate files changed")
        # The running session keeps its certificate and its data connections
        # still resume its session.
        check_eq(hashlib.sha256(running.sock.getpeercert(binary_form=True)).hexdigest(),
                 first, "running session's certificate")
        data, fin = running.tls_retr("RETR /pub/small.txt")
        check_eq(data, b"small\n", "running session after the reload")
        # A broken replacement is logged; the last good certificate stays.
        with open(p.cert + ".new", "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
        os.replace(p.cert + ".new", p.cert)
        check_eq(_server_fp(s, ctx), second, "after a broken replacement")
        s.wait_log(r"TLS: .*new sessions keep the previous certificate")
        check_eq(_server_fp(s, ctx), second, "still the good certificate")
        # Fixing the file is picked up again.
        third_crt, third_key = p.issue()
        p.install(third_crt, third_key)
        check_eq(_server_fp(s, ctx), _fingerprint_file(third_crt), "after fixing the files")
        running.cmd("QUIT")
        running.close()


def test_config_checks():
    p = _pki()
    ok = h.run_ftpd(["-t", "-f", "/dev/null", "-o", "tls_cert=" + p.cert,
                     "-o", "tls_key=" + p.key])
    check_eq(ok.returncode, 0, "ftpd -t with a good certificate (stderr %r)" % ok.stderr)
    other_crt, other_key = p.issue()
    bad = h.run_ftpd(["-t", "-f", "/dev/null", "-o", "tls_cert=" + p.cert,
                      "-o", "tls_key=" + other_key])
    check(bad.returncode != 0 and b"tls_cert" in bad.stderr,
          "ftpd -t with a key that does not match: %r" % bad.stderr)
    bad = h.run_ftpd(["-t", "-f", "/dev/null", "-o", "tls_required=users"])
    check(bad.returncode != 0 and b"tls_cert" in bad.stderr,
          "tls_required without a certificate: %r" % bad.stderr)
    bad = h.run_ftpd(["-t", "-f", "/dev/null", "-o", "tls_cert=" + p.cert,
                      "-o", "tls_required=maybe"])
    check(bad.returncode != 0 and b"tls_required" in bad.stderr,
          "bad tls_required value: %r" % bad.stderr)


def test_tls_process_model():
    """After a TLS login the worker that parses commands runs as the
    session account in the session's root and holds no copy of the
    client's TCP connection: it only talks to the relay.  The relay and
    the data helper stay unprivileged in the empty chroot."""
    if os.geteuid() != 0:
        h.skip("needs root (privilege separation)")
    p = _pki()
    with Server(conf=p.conf(), root_files=_tree()) as s:
        with _tls_session(s, p.context()) as r:
            check_code(r.cmd("NOOP"), 200)
            cport = r.sock.getsockname()[1]
            acct = h.session_account().pw_uid
            nobody = __import__("pwd").getpwnam("nobody").pw_uid
            root = os.path.realpath(s.root)

            def roots():
                out = {}
                for pid in s.descendants():
                    try:
                        out[pid] = os.readlink("/proc/%d/root" % pid)
                    except OSError:
                        pass
                return out

            def ready():
                d = roots()
                workers = [pid for pid, rt in d.items() if rt == root]
                jailed = [pid for pid, rt in d.items() if rt not in ("/", root)]
                return (workers, jailed) if len(workers) == 1 and len(jailed) == 2 else None
            workers, jailed = h.wait_for(ready, what="worker, relay and data helper")
            check_eq(h.proc_uids(workers[0])[1], acct, "post-login worker's uid")
            for pid in jailed:
                check_eq(h.proc_uids(pid)[1], nobody, "relay/data helper uid")
            tcp = _tcp_inodes_of_port(cport)
            check(tcp, "found the control connection's socket")
            check(not (_socket_inodes(workers[0]) & tcp),
                  "the post-login worker holds the TCP control connection")
            check(any(_socket_inodes(pid) & tcp for pid in jailed),
                  "the relay holds the TCP control connection")


def _socket_inodes(pid):
    out = set()
    d = "/proc/%d/fd" % pid
    try:
        for n in os.listdir(d):
            try:
                t = os.readlink(os.path.join(d, n))
            except OSError:
                continue
            m = re.match(r"socket:\[(\d+)\]", t)
            if m:
                out.add(int(m.group(1)))
    except OSError:
        pass
    return out


def _tcp_inodes_of_port(port):
    out = set()
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            parts = line.split()
            lport = int(parts[1].split(":")[1], 16)
            rport = int(parts[2].split(":")[1], 16)
            if port in (lport, rport):
                out.add(int(parts[9]))
    return out


if __name__ == "__main__":
    h.main()
