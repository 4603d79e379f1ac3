"""test_server_transfer.py: data connections (PASV, EPSV, PORT, EPRT over
IPv4 and IPv6), transfer sizes, TYPE I and TYPE A conversion, REST with
RETR/STOR/APPE, files over 4 GiB, STOU, ALLO, TYPE/MODE/STRU, EPSV ALL,
pasv_ports and pasv_address."""

import os
import re
import socket

import harness as h
from harness import Server, check, check_eq, check_code

SIZES = [0, 1, 65536, 65537, 5 * 1024 * 1024 + 3]


def _roundtrip(s, host, modes):
    """Uploads and downloads every size in every mode; checks checksums on
    the wire and on disk."""
    home = s.home("u")
    with h.raw_session(s, host=host) as r:
        r.login("u", "pw")
        r.expect("TYPE I", 200)
        for mode in modes:
            for i, size in enumerate(SIZES):
                name = "%s-%d.bin" % (mode, size)
                data = h.pattern_bytes(size, i + 17)
                r.stor("STOR " + name, data, mode)
                check_eq(h.sha256(os.path.join(home, name)), h.sha256(data),
                         "%s upload of %d bytes" % (mode, size))
                got, _ = r.retr("RETR " + name, mode)
                check_eq(len(got), size, "%s download length" % mode)
                check_eq(h.sha256(got), h.sha256(data), "%s download of %d bytes" % (mode, size))
                rep = r.expect("SIZE " + name, 213)
                check_eq(rep.text.split()[-1], str(size), "SIZE")


@h.limit(120)
def test_ipv4_all_modes_all_sizes():
    with Server(users={"u": "pw"}) as s:
        _roundtrip(s, "127.0.0.1", ["pasv", "epsv", "port", "eprt"])


@h.limit(120)
def test_ipv6_epsv_eprt():
    if not socket.has_ipv6:
        h.skip("no IPv6")
    with Server(users={"u": "pw"}, host="::1") as s:
        check_eq(s.host, "::1", "listening address")
        _roundtrip(s, "::1", ["epsv", "eprt"])


def test_ipv4_and_ipv6_listeners():
    with Server(root_files={"f": "both\n"}, listen=["127.0.0.1:0", "[::1]:0"]) as s:
        hosts = sorted(a[0] for a in s.addrs)
        check_eq(hosts, ["127.0.0.1", "::1"], "one listening line per address")
        for host, port in s.addrs:
            with h.Raw(host, port) as r:
                r.login()
                r.expect("TYPE I", 200)
                data, _ = r.retr("RETR f", "epsv")
                check_eq(data, b"both\n", "RETR over " + host)
        # separate sockets: the v4 peer is 127.0.0.1, never ::ffff:127.0.0.1
        s.wait_log(r"127\.0\.0\.1")
        check("::ffff:" not in s.log_text(), "v4-mapped address in the log")


def test_separate_v4_v6_sockets_on_one_port():
    # a v6 wildcard socket without IPV6_V6ONLY would take the v4 port too
    for _ in range(20):
        probe4, probe6 = socket.socket(), socket.socket(socket.AF_INET6)
        try:
            probe4.bind(("0.0.0.0", 0))
            port = probe4.getsockname()[1]
            probe6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            probe6.bind(("::", port))
            break
        except OSError:
            continue
        finally:
            probe4.close()
            probe6.close()
    with Server(root_files={"f": "x"}, listen=["0.0.0.0:%d" % port, "[::]:%d" % port]) as s:
        check_eq(sorted(s.addrs), sorted([("0.0.0.0", port), ("::", port)]), "listening lines")
        for host in ("127.0.0.1", "::1"):
            with h.Raw(host, port) as r:
                r.login()
                data, _ = r.retr("RETR f", "epsv")
                check_eq(data, b"x", "RETR via " + host)
        s.wait_log(r"127\.0\.0\.1: session start|127\.0\.0\.1.*session")
        check("::ffff:" not in s.log_text(), "a v4 client logged as a v4-mapped address")


