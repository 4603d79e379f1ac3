"""test_server_haproxy.py: proxy_protocol (PROXY protocol v1 and v2) and
the scale-out setup of doc/haproxy.md.

The first tests play the balancer themselves: they connect from
127.0.0.1 (the trusted balancer) and write the header, so every rule is
checked byte for byte: the header and nothing after it is consumed, the
real address drives logs, limits and the PORT/PASV checks, health checks
end quietly, anything else is closed and logged, and a slow header does
not stall the daemon.

The last test runs HAProxy from Debian on 127.0.0.1 with the configuration
block of doc/haproxy.md (addresses and ports substituted) in front of two
nodes on 127.0.0.2 and 127.0.0.3 that share their files and users file;
clients bound to 127.0.0.9 go through the balancer, both nodes serve
sessions, transfers go through it in passive mode and are checked by
checksum, and each node's log shows 127.0.0.9.  It runs once with
send-proxy-v2 (as documented) and once with send-proxy (v1).  Without
haproxy installed it is skipped."""

import ftplib
import io
import os
import random
import re
import socket
import struct
import subprocess
import time

import harness as h
from harness import Server, check, check_eq, check_code

BALANCER = "127.0.0.1"      # proxy_trusted
NODE1, NODE2 = "127.0.0.2", "127.0.0.3"
CLIENT = "127.0.0.9"        # the real client
V2_SIG = b"\r\n\r\n\x00\r\nQUIT\n"
V2_LOCAL = V2_SIG + b"\x20\x00\x00\x00"


def v1(src, dst, sport, dport):
    return ("PROXY TCP4 %s %s %d %d\r\n" % (src, dst, sport, dport)).encode()


def v2(src, dst, sport, dport):
    body = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!HH", sport, dport)
    return V2_SIG + b"\x21\x11" + struct.pack("!H", len(body)) + body


def header(version, client, server, port):
    sport = random.randint(20000, 60000)
    return (v2 if version == 2 else v1)(client, BALANCER, sport, port)


def node(host=NODE1, conf=None, **kw):
    c = {"proxy_protocol": "yes", "proxy_trusted": BALANCER}
    c.update(conf or {})
    return Server(conf=c, host=host, args=["-d"], **kw)


def proxied(s, client=CLIENT, version=1, extra=b""):
    """A control connection as the balancer makes it: from BALANCER, the
    header first (with extra bytes in the same write)."""
    r = h.Raw(s.host, s.port, source=BALANCER)
    r.send(header(version, client, s.host, s.port) + extra)
    return r


def passive_port(r, mode):
    if mode == "pasv":
        rep = check_code(r.cmd("PASV"), 227)
        m = re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", rep.text)
        check(m, "227 reply %r" % rep.text)
        return int(m.group(5)) * 256 + int(m.group(6)), ".".join(m.group(1, 2, 3, 4))
    rep = check_code(r.cmd("EPSV"), 229)
    m = re.search(r"\|\|\|(\d+)\|", rep.text)
    check(m, "229 reply %r" % rep.text)
    return int(m.group(1)), None


def data_conn(s, port, source=BALANCER, hdr=b""):
    d = socket.socket()
    d.settimeout(h.TIMEOUT)
    d.bind((source, 0))
    d.connect((s.host, port))
    if hdr:
        d.sendall(hdr)
    return d


def recv_all(d):
    chunks = []
    while True:
        b = d.recv(1 << 16)
        if not b:
            break
        chunks.append(b)
    d.close()
    return b"".join(chunks)


def files_root():
    return {"pub": {"big.bin": h.pattern_bytes(700 * 1024, 3)}}


# --------------------------------------------------------------------------
# The balancer played by the test

