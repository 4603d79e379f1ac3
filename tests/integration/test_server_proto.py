"""test_server_proto.py: reply format (RFC 959 4.2 multi-line replies,
FEAT per RFC 2389), informational verbs (SYST NOOP HELP STAT OPTS ACCT
QUIT), Telnet IAC handling and bad input (long lines, NUL bytes, invalid
UTF-8, unknown verbs, wrong arguments, out-of-sequence commands)."""

import re
import time

import harness as h
from harness import Server, check, check_eq, check_code


def _check_multiline(rep, code):
    """RFC 959 4.2: 'ddd-' first line, 'ddd ' last line, CRLF everywhere."""
    raw = rep.raw
    check(raw.endswith(b"\r\n"), "reply ends with CRLF")
    lines = raw[:-2].split(b"\r\n")
    check(all(b"\n" not in l and b"\r" not in l for l in lines), "bare CR/LF inside a reply")
    check(lines[0].startswith(b"%d-" % code), "first line 'ddd-': %r" % lines[0])
    check(lines[-1].startswith(b"%d " % code), "last line 'ddd ': %r" % lines[-1])
    for l in lines[1:-1]:
        check(not re.match(rb"\d{3} ", l), "inner line looks like an end line: %r" % l)
    return [l.decode("utf-8", "replace") for l in lines]


def test_feat_format():
    with Server() as s:
        with h.raw_session(s) as r:
            r.login()
            rep = r.expect("FEAT", 211)
            lines = _check_multiline(rep, 211)
            feats = lines[1:-1]
            check(feats, "FEAT lists features")
            for f in feats:
                check(f.startswith(" "), "RFC 2389: feature lines start with a space: %r" % f)
            names = {f.strip().split(" ")[0].upper() for f in feats}
            for want in ("EPRT", "EPSV", "MDTM", "SIZE", "REST", "MLST", "UTF8", "MFMT"):
                check(want in names, "FEAT lists %s: %r" % (want, feats))
            mlst = [f for f in feats if f.strip().upper().startswith("MLST")][0]
            for fact in ("type", "size", "modify", "perm", "unique", "unix.mode"):
                check(fact in mlst.lower(), "MLST feature lists %s: %r" % (fact, mlst))


def test_help_format():
    with Server() as s:
        with h.raw_session(s) as r:
            check_code(r.reply(), 220)
            rep = r.expect("HELP", 214)            # HELP works before login
            _check_multiline(rep, 214)
            text = rep.text.upper()
            for verb in ("USER", "PASS", "RETR", "STOR", "EPSV", "MLSD", "MFMT", "SITE"):
                check(re.search(r"\b%s\b" % verb, text), "HELP lists %s" % verb)
            rep = r.expect("HELP RETR", 214)
            check("RETR" in rep.text.upper(), "HELP RETR: %r" % rep.text)
            check_code(r.cmd("HELP NOSUCHVERB"), 501, 502, 504)


def test_info_verbs():
    with Server() as s:
        with h.raw_session(s) as r:
            check_code(r.reply(), 220)
            check_eq(r.expect("SYST", 215).lines[0], "215 UNIX Type: L8", "SYST")
            r.expect("NOOP", 200)
            r.login()
            rep = r.expect("STAT", 211)
            lines = _check_multiline(rep, 211)
            check(re.search(r"127\.0\.0\.1", rep.text), "STAT shows the client: %r" % rep.text)
            check(re.search(r"anonymous|ftp", rep.text, re.I), "STAT shows the user")
            r.expect("OPTS UTF8 ON", 200)
            check_code(r.cmd("OPTS UTF8 OFF"), 200, 501, 504)
            check_code(r.cmd("OPTS NOSUCH"), 501, 502, 504)
            check_code(r.cmd("OPTS"), 501)
            check_code(r.cmd("ACCT x"), 202, 230)
            check_code(r.cmd("ABOR"), 225, 226)           # nothing to abort
            r.expect("noop", 200)                          # verbs are case-insensitive
            r.expect("NoOp", 200)
            check_code(r.cmd("QUIT"), 221)
            check(r.closed(), "server closes after QUIT")


def test_pipelined_commands():
    with Server() as s:
        with h.raw_session(s) as r:
            r.login()
            r.send(b"NOOP\r\nSYST\r\nPWD\r\nTYPE I\r\nMODE S\r\n")
            codes = [r.reply().code for _ in range(5)]
            check_eq(codes, [200, 215, 257, 200, 200], "replies to pipelined commands")
            # a command split over several packets
            r.send(b"NO")
            time.sleep(0.1)
            r.send(b"OP\r")
            time.sleep(0.1)
            r.send(b"\n")
            check_code(r.reply(), 200)


def test_long_line():
    with Server() as s:
        with h.raw_session(s) as r:
            r.login()
            r.send(b"NOOP " + b"A" * 5120 + b"\r\n")
            check_code(r.reply(), 500)
            r.expect("NOOP", 200)
            # the tail of the long line is never run as a command
            r.send(b"STAT " + b"B" * 5000 + b"NOOP\r\nSYST\r\n")
            check_code(r.reply(), 500)
            check_code(r.reply(), 215)
            # a very long line arriving in pieces
            for _ in range(20):
                r.send(b"C" * 1000)
            r.send(b"\r\n")
            check_code(r.reply(), 500)
            r.expect("PWD", 257)
            # just under the limit is fine
            rep = r.cmd("CWD /" + "d" * 4000)
            check_code(rep, 550, 501, 553)


