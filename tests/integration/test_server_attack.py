"""test_server_attack.py: hostile clients.  Path traversal (.., absolute
paths, symlinks), anonymous writes, PORT/EPRT bounce, passive-port theft,
password guessing (max_login_attempts, the growing login_fail_delay,
bans), huge lines, NUL and IAC bytes, silent and surplus connections,
a full disk (RLIMIT_FSIZE) and vanishing uploaders, bandwidth limits and
stalled transfers.  Every test ends by checking that a fresh session
still works.  (test_server_fs.py, test_server_datachan.py,
test_server_proto.py and test_server_limits.py hold the basic cases;
these go further.)"""

import os
import re
import socket
import struct
import sys
import threading
import time

import harness as h
from harness import Server, check, check_eq, check_code

SECRET = b"TOP SECRET OUTSIDE"


def fresh_session_works(s, host=None, user="anonymous", pw="x@example.org"):
    """A new session logs in, lists and quits normally."""
    with h.raw_session(s, host=host) as r:
        r.login(user, pw)
        r.expect("NOOP", 200)
        r.list("LIST")
        check_code(r.cmd("QUIT"), 221)


def _retr_leaks(r, cmd):
    """Runs a download command; returns the bytes it delivered (b"" if it
    was refused)."""
    get = r.open_data("epsv")
    rep = r.cmd(cmd)
    d = get()
    got = b""
    try:
        if rep.code in (125, 150):
            while True:
                b = d.recv(65536)
                if not b:
                    break
                got += b
            r.reply()
        else:
            check_code(rep, 4, 5)
    finally:
        d.close()
    return got


def _plant_secrets(s):
    out = os.path.join(s.dir, "outside")
    os.makedirs(out, exist_ok=True)
    os.chmod(out, 0o755)
    for p in (os.path.join(s.dir, "secret.txt"), os.path.join(out, "secret.txt")):
        with open(p, "wb") as f:
            f.write(SECRET + b"\n")
        os.chmod(p, 0o644)
    return out


def test_traversal_variants():
    with Server(root_files={"pub": {"f": "inside"}}, users={"u": "pw"}) as s:
        out = _plant_secrets(s)
        os.symlink("/", os.path.join(s.root, "slash"))
        os.symlink("../../../../../../..", os.path.join(s.root, "up"))
        os.symlink(out, os.path.join(s.root, "outdir"))
        os.symlink("loop2", os.path.join(s.root, "loop1"))
        os.symlink("loop1", os.path.join(s.root, "loop2"))
        rel = os.path.relpath(os.path.join(s.dir, "secret.txt"), "/")
        with h.raw_session(s) as r:
            r.login()
            r.expect("TYPE I", 200)
            for p in ("../secret.txt", "../../secret.txt", "/../secret.txt",
                      "/pub/../../secret.txt", "pub/../../../secret.txt",
                      "..%2fsecret.txt", "..\\secret.txt", "....//secret.txt",
                      "./../secret.txt", "~/../secret.txt", "//../secret.txt",
                      "/" + rel, "../" * 20 + rel, "slash/" + rel, "up/" + rel,
                      "outdir/secret.txt", "slash/etc/passwd", "up/etc/passwd",
                      "/proc/self/root/" + rel, "/proc/1/root/etc/passwd",
                      "loop1", "/dev/zero", "/etc/shadow"):
                got = _retr_leaks(r, "RETR " + p)
                check(SECRET not in got and b"root:" not in got,
                      "RETR %s escaped the root: %r" % (p, got[:80]))
                for verb in ("SIZE", "MDTM"):
                    check_code(r.cmd("%s %s" % (verb, p)), 5)
            for p in ("..", "../..", "/..", "slash", "up", "outdir", "slash/etc"):
                rep = r.cmd("CWD " + p)
                if rep.code == 250:
                    listing = r.list("LIST -a")
                    check("secret.txt" not in listing and "passwd" not in listing,
                          "CWD %s then LIST escaped: %r" % (p, listing))
                    check("ftpd.log" not in listing and "home" not in listing,
                          "CWD %s shows the root's parent: %r" % (p, listing))
                r.expect("CWD /", 250)
                for verb in ("LIST -aR", "NLST -a", "MLSD", "STAT"):
                    if verb == "STAT":
                        text = r.cmd("STAT " + p).text
                    else:
                        text = _retr_leaks(r, "%s %s" % (verb, p)).decode("utf-8", "replace")
                    check("secret.txt" not in text and "shadow" not in text,
                          "%s %s escaped: %r" % (verb, p, text[:200]))
        # a user who can write: nothing lands outside the home
        with h.raw_session(s) as r:
            r.login("u", "pw")
            for p in ("../x1", "/../x2", "slash/x3", "../../outside/x4"):
                get = r.open_data("epsv")
                rep = r.cmd("STOR " + p)
                d = get()
                if rep.code in (125, 150):
                    d.sendall(b"planted")
                    d.close()
                    r.reply()
                else:
                    d.close()
            for p in ("../secret.txt", "../../outside/secret.txt"):
                check_code(r.cmd("DELE " + p), 5)
                check_code(r.cmd("RNFR " + p), 5)
            check_code(r.cmd("SITE CHMOD 777 ../../outside/secret.txt"), 5)
            check_code(r.cmd("RMD ../../outside"), 5)
        for dirpath, _, names in os.walk(s.dir):
            for n in names:
                check(not n.startswith("x") or dirpath == s.home("u"),
                      "upload escaped to %s/%s" % (dirpath, n))
        check(os.path.exists(os.path.join(out, "secret.txt")), "outside file intact")
        check_eq(os.stat(os.path.join(out, "secret.txt")).st_mode & 0o777, 0o644,
                 "outside file mode")
        fresh_session_works(s)