def test_header_consumed_exactly_and_real_address_used():
    data = h.pattern_bytes(700 * 1024, 3)
    with node(root_files=files_root(), conf={"pasv_address": BALANCER}) as s:
        for version in (1, 2):
            # The header and the first command arrive in one segment: the
            # command must reach the session intact.
            with proxied(s, version=version, extra=b"USER anonymous\r\n") as r:
                check_code(r.reply(), 220)
                check_code(r.reply(), 331)
                check_code(r.cmd("PASS x@example.org"), 230)
                for mode in ("pasv", "epsv"):
                    port, addr = passive_port(r, mode)
                    if mode == "pasv":
                        check_eq(addr, BALANCER, "PASV announces pasv_address")
                    d = data_conn(s, port, hdr=header(version, CLIENT, s.host, port))
                    check_code(r.cmd("RETR /pub/big.bin"), 150)
                    got = recv_all(d)
                    check_code(r.reply(), 226)
                    check_eq(h.sha256(got), h.sha256(data), "RETR through %s, v%d" % (mode, version))
                # PORT: the client's real address is allowed, the
                # balancer's (the TCP peer) is not.
                ls = socket.socket()
                ls.bind((CLIENT, 0))
                ls.listen(1)
                ls.settimeout(h.TIMEOUT)
                p = ls.getsockname()[1]
                check_code(r.cmd("PORT 127,0,0,1,%d,%d" % (p >> 8, p & 255)), 504)
                check_code(r.cmd("PORT 127,0,0,9,%d,%d" % (p >> 8, p & 255)), 200)
                check_code(r.cmd("RETR /pub/big.bin"), 150)
                c, peer = ls.accept()
                ls.close()
                c.settimeout(h.TIMEOUT)
                check_eq(h.sha256(recv_all(c)), h.sha256(data), "active RETR to the real client")
                check_code(r.reply(), 226)
                r.expect("QUIT", 221)
        log = s.log_text()
        check(re.search(r"127\.0\.0\.9: session start", log), "session start names the client")
        check(re.search(r"127\.0\.0\.9: login ok: user=anonymous", log), "login names the client")
        check(not re.search(r"127\.0\.0\.1: (session start|login)", log),
              "no session is logged under the balancer's address")
        check(re.search(r"127\.0\.0\.1: PROXY v1: client 127\.0\.0\.9:\d+", log), "v1 debug line")
        check(re.search(r"127\.0\.0\.1: PROXY v2: client 127\.0\.0\.9:\d+", log), "v2 debug line")


def test_data_connection_header_checked():
    with node(root_files=files_root(), conf={"data_timeout": "2"}) as s:
        with proxied(s, version=2) as r:
            r.login()
            cases = [
                # (what, source, header bytes, log regex)
                ("another client", BALANCER, v2("127.0.0.8", BALANCER, 40000, 1),
                 r"from 127\.0\.0\.8 \(via 127\.0\.0\.1\): it is not the control connection's"),
                ("the client itself, not via the balancer", CLIENT,
                 v1(CLIENT, BALANCER, 40000, 1), r"from 127\.0\.0\.9: not in proxy_trusted"),
                ("a health check", BALANCER, V2_LOCAL, r"the balancer's own \(PROXY v2 LOCAL\)"),
                ("no header", BALANCER, b"", r"no complete PROXY header within 2000 ms"),
                ("garbage", BALANCER, b"GET / HTTP/1.0\r\n\r\n", r"not a PROXY protocol header"),
            ]
            for what, src, hdr, rx in cases:
                port, _ = passive_port(r, "epsv")
                d = data_conn(s, port, source=src, hdr=hdr)
                rep = r.cmd("LIST", timeout=10)
                check_code(rep, 425)
                s.wait_log(rx)
                d.close()
            # and the right header still works afterwards
            port, _ = passive_port(r, "epsv")
            d = data_conn(s, port, hdr=v1(CLIENT, BALANCER, 40001, port))
            check_code(r.cmd("NLST /pub"), 150)
            check(b"big.bin" in recv_all(d), "NLST through a proxied data connection")
            check_code(r.reply(), 226)


def test_missing_or_bad_header_closed_and_logged():
    with node() as s:
        bad = [
            (b"USER anonymous\r\n", r"127\.0\.0\.1: refused: not a PROXY protocol header"),
            (b"PROXY TCP4 999.0.0.9 127.0.0.1 1 21\r\n", r"127\.0\.0\.1: refused: PROXY v1: bad IPv4"),
            (b"PROXY TCP4 127.0.0.9 127.0.0.1 1 21\n", r"refused: PROXY v1: LF without CR"),
            (b"PROXY UNKNOWN " + b"x" * 120, r"refused: PROXY v1: no CRLF within 107 bytes"),
            (V2_SIG + b"\x21\x11\xff\xff", r"refused: PROXY v2: header longer than 1024"),
            (V2_SIG + b"\x31\x11\x00\x0c" + b"\0" * 12, r"refused: PROXY v2: unsupported version"),
        ]
        for data, rx in bad:
            with h.Raw(s.host, s.port, source=BALANCER) as r:
                r.send(data)
                check(r.closed(5), "closed after %r" % data[:30])
                check_eq(r.buf, b"", "nothing is sent before the header (%r)" % data[:30])
            s.wait_log(rx)
        # the peer closes before completing the header
        with h.Raw(s.host, s.port, source=BALANCER) as r:
            r.send(b"PROXY TCP4 127.0.0.9")
            r.sock.shutdown(socket.SHUT_WR)
            check(r.closed(5), "closed after a truncated header")
        s.wait_log(r"refused: closed in the middle of the PROXY header")
        check("session start" not in s.log_text(), "no session was started")