def test_max_line_setting():
    with Server(conf={"max_line": "100"}) as s:
        with h.raw_session(s) as r:
            r.login()
            check_code(r.cmd("CWD " + "x" * 200), 500)
            r.expect("NOOP", 200)


def test_nul_bytes():
    with Server(root_files={"f": "x"}) as s:
        with h.raw_session(s) as r:
            r.login()
            check_code(r.cmd(b"NO\x00OP"), 500, 501)
            check_code(r.cmd(b"CWD f\x00/etc"), 501, 550, 553)
            check_code(r.cmd(b"SIZE f\x00"), 501, 550, 553)
            r.expect("NOOP", 200)


def test_invalid_utf8():
    with Server(users={"u": "pw"}) as s:
        with h.raw_session(s) as r:
            r.login("u", "pw")
            check_code(r.cmd(b"MKD bad\xc3\x28name"), 501, 550, 553)
            check_code(r.cmd(b"CWD \xc0\xaf\xe2\x82"), 501, 550, 553)
            check_code(r.cmd(b"\xc3\x28VERB"), 500, 501, 502)
            r.expect("NOOP", 200)
            # a valid multibyte name works
            r.expect("MKD ok\xc3\xa9".encode("latin-1").decode("utf-8"), 257)


def test_unknown_and_wrong_arguments():
    with Server() as s:
        with h.raw_session(s) as r:
            check_code(r.reply(), 220)
            check_code(r.cmd("FOOBAR"), 500, 502)
            check_code(r.cmd("FOOBAR x y z"), 500, 502)
            check_code(r.cmd(""), 500, 501)
            check_code(r.cmd("   "), 500, 501)
            check_code(r.cmd("USER"), 501)
            r.login()
            check_code(r.cmd("XYZZY"), 500, 502)
            check_code(r.cmd("RETR"), 501)
            check_code(r.cmd("NOOP extra"), 501, 200)
            check_code(r.cmd("PWD extra"), 501, 257)
            check_code(r.cmd("PASV extra"), 501, 227)
            check_code(r.cmd("SYST extra"), 501, 215)
            check_code(r.cmd("CWD"), 501)
            check_code(r.cmd("SIZE"), 501)
            check_code(r.cmd("MDTM"), 501)
            check_code(r.cmd("RNFR"), 501)
            check_code(r.cmd("RNTO x"), 503, 550)   # anonymous may also be refused outright
            check_code(r.cmd("PASS again"), 503, 230, 202)
            r.expect("NOOP", 200)


def test_iac_sequences():
    with Server(users={"u": "pw"}, root_files={"f": "x"}) as s:
        with h.raw_session(s) as r:
            r.login("u", "pw")
            # IAC IP, IAC DM before ABOR (the Telnet "synch" clients send)
            check_code(r.cmd(b"\xff\xf4\xff\xf2ABOR"), 225, 226)
            # option negotiation and IAC NOP inside a line are removed
            check_code(r.cmd(b"\xff\xfb\x01NO\xff\xf1OP"), 200)
            check_code(r.cmd(b"\xff\xfd\x03SYST"), 215)
            # IAC IAC is one 0xFF data byte
            rep = r.cmd(b"MKD a\xff\xffb")
            if rep.code == 257:
                import os
                names = os.listdir(s.home("u"))
                check_eq(names, [os.fsdecode(b"a\xffb")], "IAC IAC becomes one 0xFF byte")
                check(b"\xff\xff" in rep.raw, "0xFF in a reply is sent as IAC IAC: %r" % rep.raw)
            else:
                check_code(rep, 501, 550, 553)   # refused as invalid UTF-8
            r.expect("NOOP", 200)
            # a lone IAC at the end of a packet, completed in the next one
            r.send(b"NOOP\xff")
            time.sleep(0.1)
            r.send(b"\xf1\r\n")
            check_code(r.reply(), 200)


def test_session_survives_garbage():
    junk = [b"\x00" * 100, b"\xff" * 101, b"\r\n" * 50, bytes(range(256)),
            b"\x1b[31mRED\x1b[0m", b"USER \r\n\r\nPASS", b"\n\n\n", b"PORT " + b"9," * 500]
    with Server() as s:
        with h.raw_session(s) as r:
            r.login()
            for j in junk:
                r.send(j + b"\r\n")
            time.sleep(0.3)
            r.send(b"SYST\r\n")
            # drain replies until the SYST answer arrives
            end = time.monotonic() + h.TIMEOUT
            while True:
                rep = r.reply()
                if rep.code == 215:
                    break
                check(time.monotonic() < end, "no reply to SYST after junk")
        # the daemon still accepts new sessions
        with h.raw_session(s) as r:
            r.login()
            r.expect("NOOP", 200)


if __name__ == "__main__":
    h.main()