def test_anonymous_writes_refused():
    with Server(root_files={"pub": {"f": "keep"}, "incoming": {"old": "old"}}) as s:
        before = sorted(os.walk(s.root))
        with h.raw_session(s) as r:
            r.login()
            for c in ("DELE pub/f", "MKD newdir", "RMD pub", "RNFR pub/f",
                      "SITE CHMOD 777 pub/f", "MFMT 20000101000000 pub/f",
                      "XMKD d2", "XRMD pub"):
                check_code(r.cmd(c), 550, 553, 502)
            for c in ("STOR pub/new", "APPE pub/f", "STOU", "STOR incoming/x"):
                get = r.open_data("epsv")
                rep = r.cmd(c)
                d = get()
                if rep.code in (125, 150):
                    d.sendall(b"evil")
                    d.close()
                    rep = r.reply()
                    raise h.Failure("%s accepted data: %r" % (c, rep.text))
                d.close()
                check_code(rep, 550, 553, 532)
            r.expect("NOOP", 200)
        check_eq(sorted(os.walk(s.root)), before, "anonymous changed the tree")
        check_eq(open(os.path.join(s.root, "pub", "f")).read(), "keep", "pub/f content")
        fresh_session_works(s)
    # with an upload folder: only new files and folders inside it
    with Server(root_files={"pub": {"f": "keep"}, "incoming": {"old": "old"}},
                conf={"anon_upload_dir": "/incoming"}) as s:
        h.give_to_session(os.path.join(s.root, "incoming"))
        with h.raw_session(s) as r:
            r.login()
            r.expect("TYPE I", 200)
            r.stor("STOR /incoming/new.bin", b"fresh")
            for c in ("DELE incoming/old", "RMD incoming", "RNFR incoming/old",
                      "SITE CHMOD 777 incoming/old", "MKD pub/x"):
                check_code(r.cmd(c), 550, 553)
            for c in ("STOR incoming/old", "APPE incoming/old", "STOR pub/new",
                      "STOR incoming/../pub/new"):
                get = r.open_data("epsv")
                rep = r.cmd(c)
                d = get()
                if rep.code in (125, 150):
                    d.sendall(b"evil")
                    d.close()
                    rep = r.reply()
                    check_code(rep, 5)
                else:
                    d.close()
                    check_code(rep, 550, 553)
            check_code(r.cmd("REST 1"), 350, 5)
            get = r.open_data("epsv")
            rep = r.cmd("STOR incoming/new.bin")
            get().close()
            if rep.code in (125, 150):
                rep = r.reply()
            check_code(rep, 5)
        check_eq(open(os.path.join(s.root, "incoming", "old")).read(), "old", "old kept")
        check_eq(open(os.path.join(s.root, "incoming", "new.bin"), "rb").read(), b"fresh",
                 "new file not overwritten")
        check(not os.path.exists(os.path.join(s.root, "pub", "new")), "upload outside")
        fresh_session_works(s)