def test_untrusted_source_refused():
    with node() as s:
        for src in (CLIENT, "127.0.0.5"):
            with h.Raw(s.host, s.port, source=src) as r:
                r.send(v1(CLIENT, BALANCER, 40000, s.port) + b"USER anonymous\r\n")
                check(r.closed(5), "a header from %s is refused" % src)
                check_eq(r.buf, b"", "no greeting for an untrusted source")
            s.wait_log(r"%s: refused: not in proxy_trusted" % re.escape(src))
        check("session start" not in s.log_text(), "no session was started")


def test_health_checks_quiet():
    with node() as s:
        own = None
        for kind in ("v2 LOCAL", "v1 UNKNOWN", "v1 own connection"):
            r = h.Raw(s.host, s.port, source=BALANCER)
            if kind == "v2 LOCAL":
                r.send(V2_LOCAL)
            elif kind == "v1 UNKNOWN":
                r.send(b"PROXY UNKNOWN\r\n")
            else:
                # what HAProxy sends on a send-proxy check: this very
                # connection's addresses
                me = r.sock.getsockname()
                own = v1(me[0], s.host, me[1], s.port)
                r.send(own)
            check(r.closed(5), "%s closed" % kind)
            check_eq(r.buf, b"", "%s gets no greeting" % kind)
            r.close()
        s.wait_log(r"PROXY v2 LOCAL \(a health check\): closing")
        s.wait_log(r"PROXY v1 UNKNOWN \(a health check\): closing")
        s.wait_log(r"PROXY v1 naming its own connection \(a health check\): closing")
        log = s.log_text()
        check(not re.search(r"refused|session start", log), "health checks are not refused "
              "and start no session")
        # a header naming another port of the balancer is a real client
        with proxied(s, client=BALANCER) as r:
            check_code(r.reply(), 220)
    # without -d the health checks leave no line at all
    with Server(conf={"proxy_protocol": "yes", "proxy_trusted": BALANCER}, host=NODE1) as s:
        for data in (V2_LOCAL, b"PROXY UNKNOWN\r\n"):
            with h.Raw(s.host, s.port, source=BALANCER) as r:
                r.send(data)
                check(r.closed(5), "closed")
        time.sleep(0.3)
        check(not re.search(r"PROXY|refused|session start", s.log_text()),
              "quiet without -d: %r" % s.log_text()[-500:])


def test_limits_and_access_use_real_address():
    with node(conf={"max_per_ip": "1", "deny_from": "127.0.0.7"}) as s:
        with proxied(s) as a:
            a.login()
            with proxied(s) as b:
                rep = b.reply()
                check_code(rep, 421)
            s.wait_log(r"127\.0\.0\.9: refused: 1 sessions from this address \(max_per_ip\)")
            # the same balancer relays another client: not limited
            with proxied(s, client="127.0.0.8", version=2) as c:
                c.login()
            with proxied(s, client="127.0.0.7") as d:
                check_code(d.reply(), 421)
            s.wait_log(r"127\.0\.0\.7: refused")


@h.limit(40)
def test_slow_header_does_not_stall_daemon():
    with node() as s:
        silent = h.Raw(s.host, s.port, source=BALANCER)
        partial = h.Raw(s.host, s.port, source=BALANCER)
        partial.send(b"PROXY TCP4 127.0")
        start = time.monotonic()
        held = None
        try:
            # meanwhile the daemon serves others at once
            for version in (1, 2):
                t0 = time.monotonic()
                r = proxied(s, version=version)
                check_code(r.reply(timeout=3), 220)
                check(time.monotonic() - t0 < 2, "greeting while another header is pending")
                if held is None:
                    held = r    # stays open: its session must not hold the others
                else:
                    r.expect("QUIT", 221)
                    r.close()
            check(silent.closed(10), "a silent connection is closed")
            check(partial.closed(5), "a partial header is closed")
            took = time.monotonic() - start
            check(3.5 <= took <= 9, "closed after about 5 s (took %.1f s)" % took)
            held.expect("NOOP", 200)
        finally:
            silent.close()
            partial.close()
            if held is not None:
                held.close()
        s.wait_log(r"127\.0\.0\.1: refused: no complete PROXY header within 5 s")