def test_ascii_download_converts_lf_to_crlf():
    text = b"line one\nline two\n\nlast line without newline"
    with Server(root_files={"t.txt": text, "crlf.txt": b"a\r\nb\r\n"}) as s:
        with h.raw_session(s) as r:
            r.login()
            r.expect("TYPE A", 200)
            for mode in ("pasv", "epsv", "port", "eprt"):
                got, _ = r.retr("RETR t.txt", mode)
                check_eq(got, text.replace(b"\n", b"\r\n"), "TYPE A RETR (%s)" % mode)
            # an existing CRLF is not doubled
            got, _ = r.retr("RETR crlf.txt")
            check_eq(got, b"a\r\nb\r\n", "CRLF file in TYPE A")
            r.expect("TYPE I", 200)
            got, _ = r.retr("RETR t.txt")
            check_eq(got, text, "TYPE I RETR is byte-exact")


def test_ascii_upload_converts_crlf_to_lf():
    with Server(users={"u": "pw"}) as s:
        with h.raw_session(s) as r:
            r.login("u", "pw")
            r.expect("TYPE A", 200)
            r.stor("STOR a.txt", b"one\r\ntwo\r\n\r\nthree")
            check_eq(open(os.path.join(s.home("u"), "a.txt"), "rb").read(), b"one\ntwo\n\nthree",
                     "TYPE A STOR stores LF")
            # a large ASCII upload: CRLF split across reads must still convert
            lines = b"".join(b"%d some text here\r\n" % i for i in range(200000))
            r.stor("STOR big.txt", lines, "port")
            check_eq(h.sha256(os.path.join(s.home("u"), "big.txt")),
                     h.sha256(lines.replace(b"\r\n", b"\n")), "large TYPE A upload")
            got, _ = r.retr("RETR big.txt", "pasv")
            check_eq(h.sha256(got), h.sha256(lines), "large TYPE A download")
            r.expect("TYPE I", 200)
            r.stor("STOR b.bin", b"one\r\ntwo\r\n")
            check_eq(open(os.path.join(s.home("u"), "b.bin"), "rb").read(), b"one\r\ntwo\r\n",
                     "TYPE I STOR is byte-exact")


def test_type_mode_stru():
    with Server() as s:
        with h.raw_session(s) as r:
            r.login()
            r.expect("TYPE A", 200)
            r.expect("TYPE A N", 200)
            r.expect("TYPE I", 200)
            r.expect("TYPE L 8", 200)
            r.expect("type i", 200)
            check_code(r.cmd("TYPE E"), 504, 501)
            check_code(r.cmd("TYPE L 7"), 504, 501)
            check_code(r.cmd("TYPE Q"), 501, 504)
            check_code(r.cmd("TYPE"), 501)
            r.expect("MODE S", 200)
            check_code(r.cmd("MODE B"), 504)
            check_code(r.cmd("MODE C"), 504)
            check_code(r.cmd("MODE"), 501)
            r.expect("STRU F", 200)
            check_code(r.cmd("STRU R"), 504)
            check_code(r.cmd("STRU P"), 504)
            check_code(r.cmd("STRU"), 501)
            check_code(r.cmd("ALLO 1000"), 200, 202)
            check_code(r.cmd("ALLO 1000 R 10"), 200, 202)


def test_rest_retr():
    data = h.pattern_bytes(100000, 5)
    with Server(root_files={"f.bin": data}) as s:
        with h.raw_session(s) as r:
            r.login()
            r.expect("TYPE I", 200)
            for off in (0, 1, 65536, 99999, 100000):
                r.expect("REST %d" % off, 350)
                got, _ = r.retr("RETR f.bin")
                check_eq(h.sha256(got), h.sha256(data[off:]), "REST %d RETR" % off)
            # REST applies to one transfer only
            got, _ = r.retr("RETR f.bin")
            check_eq(len(got), len(data), "REST is cleared after a transfer")
            check_code(r.cmd("REST -1"), 501)
            check_code(r.cmd("REST abc"), 501)
            check_code(r.cmd("REST"), 501)