def test_port_bounce_variants():
    with Server(root_files={"f": b"payload" * 100}) as s:
        trap = socket.socket()
        trap.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        trap.bind(("127.0.0.2", 0))
        trap.listen(8)
        trap.settimeout(0.3)
        port = trap.getsockname()[1]
        hi, lo = port >> 8, port & 255
        with h.raw_session(s) as r:
            r.login()
            for c in ("PORT 127,0,0,2,%d,%d" % (hi, lo),
                      "PORT 0,0,0,0,%d,%d" % (hi, lo),
                      "PORT 255,255,255,255,%d,%d" % (hi, lo),
                      "PORT 127,0,0,1,0,21",
                      "PORT 127,0,0,1,256,1",
                      "PORT 127,0,0,1,-1,1",
                      "PORT 127,0,0,01,%d,%d" % (hi, lo),
                      "PORT 2130706434,%d,%d" % (hi, lo),
                      "EPRT |1|127.0.0.2|%d|" % port,
                      "EPRT |2|::ffff:127.0.0.2|%d|" % port,
                      "EPRT |2|::1|%d|" % port,
                      "EPRT |1|127.0.0.1|22|",
                      "EPRT |1|127.0.0.1|65536|",
                      "EPRT |3|127.0.0.2|%d|" % port):
                rep = r.cmd(c)
                if rep.code == 200:
                    rep = r.cmd("RETR f")
                    if rep.code in (125, 150):
                        rep = r.reply()
                    check(rep.code >= 400, "%s then RETR succeeded: %r" % (c, rep.text))
                else:
                    check_code(rep, 5)
            try:
                c, peer = trap.accept()
                c.close()
                raise h.Failure("the server connected to the trap from %r" % (peer,))
            except socket.timeout:
                pass
            data, _ = r.retr("RETR f", "port")
            check_eq(data, b"payload" * 100, "PORT to the client itself")
        trap.close()
        fresh_session_works(s)


def test_passive_theft_closes_port():
    with Server(root_files={"f": b"secret" * 1000}, conf={"data_timeout": "5"}) as s:
        with h.raw_session(s) as r:
            r.login()
            rep = check_code(r.cmd("EPSV"), 229)
            port = int(re.search(r"\|\|\|(\d+)\|", rep.text).group(1))
            thief = socket.socket()
            thief.bind(("127.0.0.2", 0))
            thief.settimeout(h.TIMEOUT)
            thief.connect(("127.0.0.1", port))
            rep = r.cmd("RETR f", timeout=15)
            if rep.code in (125, 150):
                rep = r.reply(timeout=15)
            check_code(rep, 425, 426)
            try:
                stolen = thief.recv(100)
            except OSError:
                stolen = b""
            thief.close()
            check_eq(stolen, b"", "bytes sent to the thief")
            # the port is given up: neither the thief nor anyone can use it now
            t2 = socket.socket()
            t2.bind(("127.0.0.2", 0))
            t2.settimeout(2)
            try:
                t2.connect(("127.0.0.1", port))
                raise h.Failure("the passive port is still open after the theft")
            except ConnectionRefusedError:
                pass
            finally:
                t2.close()
            data, _ = r.retr("RETR f", "pasv")
            check_eq(data, b"secret" * 1000, "the client's own transfer")
        fresh_session_works(s)


def _attempt(s, user, pw, source=None):
    """One login attempt on a new connection.  Returns the final code
    (421 when refused at connect)."""
    with h.Raw(s.host, s.port, source=source) as r:
        g = r.reply()
        if g.code != 220:
            return g.code
        rep = r.cmd("USER " + user)
        if rep.code == 331:
            rep = r.cmd("PASS " + pw)
        return rep.code