def test_config_checks():
    r = h.run_ftpd(["-t", "-f", "/dev/null", "-o", "proxy_protocol=yes"])
    check_eq(r.returncode, 1, "proxy_protocol without proxy_trusted")
    check(b"proxy_trusted" in r.stderr, "the error names proxy_trusted: %r" % r.stderr)
    for bad, what in (("10.0.0.1/8", b"after the prefix"), ("lb.example", b"not an address"),
                      ("10.0.0.0/33", b"not an address")):
        r = h.run_ftpd(["-t", "-f", "/dev/null", "-o", "proxy_trusted=" + bad])
        check_eq(r.returncode, 1, "proxy_trusted=%s" % bad)
        check(what in r.stderr, "error for %s: %r" % (bad, r.stderr))
    r = h.run_ftpd(["-t", "-f", "/dev/null", "-o", "proxy_protocol=yes",
                    "-o", "proxy_trusted=10.0.0.0/24, 2001:db8::/32 192.0.2.7"])
    check_eq(r.returncode, 0, "a good list (stderr %r)" % r.stderr)


def test_inetd_mode():
    root = h.tempdir("ftpd-inetd-")
    h.write_tree(root, {"hello.txt": "hello\n"})
    acct = h.session_account().pw_name
    ls = socket.socket()
    ls.bind((NODE1, 0))
    ls.listen(4)
    ls.settimeout(h.TIMEOUT)

    def run(first, src=BALANCER):
        c = socket.socket()
        c.settimeout(h.TIMEOUT)
        c.bind((src, 0))
        c.connect(ls.getsockname())
        srv, _ = ls.accept()
        p = subprocess.Popen([h.FTPD, "-i", "-f", "/dev/null", "-o", "anon_root=" + root,
                              "-o", "anon_user=" + acct, "-o", "nopriv_user=nobody",
                              "-o", "proxy_protocol=yes", "-o", "proxy_trusted=" + BALANCER],
                             stdin=srv.fileno(), stdout=srv.fileno(), stderr=subprocess.DEVNULL)
        srv.close()
        c.sendall(first)
        return h.Raw.from_socket(c), p

    try:
        r, p = run(v1(CLIENT, BALANCER, 40000, 21) + b"USER anonymous\r\n")
        check_code(r.reply(), 220)
        check_code(r.reply(), 331)
        check_code(r.cmd("PASS x@y"), 230)
        r.expect("QUIT", 221)
        check_eq(p.wait(10), 0, "inetd session exit status")
        r, p = run(V2_LOCAL)
        check(r.closed(5), "health check closed")
        check_eq(r.buf, b"", "no greeting for a health check")
        check_eq(p.wait(10), 0, "health check exit status")
        for first, src in ((b"USER anonymous\r\n", BALANCER), (v1(CLIENT, BALANCER, 1, 21), CLIENT)):
            r, p = run(first, src)
            check(r.closed(5), "refused connection closed")
            check_eq(r.buf, b"", "no greeting when refused")
            check_eq(p.wait(10), 1, "refused exit status")
    finally:
        ls.close()


# --------------------------------------------------------------------------
# HAProxy in front of two nodes, configured as doc/haproxy.md says

DOC = os.path.join(h.TOP_SRCDIR, "doc", "haproxy.md")
RANGE = 10      # passive ports per node