def test_rest_stor_and_appe():
    data = h.pattern_bytes(300000, 6)
    with Server(users={"u": "pw"}) as s:
        home = s.home("u")
        with h.raw_session(s) as r:
            r.login("u", "pw")
            r.expect("TYPE I", 200)
            # resume an upload: first part, then REST n + STOR the rest
            r.stor("STOR up.bin", data[:123457])
            r.expect("REST 123457", 350)
            r.stor("STOR up.bin", data[123457:])
            check_eq(h.sha256(os.path.join(home, "up.bin")), h.sha256(data), "REST+STOR resume")
            # APPE appends
            r.stor("STOR ap.bin", data[:1000])
            r.stor("APPE ap.bin", data[1000:70000], "port")
            check_eq(h.sha256(os.path.join(home, "ap.bin")), h.sha256(data[:70000]), "APPE")
            # APPE to a missing file creates it
            r.stor("APPE new.bin", data[:10])
            check_eq(open(os.path.join(home, "new.bin"), "rb").read(), data[:10], "APPE creates")
            # REST n + APPE at the end of the file
            r.expect("REST 70000", 350)
            r.stor("APPE ap.bin", data[70000:])
            check_eq(h.sha256(os.path.join(home, "ap.bin")), h.sha256(data), "REST+APPE")


def test_rest_refused_in_ascii():
    with Server(root_files={"t.txt": "a\nb\n"}) as s:
        with h.raw_session(s) as r:
            r.login()
            r.expect("TYPE A", 200)
            check_code(r.cmd("REST 2"), 504)
            got, _ = r.retr("RETR t.txt")
            check_eq(got, b"a\r\nb\r\n", "no offset applied after a refused REST")
            r.expect("TYPE I", 200)
            r.expect("REST 2", 350)
            got, _ = r.retr("RETR t.txt")
            check_eq(got, b"b\n", "REST 2 in TYPE I")


@h.limit(90)
def test_over_4gib():
    big = 5 * 1024 ** 3 + 12345
    tail = h.pattern_bytes(200000, 8)
    with Server(users={"u": "pw"}, root_files={"pub": None}) as s:
        p = os.path.join(s.root, "pub", "huge.bin")
        with open(p, "wb") as f:
            f.truncate(big)
            f.seek(big - len(tail))
            f.write(tail)
        os.chmod(p, 0o644)
        with h.raw_session(s) as r:
            r.login()
            r.expect("TYPE I", 200)
            rep = r.expect("SIZE /pub/huge.bin", 213)
            check_eq(rep.text.split()[-1], str(big), "SIZE of a 5 GiB file")
            r.expect("REST %d" % (big - len(tail)), 350)
            got, _ = r.retr("RETR /pub/huge.bin")
            check_eq(h.sha256(got), h.sha256(tail), "REST near the end of a 5 GiB file")
            r.expect("REST %d" % (big - 10), 350)
            got, _ = r.retr("RETR /pub/huge.bin", "port")
            check_eq(got, tail[-10:], "last 10 bytes")
            listing = r.list("LIST /pub")
            check(str(big) in listing, "LIST shows the full size: %r" % listing)
            mlsd = r.list("MLSD /pub")
            check("size=%d;" % big in mlsd.lower(), "MLSD size fact: %r" % mlsd)
        # resume an upload past 4 GiB
        up = os.path.join(s.home("u"), "up.bin")
        start = 4 * 1024 ** 3 + 7
        with open(up, "wb") as f:
            f.truncate(start)
        h.give_to_session(up)
        more = h.pattern_bytes(100000, 9)
        with h.raw_session(s) as r:
            r.login("u", "pw")
            r.expect("TYPE I", 200)
            r.expect("REST %d" % start, 350)
            r.stor("STOR up.bin", more)
            rep = r.expect("SIZE up.bin", 213)
            check_eq(rep.text.split()[-1], str(start + len(more)), "size after resume")
        with open(up, "rb") as f:
            f.seek(start)
            check_eq(h.sha256(f.read()), h.sha256(more), "data written past 4 GiB")


