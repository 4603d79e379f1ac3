"""test_server_datachan.py: data connection security and failures: PORT
and EPRT to another address refused (RFC 2577), passive connections from
another address refused with a reply that says so, data_timeout, failed
active connections, ABOR during transfers (426 then 226)."""

import os
import re
import socket
import time

import harness as h
from harness import Server, check, check_eq, check_code


def _listener(addr):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, 0))
    ls.listen(1)
    ls.settimeout(0.5)
    return ls


def test_port_eprt_to_other_address_refused():
    with Server(root_files={"f": "secret data\n"}) as s:
        with h.raw_session(s) as r:
            r.login()
            r.expect("TYPE I", 200)
            trap = _listener("127.0.0.2")
            port = trap.getsockname()[1]
            for c in ("PORT 127,0,0,2,%d,%d" % (port >> 8, port & 255),
                      "EPRT |1|127.0.0.2|%d|" % port,
                      "PORT 10,1,2,3,%d,%d" % (port >> 8, port & 255),
                      "EPRT |1|192.0.2.1|%d|" % port):
                rep = r.cmd(c)
                if rep.code == 200:
                    # accepted the command: the transfer must still not go there
                    rep = r.cmd("RETR f")
                    check(rep.code >= 400, "%s then RETR: %r" % (c, rep.text))
                else:
                    check_code(rep, 500, 501, 504, 522)
            try:
                c, peer = trap.accept()
                c.close()
                raise h.Failure("server connected to 127.0.0.2 (%r)" % (peer,))
            except socket.timeout:
                pass
            trap.close()
            data, _ = r.retr("RETR f", "port")
            check_eq(data, b"secret data\n", "PORT to the client's own address works")
        check(re.search(r"127\.0\.0\.2", s.log_text()), "the log names the refused address")


def test_passive_connection_from_other_address_refused():
    with Server(root_files={"f": b"secret data\n" * 1000}, conf={"data_timeout": "3"}) as s:
        with h.raw_session(s) as r:
            r.login()
            r.expect("TYPE I", 200)
            for verb in ("PASV", "EPSV"):
                rep = r.cmd(verb)
                check_code(rep, 227, 229)
                if verb == "PASV":
                    m = re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", rep.text)
                    port = int(m.group(5)) * 256 + int(m.group(6))
                else:
                    port = int(re.search(r"\|\|\|(\d+)\|", rep.text).group(1))
                thief = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                thief.bind(("127.0.0.2", 0))
                thief.settimeout(h.TIMEOUT)
                thief.connect(("127.0.0.1", port))
                start = time.monotonic()
                rep = r.cmd("RETR f", timeout=15)
                if rep.code in (125, 150):
                    rep = r.reply(timeout=15)
                check_code(rep, 425, 426)
                check(re.search(r"127\.0\.0\.2|address|different", rep.text, re.I),
                      "the reply says why: %r" % rep.text)
                stolen = b""
                try:
                    while True:
                        b = thief.recv(65536)
                        if not b:
                            break
                        stolen += b
                except OSError:
                    pass
                thief.close()
                check_eq(stolen, b"", "bytes sent to the thief")
                check(time.monotonic() - start < 12, "refusal took too long")
            # the session still works with a proper connection
            data, _ = r.retr("RETR f", "epsv")
            check_eq(len(data), 12000, "transfer after the refusals")
        check(re.search(r"127\.0\.0\.2", s.log_text()), "the log names the thief's address")


def test_port_eprt_low_port_refused():
    with Server(root_files={"f": "x"}) as s:
        with h.raw_session(s) as r:
            r.login()
            for c in ("PORT 127,0,0,1,0,25", "EPRT |1|127.0.0.1|80|", "PORT 127,0,0,1,3,255"):
                rep = check_code(r.cmd(c), 5)
                check(re.search(r"port|1024", rep.text, re.I), "%s: reply says why: %r" % (c, rep.text))
            data, _ = r.retr("RETR f", "eprt")
            check_eq(data, b"x", "a high port still works")


def test_passive_range_exhausted():
    with Server(root_files={"f": "x"}, conf={"pasv_ports": "50210-50210"}) as s:
        with h.raw_session(s) as a, h.raw_session(s) as b:
            a.login()
            b.login()
            a.expect("PASV", 227)           # holds the only port
            rep = b.cmd("EPSV")
            check_code(rep, 425, 421, 451)
            check(re.search(r"range|50210|port", rep.text, re.I), "reply says why: %r" % rep.text)
            data, _ = a.retr("RETR f", "epsv")
            check_eq(data, b"x", "the port holder can transfer")
            data, _ = b.retr("RETR f", "epsv")
            check_eq(data, b"x", "the port is free again afterwards")