def _free_port(host):
    s = socket.socket()
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _bindable(host, port):
    s = socket.socket()
    try:
        s.bind((host, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def _port_ranges():
    """Two disjoint ranges of RANGE ports, free on the balancer and on
    the node that gets each (below the kernel's ephemeral range)."""
    rnd = random.Random()
    for _ in range(200):
        base = rnd.randrange(20000, 32000 - 2 * RANGE)
        a = (base, base + RANGE - 1)
        b = (base + RANGE, base + 2 * RANGE - 1)
        if all(_bindable(BALANCER, p) and _bindable(NODE1, p) for p in range(a[0], a[1] + 1)) and \
           all(_bindable(BALANCER, p) and _bindable(NODE2, p) for p in range(b[0], b[1] + 1)):
            return a, b
    raise h.Failure("no free passive port ranges found")


def haproxy_config(ctrl_port, n1, n2, r1, r2, version):
    """The ```haproxy block of doc/haproxy.md with the example addresses
    and ports replaced by the test's."""
    with open(DOC) as f:
        text = f.read()
    blocks = re.findall(r"```haproxy\n(.*?)```", text, re.S)
    check_eq(len(blocks), 1, "doc/haproxy.md has one ```haproxy block")
    cfg = blocks[0]
    subs = [
        ("192.0.2.10:21\n", "%s:%d\n" % (BALANCER, ctrl_port)),
        ("10.0.0.11:21 ", "%s:%d " % (NODE1, n1)),
        ("10.0.0.12:21 ", "%s:%d " % (NODE2, n2)),
        ("192.0.2.10:50000-50999", "%s:%d-%d" % ((BALANCER,) + r1)),
        ("192.0.2.10:51000-51999", "%s:%d-%d" % ((BALANCER,) + r2)),
        ("10.0.0.11 ", NODE1 + " "),
        ("10.0.0.12 ", NODE2 + " "),
    ]
    for old, new in subs:
        check(old in cfg, "doc/haproxy.md config mentions %r" % old)
        cfg = cfg.replace(old, new)
    check(not re.search(r"192\.0\.2\.|10\.0\.0\.", cfg), "every documented address substituted")
    check_eq(cfg.count("send-proxy-v2"), 4, "send-proxy-v2 on every server line")
    if version == 1:
        cfg = cfg.replace("send-proxy-v2", "send-proxy")
    return cfg


class HAProxy:
    def __init__(self, cfg):
        self.dir = h.tempdir("ftpd-haproxy-")
        self.cfg = os.path.join(self.dir, "haproxy.cfg")
        with open(self.cfg, "w") as f:
            f.write(cfg)
        self.log_path = os.path.join(self.dir, "haproxy.log")
        self.proc = None

    def __enter__(self):
        r = subprocess.run(["haproxy", "-c", "-f", self.cfg], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=h.TIMEOUT)
        check_eq(r.returncode, 0, "haproxy -c accepts the documented config (%s)" %
                 r.stdout.decode(errors="replace")[-800:])
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(["haproxy", "-db", "-f", self.cfg], stdout=self._log,
                                     stderr=subprocess.STDOUT)
        return self

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def __exit__(self, *a):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()
        if a[0] is not None:
            print("  --- haproxy log ---\n  " + self.log_text()[-2500:].replace("\n", "\n  "))
        return False


def _wait_listening(host, port, what):
    """Waits until something listens on host:port, without connecting
    (a connection would be relayed to a node as a session)."""
    h.wait_for(lambda: not _bindable(host, port), what=what)


def _client(port, user, pw):
    f = ftplib.FTP(timeout=h.TIMEOUT, source_address=(CLIENT, 0))
    f.connect(BALANCER, port)
    f.login(user, pw)
    return f


def _retr(f, path):
    out = []
    f.retrbinary("RETR " + path, out.append)
    return b"".join(out)


def _epsv_retr(port, user, pw, path):
    """A download over EPSV, the client bound to CLIENT for both
    connections (ftplib only uses EPSV for IPv6)."""
    with h.Raw(BALANCER, port, source=CLIENT) as r:
        r.login(user, pw)
        dport, _ = passive_port(r, "epsv")
        d = socket.socket()
        d.settimeout(h.TIMEOUT)
        d.bind((CLIENT, 0))
        d.connect((BALANCER, dport))
        check_code(r.cmd("RETR " + path), 150)
        data = recv_all(d)
        check_code(r.reply(), 226)
        return data


def _scale_out(version):
    shared = h.tempdir("ftpd-shared-")
    root = os.path.join(shared, "anon")
    home = os.path.join(shared, "alice")
    h.write_tree(root, files_root())
    os.makedirs(home)
    os.chmod(home, 0o755)
    seed = h.pattern_bytes(500 * 1024, 11)
    with open(os.path.join(home, "seed.bin"), "wb") as f:
        f.write(seed)
    h.give_to_session(home)
    users = os.path.join(shared, "users")
    with open(users, "w") as f:
        f.write("alice:%s:%s\n" % (h.hash_password("s3cret"), home))
    os.chmod(users, 0o400)          # shared read-only
    r1, r2 = _port_ranges()
    common = {"proxy_protocol": "yes", "proxy_trusted": BALANCER, "pasv_address": BALANCER,
              "anon_root": root, "users_file": users}
    c1 = dict(common, pasv_ports="%d-%d" % r1)
    c2 = dict(common, pasv_ports="%d-%d" % r2)
    ctrl = _free_port(BALANCER)
    with Server(conf=c1, host=NODE1, args=["-d"]) as n1, \
            Server(conf=c2, host=NODE2, args=["-d"]) as n2:
        cfg = haproxy_config(ctrl, n1.port, n2.port, r1, r2, version)
        with HAProxy(cfg) as hp:
            _wait_listening(BALANCER, ctrl, "haproxy listening")
            # HAProxy's own health checks reach both nodes and end quietly
            check_name = "LOCAL" if version == 2 else "naming its own connection"
            for n in (n1, n2):
                n.wait_log(r"127\.0\.0\.1: PROXY v%d %s \(a health check\)" % (version, check_name))
            sums = {}
            uploads = []
            # roundrobin: sessions alternate; go on until both nodes served
            # some (at least 4 sessions, at most 8)
            for i in range(8):
                if i >= 4 and all(re.search(r"127\.0\.0\.9: login ok", n.log_text())
                                  for n in (n1, n2)):
                    break
                f = _client(ctrl, "alice", "s3cret")
                try:
                    rep = f.sendcmd("PASV")
                    check("(127,0,0,1," in rep, "PASV announces the balancer: %r" % rep)
                    # a file uploaded through an earlier session (maybe
                    # another node) is there: shared storage
                    for name, digest in sums.items():
                        check_eq(h.sha256(_retr(f, name)), digest, "RETR %s (session %d)" % (name, i))
                    check_eq(h.sha256(_retr(f, "seed.bin")), h.sha256(seed), "RETR seed.bin")
                    data = h.pattern_bytes(300 * 1024 + i, 20 + i)
                    name = "up%d-v%d.bin" % (i, version)
                    f.storbinary("STOR " + name, io.BytesIO(data))
                    sums[name] = h.sha256(data)
                    uploads.append(name)
                    check_eq(h.sha256(_retr(f, name)), sums[name], "RETR after STOR")
                    f.quit()
                finally:
                    f.close()
            for name in uploads:
                check_eq(h.sha256(os.path.join(home, name)), sums[name], "%s on the storage" % name)
            check_eq(h.sha256(_epsv_retr(ctrl, "anonymous", "x@y", "/pub/big.bin")),
                     h.sha256(files_root()["pub"]["big.bin"]), "EPSV download via the balancer")
            if h.have_program("curl"):
                out = os.path.join(shared, "curl.out")
                r = subprocess.run(["curl", "-sS", "--interface", CLIENT, "-o", out,
                                    "ftp://alice:s3cret@%s:%d/seed.bin" % (BALANCER, ctrl)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
                check_eq(r.returncode, 0, "curl --interface %s (stderr %r)" % (CLIENT, r.stderr))
                check_eq(h.sha256(out), h.sha256(seed), "curl download via the balancer")
            # a connection that skips the balancer gets nowhere
            with h.Raw(n1.host, n1.port, source=BALANCER) as r:
                r.send(b"USER alice\r\n")
                check(r.closed(5), "a direct connection without header is closed")
            n1.wait_log(r"127\.0\.0\.1: refused: not a PROXY protocol header")
        for n in (n1, n2):
            log = n.log_text()
            check(re.search(r"127\.0\.0\.9: session start", log),
                  "node %s served a session from 127.0.0.9" % n.host)
            check(re.search(r"127\.0\.0\.9: login ok: user=alice", log),
                  "node %s logged alice in from 127.0.0.9" % n.host)
            check(not re.search(r"127\.0\.0\.1: (session start|login)", log),
                  "node %s logged no session under the balancer's address" % n.host)
            check(not re.search(r"data connection failed", log),
                  "node %s: every data connection was accepted" % n.host)


@h.limit(150)
def test_haproxy_two_nodes():
    if not h.have_program("haproxy"):
        h.skip("haproxy is not installed (apt-get install haproxy; scripts/deps test)")
    _scale_out(2)
    _scale_out(1)


if __name__ == "__main__":
    h.main()