def test_max_login_attempts_and_growing_delay():
    with Server(users={"u": "right"}, conf={"max_login_attempts": "3",
                                            "login_fail_delay": "200ms"}) as s:
        with h.raw_session(s) as r:
            check_code(r.reply(), 220)
            took = []
            for i in range(3):
                r.expect("USER u", 331)
                t0 = time.monotonic()
                rep = r.cmd("PASS wrong%d" % i, timeout=15)
                took.append(time.monotonic() - t0)
                check_code(rep, 530)
            rep = r.reply(timeout=10)
            check_code(rep, 421)
            check(r.closed(5), "closed after max_login_attempts")
        # lower bounds prove the doubling; upper bounds only catch a hang
        check(0.15 <= took[0] <= 10, "first delay %.2f s (200 ms)" % took[0])
        check(0.35 <= took[1] <= 10, "second delay %.2f s (400 ms)" % took[1])
        check(0.75 <= took[2] <= 10, "third delay %.2f s (800 ms)" % took[2])
        check(re.search(r"3 failed logins: closing \(max_login_attempts\)", s.log_text()),
              "lockout logged")
        # USER/PASS pipelined in one packet are still counted one by one
        with h.raw_session(s) as r:
            check_code(r.reply(), 220)
            r.send(b"".join(b"USER u\r\nPASS bad%d\r\n" % i for i in range(10)))
            codes = []
            try:
                while True:
                    codes.append(r.reply(timeout=10).code)
            except (EOFError, OSError):
                pass
            check_eq(codes.count(530), 3, "530s before the close: %r" % codes)
            check_eq(codes[-1], 421, "last reply")
        fresh_session_works(s, user="u", pw="right")
    # 0 turns the limit off; login_fail_delay = 0 answers at once
    with Server(users={"u": "right"}, conf={"max_login_attempts": "0",
                                            "login_fail_delay": "0"}) as s:
        with h.raw_session(s) as r:
            check_code(r.reply(), 220)
            t0 = time.monotonic()
            for i in range(10):
                r.expect("USER u", 331)
                r.expect("PASS bad", 530)
            # (with the default 1 s, doubling, this would take minutes)
            check(time.monotonic() - t0 < 8, "no delay")
            r.login("u", "right")
    for bad in ("-1", "1x", "0.0001", "2ms5", "61", "1.5ms", ""):
        r = h.run_ftpd(["-t", "-f", "/dev/null", "-o", "login_fail_delay=" + bad])
        check_eq(r.returncode, 1, "login_fail_delay=%r is a config error" % bad)


def test_ban_after_failures():
    conf = {"ban_after": "3", "ban_window": "60", "ban_time": "3",
            "max_login_attempts": "2", "login_fail_delay": "0"}
    with Server(users={"u": "right"}, conf=conf) as s:
        with h.raw_session(s) as r:
            check_code(r.reply(), 220)
            r.expect("USER u", 331)
            r.expect("PASS bad1", 530)
            r.expect("USER u", 331)
            r.expect("PASS bad2", 530)
            check_code(r.reply(), 421)
        # a success in between does not reset the count
        check_eq(_attempt(s, "anonymous", "x"), 230, "anonymous login before the ban")
        check_eq(_attempt(s, "u", "bad3"), 530, "third failure")
        # now banned: refused at connect, even with the right password
        t_ban = time.monotonic()
        check_eq(_attempt(s, "u", "right"), 421, "banned address")
        check_eq(_attempt(s, "anonymous", "x"), 421, "banned address, anonymous")
        check(re.search(r"127\.0\.0\.1: banned for 3 s: 3 failed logins", s.log_text()),
              "the ban is logged")
        check(re.search(r"127\.0\.0\.1: refused: banned", s.log_text()),
              "refusals are logged")
        # others are not affected
        check_eq(_attempt(s, "u", "right", source="127.0.0.3"), 230, "another address")
        with h.Raw(s.host, s.port, source="127.0.0.3") as r:
            r.login("u", "right")
            r.expect("NOOP", 200)
        # and the ban ends
        h.wait_for(lambda: _attempt(s, "u", "right") == 230, timeout=10, step=0.5,
                   what="the ban to end")
        check(time.monotonic() - t_ban >= 2, "ban lasted about ban_time")
        fresh_session_works(s)