def test_data_timeout_stalled_upload():
    with Server(users={"u": "pw"}, conf={"data_timeout": "2"}) as s:
        with h.raw_session(s) as r:
            r.login("u", "pw")
            r.expect("TYPE I", 200)
            get = r.open_data("epsv")
            check_code(r.cmd("STOR stalled.bin"), 125, 150)
            d = get()
            d.sendall(b"x" * 1000)          # then nothing, without closing
            start = time.monotonic()
            rep = r.reply(timeout=12)
            took = time.monotonic() - start
            check_code(rep, 426, 421, 451)
            check(1.5 <= took <= 8, "data_timeout=2 on a stalled upload took %.1f s" % took)
            d.close()
            r.expect("NOOP", 200)
        check_eq(os.listdir(s.home("u")), [], "a stalled upload leaves no file")


def test_data_timeout_passive():
    with Server(root_files={"f": "x"}, conf={"data_timeout": "2"}) as s:
        with h.raw_session(s) as r:
            r.login()
            r.expect("EPSV", 229)
            start = time.monotonic()
            rep = r.cmd("RETR f", timeout=12)
            if rep.code in (125, 150):
                rep = r.reply(timeout=12)
            took = time.monotonic() - start
            check_code(rep, 425)
            check(re.search(r"time|connect", rep.text, re.I), "425 says why: %r" % rep.text)
            check(1.5 <= took <= 8, "data_timeout=2 took %.1f s" % took)
            r.expect("NOOP", 200)
        check(re.search(r"time|nothing connected|within", s.log_text(), re.I), "the log says why")


def test_active_connect_refused():
    with Server(root_files={"f": "x"}) as s:
        with h.raw_session(s) as r:
            r.login()
            ls = _listener("127.0.0.1")
            port = ls.getsockname()[1]
            ls.close()                       # nobody listens there now
            r.expect("EPRT |1|127.0.0.1|%d|" % port, 200)
            rep = r.cmd("RETR f")
            if rep.code in (125, 150):
                rep = r.reply()
            check_code(rep, 425)
            check(re.search(r"refused|connect", rep.text, re.I), "425 says why: %r" % rep.text)
            r.expect("NOOP", 200)


def test_transfer_without_data_setup():
    with Server(root_files={"f": "x"}) as s:
        with h.raw_session(s) as r:
            r.login()
            rep = r.cmd("RETR f")
            check_code(rep, 425, 503)
            r.expect("NOOP", 200)


def _abor(r, prefix):
    r.send(prefix + b"ABOR\r\n")
    first = r.reply(timeout=10)
    check_eq(first.code, 426, "first reply to ABOR during a transfer (%r)" % first.text)
    second = r.reply(timeout=10)
    check_eq(second.code, 226, "second reply to ABOR (%r)" % second.text)


@h.limit(60)
def test_abor_during_retr():
    with Server(root_files={"pub": None}) as s:
        p = os.path.join(s.root, "pub", "big.bin")
        with open(p, "wb") as f:
            f.truncate(200 * 1024 * 1024)
        os.chmod(p, 0o644)
        for prefix, mode in ((b"", "epsv"), (b"\xff\xf4\xff\xf2", "pasv"), (b"", "port")):
            with h.raw_session(s) as r:
                r.login()
                r.expect("TYPE I", 200)
                get = r.open_data(mode)
                check_code(r.cmd("RETR /pub/big.bin"), 125, 150)
                d = get()
                got = d.recv(65536)
                check(got, "some data arrives")
                # do not read further: the server is blocked on the data socket
                _abor(r, prefix)
                d.close()
                r.expect("NOOP", 200)
                data, _ = r.retr("NLST /pub")
                check_eq(data, b"big.bin\r\n", "session works after ABOR")


@h.limit(60)
def test_abor_during_stor():
    with Server(users={"u": "pw"}) as s:
        with h.raw_session(s) as r:
            r.login("u", "pw")
            r.expect("TYPE I", 200)
            get = r.open_data("epsv")
            check_code(r.cmd("STOR up.bin"), 125, 150)
            d = get()
            d.sendall(h.pattern_bytes(100000, 1))
            _abor(r, b"\xff\xf4\xff\xf2")
            d.close()
            r.expect("NOOP", 200)
            check(not os.path.exists(os.path.join(s.home("u"), "up.bin")),
                  "an aborted STOR leaves no file")


if __name__ == "__main__":
    h.main()