def test_stou():
    with Server(users={"u": "pw"}) as s:
        with h.raw_session(s) as r:
            r.login("u", "pw")
            r.expect("TYPE I", 200)
            names = []
            for i in range(2):
                pre, fin = r.stor("STOU", b"unique %d" % i)
                m = re.search(r"FILE: *(\S+)", pre.text + "\n" + fin.text)
                check(m, "STOU names the file (RFC 1123 'FILE: name'): %r / %r" % (pre.text, fin.text))
                names.append(os.path.basename(m.group(1)))
            check(names[0] != names[1], "STOU names are unique: %r" % names)
            for i, n in enumerate(names):
                check_eq(open(os.path.join(s.home("u"), n), "rb").read(), b"unique %d" % i,
                         "STOU content")
            # STOU with a wanted name that exists gets another name
            r.stor("STOR taken", b"old")
            get = r.open_data("epsv")
            rep = r.cmd("STOU taken")
            d = get()
            if rep.code in (125, 150):
                d.sendall(b"new")
                d.close()
                check_code(r.reply(), 226, 250)
            else:
                d.close()
                check_code(rep, 501)
            check_eq(open(os.path.join(s.home("u"), "taken"), "rb").read(), b"old",
                     "STOU never overwrites")


def test_epsv_all():
    with Server(root_files={"f": "x"}) as s:
        with h.raw_session(s) as r:
            r.login()
            r.expect("EPSV ALL", 2)
            check_code(r.cmd("PASV"), 5)
            check_code(r.cmd("PORT 127,0,0,1,100,100"), 5)
            check_code(r.cmd("EPRT |1|127.0.0.1|25700|"), 5)
            data, _ = r.retr("RETR f", "epsv")
            check_eq(data, b"x", "EPSV still works after EPSV ALL")
            check_code(r.cmd("EPSV 3"), 522, 501)


def test_eprt_epsv_protocol_arguments():
    with Server(root_files={"f": "x"}) as s:
        with h.raw_session(s) as r:
            r.login()
            data, _ = r.retr("RETR f", "epsv")
            r.expect("EPSV 1", 229)
            check_code(r.cmd("EPSV 2"), 522)    # v6 on a v4 control connection
            check_code(r.cmd("EPRT |2|::1|5000|"), 522, 5)
            check_code(r.cmd("EPRT |3|127.0.0.1|5000|"), 522)
            check_code(r.cmd("EPRT garbage"), 501)
            check_code(r.cmd("PORT 127,0,0,1,300,1"), 501)
            check_code(r.cmd("PORT 127,0,0,1"), 501)
            check_code(r.cmd("PORT"), 501)
            data, _ = r.retr("RETR f", "port")
            check_eq(data, b"x", "session works after bad PORT/EPRT")


def test_pasv_ports_and_address():
    with Server(root_files={"f": "x"},
                conf={"pasv_ports": "50100-50104", "pasv_address": "127.0.0.1"}) as s:
        with h.raw_session(s) as r:
            r.login()
            for _ in range(6):
                rep = r.expect("PASV", 227)
                m = re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", rep.text)
                port = int(m.group(5)) * 256 + int(m.group(6))
                check(50100 <= port <= 50104, "PASV port %d in pasv_ports" % port)
                rep = r.expect("EPSV", 229)
                port = int(re.search(r"\|\|\|(\d+)\|", rep.text).group(1))
                check(50100 <= port <= 50104, "EPSV port %d in pasv_ports" % port)
            data, _ = r.retr("RETR f", "pasv")
            check_eq(data, b"x", "transfer in the port range")
    with Server(root_files={"f": "x"}, conf={"pasv_address": "192.0.2.7"}) as s:
        with h.raw_session(s) as r:
            r.login()
            rep = r.expect("PASV", 227)
            check("192,0,2,7," in rep.text, "PASV announces pasv_address: %r" % rep.text)
            rep = r.expect("EPSV", 229)     # EPSV carries no address
            # the data connection itself still comes to the control address
            data, _ = r.retr("RETR f", "epsv")
            check_eq(data, b"x", "EPSV with pasv_address set")


if __name__ == "__main__":
    h.main()