@h.limit(120)
def test_thousand_wrong_passwords():
    """1,000 guesses spread over sessions from one address: the ban and
    the per-session limit let only a few reach the password check; the
    right password still works from another address."""
    ban_after, per_session, threads = 25, 4, 4
    conf = {"ban_after": str(ban_after), "ban_window": "60", "ban_time": "60",
            "max_login_attempts": str(per_session), "login_fail_delay": "20ms",
            "max_per_ip": "8"}
    with Server(users={"victim": "correct horse"}, conf=conf) as s:
        lock = threading.Lock()
        stats = {"attempts": 0, "checked": 0, "refused": 0, "other": 0}
        errors = []

        def take():
            with lock:
                if stats["attempts"] >= 1000:
                    return False
                stats["attempts"] += 1
                return True

        def note(k):
            with lock:
                stats[k] += 1

        def attacker(n):
            try:
                for _ in range(2000):                     # bounded
                    if not take():
                        return
                    with h.Raw(s.host, s.port, source="127.0.0.1") as r:
                        g = r.reply()
                        if g.code == 421:
                            note("refused")
                            continue
                        check_code(g, 220)
                        first = True
                        while True:
                            if not first and not take():
                                return
                            first = False
                            try:
                                r.cmd("USER victim")
                                rep = r.cmd("PASS guess-%d-%d" % (n, stats["attempts"]))
                            except (EOFError, OSError):
                                note("other")
                                break
                            if rep.code == 530:
                                note("checked")
                            else:
                                note("other")
                            if rep.code != 530:
                                break
                            # after the per-session limit: 421 and close
                            try:
                                r.sock.settimeout(0.5)
                                more = r.reply(timeout=0.5)
                                if more.code == 421:
                                    break
                            except (socket.timeout, EOFError, OSError):
                                pass
                            r.sock.settimeout(h.TIMEOUT)
            except Exception as e:          # reported by the main thread
                errors.append(repr(e))

        t0 = time.monotonic()
        ts = [threading.Thread(target=attacker, args=(i,)) for i in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(100)
        took = time.monotonic() - t0
        print("  %r in %.1f s" % (stats, took), flush=True)
        check(not errors, "attacker errors: %r" % errors[:3])
        check_eq(stats["attempts"], 1000, "attempts made")
        check(stats["checked"] <= ban_after + threads * per_session,
              "password checks that got through: %r" % stats)
        check(stats["refused"] >= 900, "refused at connect: %r" % stats)
        check(took < 60, "the attack took %.1f s" % took)
        # still banned, even with the right password
        check_eq(_attempt(s, "victim", "correct horse"), 421, "banned address")
        # the right password works from another address
        with h.Raw(s.host, s.port, source="127.0.0.3") as r:
            r.login("victim", "correct horse")
            r.expect("NOOP", 200)
        log = s.log_text()
        check(re.search(r"banned for 60 s", log), "the ban is logged")
        check(len(re.findall(r"refused: banned", log)) < 20,
              "refusals of a banned address are logged sparingly")
        with h.Raw(s.host, s.port, source="127.0.0.4") as r:
            r.login()
            r.list("LIST", "eprt")


def test_huge_lines():
    with Server(users={"u": "pw"}) as s:
        big = b"A" * (100 * 1024)
        with h.raw_session(s) as r:
            check_code(r.reply(), 220)
            # before login: a 100 KiB USER, a 100 KiB PASS
            check_code(r.cmd(b"USER " + big), 500)
            r.expect("USER u", 331)
            check_code(r.cmd(b"PASS " + big), 500)
            r.expect("NOOP", 200)
            r.login("u", "pw")
            # after login: one 100 KiB line with commands hidden in its tail
            r.send(b"MKD " + big + b"DELE x\r\n")
            check_code(r.reply(), 500)
            r.send(b"NOOP " + b"B" * (100 * 1024 - 20) + b"DELE x\r\nPWD\r\n")
            check_code(r.reply(), 500)
            check_code(r.reply(), 257)
            # 100 KiB of CR/LF-free bytes spread over many packets
            for _ in range(100):
                r.send(b"C" * 1024)
            r.send(b"\r\n")
            check_code(r.reply(), 500)
            # many short lines at once (pipelining), all answered in order
            r.send(b"NOOP\r\n" * 2000)
            for _ in range(2000):
                check_code(r.reply(), 200)
            r.expect("PWD", 257)
        check_eq(os.listdir(s.home("u")), [], "nothing was created")
        # a huge line and then a vanished client
        with h.raw_session(s) as r:
            check_code(r.reply(), 220)
            r.send(b"D" * (100 * 1024))
        fresh_session_works(s, user="u", pw="pw")


def test_nul_and_iac_bytes():
    with Server(users={"u": "pw"}, root_files={"f": "x"}) as s:
        with h.raw_session(s) as r:
            check_code(r.reply(), 220)
            check_code(r.cmd(b"USER u\x00root"), 501, 500)
            check_code(r.cmd(b"\x00\x00\x00"), 500, 501)
            check_code(r.cmd(b"USER \xff\xffroot"), 501, 500, 331)
            r.expect("USER u", 331)
            check_code(r.cmd(b"PASS pw\x00"), 501, 500)
            # telnet noise before login
            check_code(r.cmd(b"\xff\xfb\x18\xff\xfd\x01\xff\xf1NOOP"), 200)
            r.send(b"\xff\xf1" * 50000 + b"NOOP\r\n")        # IAC NOP flood
            check_code(r.reply(), 200, 500)
            r.send(b"\xff\xfb\x01" * 20000 + b"NOOP\r\n")     # option flood
            check_code(r.reply(), 200, 500)
            r.expect("NOOP", 200)
            r.login("u", "pw")
            check_code(r.cmd(b"RETR f\x00.txt"), 501, 550)
            check_code(r.cmd(b"CWD \x00"), 501, 550)
            check_code(r.cmd(b"MKD a\x00b"), 501, 550, 553)
            # IAC IAC pairs make a long run of 0xFF bytes: too long, discarded
            r.send(b"MKD " + b"\xff\xff" * 60000 + b"\r\n")
            check_code(r.reply(), 500)
            # an IAC split across packets, then IAC at the very end of a line
            r.send(b"NO\xff")
            time.sleep(0.05)
            r.send(b"\xf1OP\r\n")
            check_code(r.reply(), 200)
            r.send(b"NOOP\xff\r\n")
            rep = r.reply()
            check(rep.code in (200, 500, 501), "IAC before CRLF: %r" % rep.text)
            # NUL in a data-channel command argument
            check_code(r.cmd(b"EPRT |1|127.0.0.1\x00|5000|"), 501, 500)
            r.expect("NOOP", 200)
        check_eq(os.listdir(s.home("u")), [], "nothing was created")
        fresh_session_works(s)


def test_silent_connections():
    with Server(conf={"max_per_ip": "5", "max_clients": "20", "idle_timeout": "6"},
                root_files={"f": b"z" * 5000}) as s:
        silent = []
        try:
            for _ in range(5):
                c = socket.create_connection((s.host, s.port), timeout=h.TIMEOUT)
                silent.append(c)
            # the slots of 127.0.0.1 are taken by clients that say nothing
            h.wait_for(lambda: len(s.descendants()) >= 10, what="five sessions")
            check_eq(_attempt(s, "anonymous", "x"), 421, "over max_per_ip")
            # other clients within the limits are served meanwhile
            for src in ("127.0.0.2", "127.0.0.3"):
                with h.Raw(s.host, s.port, source=src) as r:
                    r.login()
                    # (active mode: the data connection comes from src too)
                    data, _ = r.retr("RETR f", "port")
                    check_eq(data, b"z" * 5000, "served from %s" % src)
            # the silent ones are closed after idle_timeout (with 421)
            for c in silent:
                c.settimeout(10)
                buf = b""
                while True:
                    b = c.recv(4096)
                    if not b:
                        break
                    buf += b
                check(b"421" in buf, "silent client got 421: %r" % buf)
        finally:
            for c in silent:
                c.close()
        fresh_session_works(s)


def test_connection_flood_over_max_clients():
    with Server(conf={"max_clients": "10", "max_per_ip": "100"}) as s:
        socks, codes = [], []
        try:
            for i in range(40):
                src = "127.0.0.%d" % (2 + i % 4)
                c = socket.socket()
                c.bind((src, 0))
                c.settimeout(h.TIMEOUT)
                c.connect((s.host, s.port))
                socks.append(c)
            for c in socks:
                line = b""
                while not line.endswith(b"\n"):
                    b = c.recv(1)
                    if not b:
                        break
                    line += b
                codes.append(line[:3])
            check_eq(codes.count(b"220"), 10, "greeted sessions: %r" % codes)
            check_eq(codes.count(b"421"), 30, "refused sessions")
            # the refused ones are closed by the server
            for c, code in zip(socks, codes):
                if code == b"421":
                    c.settimeout(5)
                    check_eq(c.recv(10), b"", "refused connection closed")
            check(re.search(r"refused: 10 sessions \(max_clients\)", s.log_text()),
                  "refusals logged")
        finally:
            for c in socks:
                c.close()
        h.wait_for(lambda: _attempt(s, "anonymous", "x") == 230, timeout=10, step=0.2,
                   what="a free slot after the flood")
        fresh_session_works(s)


_FSIZE_WRAPPER = (
    "import os, resource, signal, sys\n"
    "n = int(sys.argv[1])\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (n, n))\n"
    "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n")


class FsizeServer(Server):
    """ftpd started under RLIMIT_FSIZE with SIGXFSZ ignored, so a write
    past the limit fails with EFBIG, as on a full disk."""

    fsize = 256 * 1024

    def command_line(self):
        return [sys.executable, "-c", _FSIZE_WRAPPER, str(self.fsize)] + \
            Server.command_line(self)


def _upload_vanishing_or_failing(r, cmd, data):
    """STOR that may be cut short by the server; returns the final reply."""
    get = r.open_data("epsv")
    rep = r.cmd(cmd)
    check_code(rep, 150, 125)
    d = get()
    try:
        d.sendall(data)
    except OSError:
        pass
    d.close()
    return r.reply(timeout=20)


def _no_partial(folder, wanted):
    names = sorted(os.listdir(folder))
    check_eq(names, sorted(wanted), "files in %s" % folder)


def test_disk_full_rlimit_fsize():
    with FsizeServer(users={"u": "pw"}, root_files={"incoming": None},
                     conf={"anon_upload_dir": "/incoming"}) as s:
        h.give_to_session(os.path.join(s.root, "incoming"))
        home = s.home("u")
        big = h.pattern_bytes(1024 * 1024, 7)
        small = h.pattern_bytes(100 * 1024, 8)
        with h.raw_session(s) as r:
            r.login("u", "pw")
            r.expect("TYPE I", 200)
            rep = _upload_vanishing_or_failing(r, "STOR big.bin", big)
            check_code(rep, 452, 552)
            check(re.search(r"storage|space|large", rep.text, re.I), "reply says why: %r" % rep.text)
            _no_partial(home, [])
            # replacing an existing file: the old one stays
            r.stor("STOR keep.bin", small)
            rep = _upload_vanishing_or_failing(r, "STOR keep.bin", big)
            check_code(rep, 452, 552)
            _no_partial(home, ["keep.bin"])
            check_eq(h.sha256(os.path.join(home, "keep.bin")), h.sha256(small),
                     "previous content kept")
            rep = _upload_vanishing_or_failing(r, "STOU", big)
            check_code(rep, 452, 552)
            _no_partial(home, ["keep.bin"])
            r.expect("NOOP", 200)
        with h.raw_session(s) as r:
            r.login()
            r.expect("TYPE I", 200)
            rep = _upload_vanishing_or_failing(r, "STOR /incoming/a.bin", big)
            check_code(rep, 452, 552)
            _no_partial(os.path.join(s.root, "incoming"), [])
            r.stor("STOR /incoming/b.bin", small)
        _no_partial(os.path.join(s.root, "incoming"), ["b.bin"])
        fresh_session_works(s, user="u", pw="pw")


def _reset(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_client_vanishes_mid_stor():
    with Server(users={"u": "pw"}, root_files={"incoming": None},
                conf={"anon_upload_dir": "/incoming"}) as s:
        h.give_to_session(os.path.join(s.root, "incoming"))
        inc = os.path.join(s.root, "incoming")
        chunk = h.pattern_bytes(300 * 1024, 9)
        for user, pw, folder, cmd in (("anonymous", "x", inc, "STOR /incoming/v.bin"),
                                      ("u", "pw", s.home("u"), "STOR v.bin"),
                                      ("u", "pw", s.home("u"), "STOU")):
            r = h.raw_session(s)
            r.login(user, pw)
            r.expect("TYPE I", 200)
            get = r.open_data("epsv")
            check_code(r.cmd(cmd), 150, 125)
            d = get()
            d.sendall(chunk)
            h.wait_for(lambda: os.listdir(folder), what="upload started")
            # control and data connection vanish (RST), no QUIT, no ABOR
            _reset(r.sock)
            _reset(d)
            h.wait_for(lambda: os.listdir(folder) == [], timeout=10,
                       what="partial %s upload removed (%s)" % (user, cmd))
        h.wait_for(lambda: len(re.findall(r"session end", s.log_text())) >= 3, timeout=10,
                   what="three session ends")
        fresh_session_works(s)
        fresh_session_works(s, user="u", pw="pw")


def _timed_retr(r, cmd):
    """Downloads; returns (data, seconds, [(t, bytes so far)])."""
    get = r.open_data("epsv")
    check_code(r.cmd(cmd), 150, 125)
    d = get()
    t0 = time.monotonic()
    got, marks = [], []
    n = 0
    while True:
        b = d.recv(65536)
        if not b:
            break
        got.append(b)
        n += len(b)
        marks.append((time.monotonic() - t0, n))
    d.close()
    took = time.monotonic() - t0
    check_code(r.reply(), 226)
    return b"".join(got), took, marks


@h.limit(90)
def test_bandwidth_limits():
    rate = 256 * 1024
    size = 3 * rate                     # about 3 s at the limit
    data = h.pattern_bytes(size, 11)
    with Server(users={"u": "pw"}, root_files={"big.bin": data},
                conf={"anon_max_rate": "256K", "user_max_rate": "128K"}) as s:
        with h.raw_session(s) as r:
            r.login()
            r.expect("TYPE I", 200)
            got, took, marks = _timed_retr(r, "RETR big.bin")
            check_eq(h.sha256(got), h.sha256(data), "downloaded data")
            check(2.2 <= took <= 20, "anonymous RETR of 768 KiB at 256 KiB/s took %.2f s" % took)
            # smooth: no half second after the first carries much more than its share
            for t, n in marks:
                if t >= 0.5:
                    check(n <= rate * t * 1.5 + rate * 0.3,
                          "burst: %d bytes after %.2f s" % (n, t))
        os.chmod(s.home("u"), 0o777)
        with h.raw_session(s) as r:
            r.login("u", "pw")
            r.expect("TYPE I", 200)
            up = h.pattern_bytes(384 * 1024, 12)
            t0 = time.monotonic()
            r.stor("STOR up.bin", up)
            took = time.monotonic() - t0
            check(2.2 <= took <= 20, "user STOR of 384 KiB at 128 KiB/s took %.2f s" % took)
            check_eq(h.sha256(os.path.join(s.home("u"), "up.bin")), h.sha256(up), "uploaded")
        fresh_session_works(s)
    with Server(root_files={"big.bin": data}, conf={"user_max_rate": "1K"}) as s:
        with h.raw_session(s) as r:
            r.login()
            r.expect("TYPE I", 200)
            got, took, _ = _timed_retr(r, "RETR big.bin")
            check_eq(len(got), size, "size")
            # at 1 KiB/s it would take over 12 minutes
            check(took < 30, "user_max_rate does not slow anonymous sessions (%.2f s)" % took)
        fresh_session_works(s)


def test_stall_timeout():
    with Server(users={"u": "pw"}, conf={"stall_timeout": "1", "data_timeout": "6"}) as s:
        os.chmod(s.home("u"), 0o777)
        with h.raw_session(s) as r:
            r.login("u", "pw")
            r.expect("TYPE I", 200)
            get = r.open_data("epsv")
            check_code(r.cmd("STOR stalled.bin"), 150, 125)
            d = get()
            d.sendall(b"x" * 10000)
            t0 = time.monotonic()
            rep = r.reply(timeout=15)
            took = time.monotonic() - t0
            d.close()
            check_code(rep, 426)
            check(0.7 <= took <= 5.5, "stall_timeout=1 (data_timeout=6) took %.2f s" % took)
            check("1 seconds" in rep.text, "reply names the limit: %r" % rep.text)
            check_eq(os.listdir(s.home("u")), [], "no partial upload")
            # data_timeout still governs a data connection that never comes
            r.expect("EPSV", 229)
            t0 = time.monotonic()
            rep = r.cmd("LIST", timeout=15)
            if rep.code in (125, 150):
                rep = r.reply(timeout=15)
            took = time.monotonic() - t0
            check_code(rep, 425)
            check(5.5 <= took <= 15, "data_timeout=6 took %.2f s" % took)
        fresh_session_works(s)


if __name__ == "__main__":
    h.main()
