#!/usr/bin/env python3
"""test_client_batch.py: the ftp client in batch mode (commands on stdin,
no prompts) against our ftpd: transfers with checksums, ASCII, resume,
globbing, mirror with parallel connections, listings, file management,
settings, and the exit-code table."""

import contextlib
import os
import re
import socket
import stat
import time

import harness
from harness import check, check_eq, limit
import clientlib
from clientlib import Work, batch, file_sha, run_ftp, tree

USER, PW = "alice", "s3cret pw"


@contextlib.contextmanager
def user_server(files=None, **kw):
    """ftpd with one virtual user whose home holds files."""
    with harness.Server(users={USER: PW}, **kw) as s:
        harness.write_tree(s.home(USER), files)
        harness.give_to_session(s.home(USER))
        yield s


def sizes_tree():
    return {
        "empty.bin": b"",
        "one.bin": b"x",
        "odd.bin": harness.pattern_bytes(65537, 1),
        "big.bin": harness.pattern_bytes(3 * 1024 * 1024 + 7, 2),
        "name with spaces.txt": b"spaces\n",
        "\u00fcnicode-\u00e9.txt": "utf-8 name\n".encode(),
    }


@limit(90)
def test_get_put_checksums():
    files = sizes_tree()
    with user_server(files) as s, Work() as w:
        dl = w.sub("dl")
        lines = ['get "%s"' % n for n in files]
        lines += ["mkdir back", "cd back"]
        lines += ['put "%s" "%s.up"' % (n, n) for n in files]
        r = batch(s, w, lines, USER, PW, cwd=dl).check_rc(0)
        check_eq(r.err, "", "stderr of a clean run")
        for n, data in files.items():
            check_eq(file_sha(os.path.join(dl, n)), harness.sha256(data), "download " + n)
            up = os.path.join(s.home(USER), "back", n + ".up")
            check_eq(file_sha(up), harness.sha256(data), "upload " + n)


def test_verbose_and_debug_output():
    with user_server({"f.txt": "hello\n"}) as s, Work() as w:
        r = batch(s, w, ["get f.txt"], USER, PW, args=["-d"], cwd=w.sub("dl")).check_rc(0)
        check("---> PASS XXXX" in r.out, "debug hides the password: %r" % r.out)
        check(PW not in r.out and PW not in r.err, "password never printed")
        check("---> RETR f.txt" in r.out, "debug shows the command")
        check(re.search(r"^226 ", r.out, re.M), "verbose shows the final reply")
        check(re.search(r"^6 bytes received in ", r.out, re.M), "transfer summary: %r" % r.out)
        # verbose off (the batch default): quiet on success
        r = batch(s, w, ["get f.txt g.txt"], USER, PW, cwd=w.sub("dl2")).check_rc(0)
        check_eq(r.out, "", "batch output without -v")


def test_ascii_and_binary():
    text = b"line one\nline two\n\nlast\n"
    with user_server({"t.txt": text, "crlf.bin": b"a\r\nb\r\n"}) as s, Work() as w:
        dl = w.sub("dl")
        with open(os.path.join(dl, "local.txt"), "wb") as f:
            f.write(text)
        batch(s, w, ["ascii", "get t.txt t.ascii", "put local.txt up.txt",
                     "binary", "get crlf.bin crlf.copy", "type", "type ascii",
                     "get crlf.bin crlf.ascii"], USER, PW, cwd=dl).check_rc(0)
        check_eq(open(os.path.join(dl, "t.ascii"), "rb").read(), text, "ASCII download")
        check_eq(open(os.path.join(s.home(USER), "up.txt"), "rb").read(), text,
                 "ASCII upload keeps the server's LF")
        check_eq(open(os.path.join(dl, "crlf.copy"), "rb").read(), b"a\r\nb\r\n",
                 "binary keeps CR bytes")
        check_eq(open(os.path.join(dl, "crlf.ascii"), "rb").read(), b"a\nb\n",
                 "ASCII download turns the server's CRLF into LF")


def test_reget_reput():
    data = harness.pattern_bytes(500000, 3)
    with user_server({"r.bin": data}) as s, Work() as w:
        dl = w.sub("dl")
        with open(os.path.join(dl, "r.bin"), "wb") as f:
            f.write(data[:123457])
        with open(os.path.join(dl, "up.bin"), "wb") as f:
            f.write(data)
        with open(os.path.join(s.home(USER), "up.bin"), "wb") as f:
            f.write(data[:77777])
        harness.give_to_session(os.path.join(s.home(USER), "up.bin"))
        r = batch(s, w, ["reget r.bin", "reput up.bin", "reget r.bin"], USER, PW,
                  args=["-d"], cwd=dl).check_rc(0)
        check("---> REST 123457" in r.out, "reget restarts at the local size: %r" % r.out)
        check("---> REST 77777" in r.out, "reput restarts at the remote size")
        check("already complete" in r.out, "a complete file is not fetched again")
        check_eq(file_sha(os.path.join(dl, "r.bin")), harness.sha256(data), "reget result")
        check_eq(file_sha(os.path.join(s.home(USER), "up.bin")), harness.sha256(data),
                 "reput result")


@limit(120)
def test_over_4gib():
    """SIZE and REST beyond 2^32 (sparse files, so nothing big is written)."""
    size = (1 << 32) + 4096
    with user_server({}) as s, Work() as w:
        path = os.path.join(s.home(USER), "huge.bin")
        with open(path, "wb") as f:
            f.truncate(size - 10)
            f.seek(size - 10)
            f.write(b"0123456789")
        harness.give_to_session(path)
        dl = w.sub("dl")
        with open(os.path.join(dl, "huge.bin"), "wb") as f:
            f.truncate(size - 100)
        # --no-verify: hashing 4 GiB on both sides is not what this tests
        r = batch(s, w, ["size huge.bin", "reget huge.bin"], USER, PW,
                  args=["-d", "--no-verify"], cwd=dl).check_rc(0)
        check("huge.bin\t%d" % size in r.out, "SIZE above 4 GiB: %r" % r.out)
        check("---> REST %d" % (size - 100) in r.out, "REST above 4 GiB")
        check_eq(os.path.getsize(os.path.join(dl, "huge.bin")), size, "resumed size")
        with open(os.path.join(dl, "huge.bin"), "rb") as f:
            f.seek(size - 100)
            check_eq(f.read(), b"\0" * 90 + b"0123456789", "the resumed tail")


def test_mget_mput_globbing():
    files = {"a1.txt": "a1\n", "a2.txt": "a2\n", "b.txt": "b\n", "c.dat": "c\n",
             "sub": {"a3.txt": "a3\n"}}
    with user_server(files) as s, Work() as w:
        dl = w.sub("dl")
        up = w.sub("up")
        for n in ("x1.dat", "x2.dat", "y.txt"):
            with open(os.path.join(up, n), "w") as f:
                f.write(n)
        batch(s, w, ["mget a*.txt c.dat", "mkdir in", "cd in", "lcd ../up", "mput x*.dat",
                     "mdelete ../b*.txt"], USER, PW, cwd=dl).check_rc(0)
        check_eq(sorted(os.listdir(dl)), ["a1.txt", "a2.txt", "c.dat"], "mget result")
        check_eq(sorted(os.listdir(os.path.join(s.home(USER), "in"))), ["x1.dat", "x2.dat"],
                 "mput result")
        check(not os.path.exists(os.path.join(s.home(USER), "b.txt")), "mdelete removed b.txt")
        r = batch(s, w, ["mget nomatch*"], USER, PW, cwd=dl)
        r.check_rc(3)
        check("no remote files match" in r.err, "a clear message: %r" % r.err)


def mirror_tree():
    t = {"top.txt": "top\n", "empty": None,
         "d1": {"f%d.bin" % i: harness.pattern_bytes(1000 * i + 1, i) for i in range(12)},
         "d2": {"deep": {"deeper": {"x.txt": "x\n", "y.bin": harness.pattern_bytes(300000, 9)}}},
         "name with space": {"z z.txt": "z\n"}}
    return t


@limit(120)
def test_mirror_down_parallel():
    with user_server({"site": mirror_tree()}) as s, Work() as w:
        dl = w.sub("dl")
        r = batch(s, w, ["mirror -P 4 site copy"], USER, PW, cwd=dl).check_rc(0)
        want = tree(os.path.join(s.home(USER), "site"))
        check_eq(tree(os.path.join(dl, "copy")), want, "mirrored tree")
        check(re.search(r"mirror: 16 files copied, 0 up to date, 0 failed", r.out),
              "summary: %r" % r.out)
        logins = len(re.findall(r"login ok: user=alice", s.log_text()))
        check_eq(logins, 5, "logins (the session and 4 parallel workers)")
        # times come from the server, so a second run copies nothing
        src = os.path.join(s.home(USER), "site", "d1", "f3.bin")
        check_eq(int(os.stat(os.path.join(dl, "copy", "d1", "f3.bin")).st_mtime),
                 int(os.stat(src).st_mtime), "local mtime set from the server")
        r = batch(s, w, ["mirror -P 4 site copy"], USER, PW, cwd=dl).check_rc(0)
        check("0 files copied, 16 up to date" in r.out, "second run: %r" % r.out)
        # a changed file is copied again
        with open(src, "ab") as f:
            f.write(b"more")
        r = batch(s, w, ["mirror -P 4 site copy"], USER, PW, cwd=dl).check_rc(0)
        check("1 file copied, 15 up to date" in r.out, "after a change: %r" % r.out)
        check_eq(file_sha(os.path.join(dl, "copy", "d1", "f3.bin")), file_sha(src),
                 "changed file")


@limit(120)
def test_mirror_up_parallel():
    with user_server({}) as s, Work() as w:
        src = w.sub("src")
        harness.write_tree(src, mirror_tree())
        os.symlink("/etc/passwd", os.path.join(src, "link-out"))
        r = batch(s, w, ["mirror -R -P 4 dest src"], USER, PW, cwd=w.path).check_rc(0)
        local = tree(src)
        del local["link-out"]
        check_eq(tree(os.path.join(s.home(USER), "dest")), local, "uploaded tree")
        # MFMT carried the times over, so nothing is sent again
        a = os.path.join(src, "d1", "f5.bin")
        b = os.path.join(s.home(USER), "dest", "d1", "f5.bin")
        check_eq(int(os.stat(b).st_mtime), int(os.stat(a).st_mtime), "remote mtime (MFMT)")
        r = batch(s, w, ["mirror -R -P 4 dest src"], USER, PW, cwd=w.path).check_rc(0)
        check("0 files copied, 16 up to date" in r.out, "second upload run: %r" % r.out)


def test_listings():
    with user_server({"one.txt": "1\n", "two.txt": "22\n", "dir": {"in.txt": "x"}}) as s, Work() as w:
        r = batch(s, w, ["nlist", "ls", "dir dir", "mlsd", "nlist . names.txt"],
                  USER, PW, cwd=w.path).check_rc(0)
        names = open(os.path.join(w.path, "names.txt")).read().split()
        check_eq(sorted(names), ["dir", "one.txt", "two.txt"], "nlist into a file")
        check(re.search(r"^-\S+\s+\d+\s+\S+\s+\S+\s+3 .* two\.txt$", r.out, re.M),
              "ls shows a long listing: %r" % r.out)
        check(re.search(r"^-\S+ .* in\.txt$", r.out, re.M), "dir of a folder")
        check(re.search(r"type=file;.*size=3;.* two\.txt$", r.out, re.M | re.I),
              "mlsd facts")


def test_file_management():
    with user_server({"a.txt": "hello\n", "old": {"x": "x"}}) as s, Work() as w:
        r = batch(s, w, ["mkdir newdir", "cd newdir", "pwd", "cdup", "rename a.txt b.txt",
                         "size b.txt", "modtime b.txt", "chmod 600 b.txt", "delete old/x",
                         "rmdir old", "site help", "quote NOOP", "system", "lpwd", "status"],
                  USER, PW, cwd=w.path).check_rc(0)
        home = s.home(USER)
        check(os.path.isdir(os.path.join(home, "newdir")), "mkdir")
        check("Remote directory: /newdir" in r.out, "pwd: %r" % r.out)
        check(os.path.exists(os.path.join(home, "b.txt")), "rename")
        check("b.txt\t6" in r.out, "size")
        check(re.search(r"b\.txt\t\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", r.out), "modtime")
        check_eq(stat.S_IMODE(os.stat(os.path.join(home, "b.txt")).st_mode), 0o600, "chmod")
        check(not os.path.exists(os.path.join(home, "old")), "delete + rmdir")
        check(re.search(r"^200 ", r.out, re.M), "quote shows the reply")
        check(re.search(r"^215 ", r.out, re.M), "system shows the reply")
        check("Local directory: " + w.path in r.out, "lpwd")
        check("Connected to 127.0.0.1" in r.out and "logged in" in r.out, "status")


def test_modes_active_and_pasv():
    data = harness.pattern_bytes(200000, 4)
    with user_server({"m.bin": data}) as s, Work() as w:
        dl = w.sub("dl")
        r = batch(s, w, ["get m.bin a.bin", "passive off", "get m.bin b.bin", "ls",
                         "put b.bin c.bin"], USER, PW, args=["-d"], cwd=dl).check_rc(0)
        check("---> EPSV" in r.out, "passive uses EPSV first")
        check("---> PORT " in r.out, "active mode sends PORT on IPv4")
        r2 = batch(s, w, ["epsv off", "get m.bin d.bin"], USER, PW, args=["-d"],
                   cwd=dl).check_rc(0)
        check("---> PASV" in r2.out and "---> EPSV" not in r2.out, "epsv off uses PASV")
        r3 = batch(s, w, ["get m.bin e.bin"], USER, PW, args=["-d", "-A"], cwd=dl).check_rc(0)
        check("---> PORT " in r3.out, "-A means active")
        for n in ("a.bin", "b.bin", "d.bin", "e.bin"):
            check_eq(file_sha(os.path.join(dl, n)), harness.sha256(data), n)
        check_eq(file_sha(os.path.join(s.home(USER), "c.bin")), harness.sha256(data), "put")


def test_exit_codes():
    with user_server({"here.txt": "x\n"}) as s, Work() as w:
        dl = w.sub("dl")
        # 2: login refused
        batch(s, w, ["ls"], USER, "wrong").check_rc(2)
        # 3: not found; no empty local file is left behind
        r = batch(s, w, ["get missing.txt"], USER, PW, cwd=dl).check_rc(3)
        check("550" in r.err, "the server's reason is shown: %r" % r.err)
        check(not os.path.exists(os.path.join(dl, "missing.txt")), "no stray local file")
        batch(s, w, ["put /nonexistent/file"], USER, PW, cwd=dl).check_rc(3)
        # 4: network
        port = clientlib.free_port()
        r = run_ftp(["-n", "127.0.0.1", port], w, input="ls\n").check_rc(4)
        check("cannot connect" in r.err, "connect failure explained: %r" % r.err)
        # 64: usage
        run_ftp(["--bogus"], w).check_rc(64)
        r = batch(s, w, ["frobnicate"], USER, PW).check_rc(64)
        check("Invalid command" in r.err, "unknown command message")
        batch(s, w, ["get"], USER, PW).check_rc(64)
        # the first failure decides; the session goes on after failures
        r = batch(s, w, ["get missing.txt", "frobnicate", "get here.txt"], USER, PW, cwd=dl)
        r.check_rc(3)
        check(os.path.exists(os.path.join(dl, "here.txt")), "commands after a failure run")
        # --stop-on-error stops at the first failure
        os.unlink(os.path.join(dl, "here.txt"))
        batch(s, w, ["get missing.txt", "get here.txt"], USER, PW, args=["--stop-on-error"],
              cwd=dl).check_rc(3)
        check(not os.path.exists(os.path.join(dl, "here.txt")), "nothing ran after the failure")
        # ambiguous prefixes are refused, unique ones work
        r = batch(s, w, ["q NOOP"], USER, PW).check_rc(64)
        check("Ambiguous" in r.err, "ambiguous message: %r" % r.err)
        batch(s, w, ["quo NOOP", "mir -P 2 . m"], USER, PW, cwd=dl).check_rc(0)
        check(os.path.exists(os.path.join(dl, "m", "here.txt")), "prefix of mirror")


def test_script_file_and_help():
    with user_server({"f.txt": "f\n"}) as s, Work() as w:
        script = os.path.join(w.path, "cmds.ftp")
        with open(script, "w") as f:
            f.write("user %s '%s'\nget f.txt\nbye\nget f.txt never.txt\n" % (USER, PW))
        run_ftp(["-n", "--script", script, s.host, s.port], w).check_rc(0)
        check(os.path.exists(os.path.join(w.path, "f.txt")), "script ran")
        check(not os.path.exists(os.path.join(w.path, "never.txt")), "bye ends the script")
        r = run_ftp(["--help"], w).check_rc(0)
        for word in ("-N FILE", "--script", "--parallel", "64 usage", "2 login refused"):
            check(word in r.out, "--help mentions %s" % word)
        r = run_ftp(["--version"], w).check_rc(0)
        check(r.out.startswith("ftp "), "--version")
        r = run_ftp(["-n"], w, input="help\nhelp mirror\nhelp nosuch\n").check_rc(64)
        check("mirror" in r.out and "usage: mirror [-R]" in r.out, "help text")


def test_line_breaks_refused():
    with user_server({"victim.txt": "keep\n"}) as s, Work() as w:
        # an URL-encoded CR/LF never reaches the server as a second command
        url = "ftp://%s:%s@%s:%d/x%%0d%%0aDELE%%20victim.txt" % (USER, "s3cret%20pw",
                                                                s.host, s.port)
        run_ftp([url], w).check_rc(64)
        check(os.path.exists(os.path.join(s.home(USER), "victim.txt")), "victim survived")


def test_rate_limit():
    data = harness.pattern_bytes(300000, 5)
    with user_server({"r.bin": data}) as s, Work() as w:
        t0 = time.monotonic()
        batch(s, w, ["rate get 200K", "get r.bin"], USER, PW, cwd=w.path).check_rc(0)
        took = time.monotonic() - t0
        check(took >= 1.0, "300 KB at 200 KB/s takes over a second (took %.2fs)" % took)
        check_eq(file_sha(os.path.join(w.path, "r.bin")), harness.sha256(data), "rate-limited get")


def test_netrc_login_and_macro():
    with user_server({"sub": {"n.txt": "netrc\n"}}) as s, Work() as w:
        netrc = os.path.join(w.home, ".netrc")
        with open(netrc, "w") as f:
            f.write("machine %s login %s password \"%s\"\nmacdef init\ncd sub\n\n"
                    % (s.host, USER, PW))
        os.chmod(netrc, 0o600)
        r = run_ftp([s.host, s.port], w, input="pwd\nget n.txt\n").check_rc(0)
        check("Remote directory: /sub" in r.out, "macdef init ran: %r" % r.out)
        check(os.path.exists(os.path.join(w.path, "n.txt")), "logged in from netrc")
        # -N picks another file
        other = os.path.join(w.path, "other-netrc")
        os.rename(netrc, other)
        r = run_ftp(["-N", other, s.host, s.port], w, input="pwd\n").check_rc(0)
        check("/sub" in r.out, "-N FILE used")
        # a netrc with a password readable by others is refused: the login
        # then reads name and password from the script like tnftp does
        os.chmod(other, 0o644)
        r = run_ftp(["-N", other, s.host, s.port], w,
                    input="%s\n%s\npwd\n" % (USER, PW)).check_rc(0)
        check("readable by others" in r.err, "warning about the netrc: %r" % r.err)
        check("Remote directory: /" in r.out and "/sub" not in r.out, "netrc ignored")


def test_autofetch():
    data = harness.pattern_bytes(100000, 6)
    with user_server({"pub": {"a.bin": data, "b b.txt": "bee\n"}, "top.txt": "top\n"}) as s, Work() as w:
        base = "ftp://%s:%s@%s:%d" % (USER, "s3cret%20pw", s.host, s.port)
        dl = w.sub("dl")
        run_ftp([base + "/pub/a.bin", base + "/pub/b%20b.txt"], w, cwd=dl).check_rc(0)
        check_eq(file_sha(os.path.join(dl, "a.bin")), harness.sha256(data), "auto-fetch")
        check_eq(open(os.path.join(dl, "b b.txt")).read(), "bee\n", "percent-decoded name")
        run_ftp(["-o", "out.bin", base + "/pub/a.bin"], w, cwd=dl).check_rc(0)
        check_eq(file_sha(os.path.join(dl, "out.bin")), harness.sha256(data), "-o FILE")
        r = run_ftp(["-o", "-", base + "/top.txt"], w, cwd=dl).check_rc(0)
        check_eq(r.out, "top\n", "-o - writes to stdout")
        # %2F: an absolute folder (the user's home is the session root here)
        run_ftp(["-o", "abs.bin", base + "/%2Fpub/a.bin"], w, cwd=dl).check_rc(0)
        check_eq(file_sha(os.path.join(dl, "abs.bin")), harness.sha256(data), "%2F path")
        # failures use the same exit codes
        run_ftp([base + "/pub/nothere"], w, cwd=dl).check_rc(3)
        check(not os.path.exists(os.path.join(dl, "nothere")), "no stray file")
        bad = "ftp://%s:wrong@%s:%d/pub/a.bin" % (USER, s.host, s.port)
        run_ftp([bad], w, cwd=dl).check_rc(2)
        run_ftp(["ftp://%s:%d/x" % (s.host, clientlib.free_port())], w, cwd=dl).check_rc(4)
        run_ftp(["ftp://h:99999/x"], w, cwd=dl).check_rc(64)
        # resume with -R
        with open(os.path.join(dl, "part.bin"), "wb") as f:
            f.write(data[:5000])
        run_ftp(["-R", "-o", "part.bin", base + "/pub/a.bin"], w, cwd=dl).check_rc(0)
        check_eq(file_sha(os.path.join(dl, "part.bin")), harness.sha256(data), "-R resume")


def test_upload_url():
    with user_server({"inbox": None}) as s, Work() as w:
        for n in ("u1.txt", "u2.txt"):
            with open(os.path.join(w.path, n), "w") as f:
                f.write(n * 100)
        url = "ftp://%s:%s@%s:%d/inbox/" % (USER, "s3cret%20pw", s.host, s.port)
        run_ftp(["-u", url, "u1.txt", "u2.txt"], w).check_rc(0)
        for n in ("u1.txt", "u2.txt"):
            check_eq(file_sha(os.path.join(s.home(USER), "inbox", n)),
                     file_sha(os.path.join(w.path, n)), "uploaded " + n)
        run_ftp(["-u", url[:-1] + "/renamed.txt", "u1.txt"], w).check_rc(0)
        check(os.path.exists(os.path.join(s.home(USER), "inbox", "renamed.txt")),
              "-u to a file name")
        run_ftp(["-u", url, "missing.txt"], w).check_rc(3)


def test_reconnect_and_close():
    with user_server({"f.txt": "f\n"}) as s, Work() as w:
        r = batch(s, w, ["close", "ls", "open %s %d" % (s.host, s.port),
                         "user %s '%s'" % (USER, PW), "get f.txt"], USER, PW, cwd=w.path)
        r.check_rc(1)      # the ls while closed
        check("Not connected." in r.err, "message when not connected")
        check(os.path.exists(os.path.join(w.path, "f.txt")), "reopened session works")


def test_more_commands():
    s_data = harness.pattern_bytes(5000, 8)
    with user_server({"n.txt": "remote\n", "log.txt": "a\n", "h.bin": s_data}) as s, \
            Work() as w:
        dl = w.sub("dl")
        with open(os.path.join(dl, "more.txt"), "w") as f:
            f.write("b\n")
        with open(os.path.join(dl, "n.txt"), "w") as f:
            f.write("local and newer\n")
        os.utime(os.path.join(dl, "n.txt"), (2000000000, 2000000000))
        r = batch(s, w, ["newer n.txt", "append more.txt log.txt", "hash 1024", "get h.bin",
                         "hash off", "!echo shell-ran > shell.out", "progress off",
                         "prompt off", "verbose on", "type"],
                  USER, PW, cwd=dl).check_rc(0)
        check_eq(open(os.path.join(dl, "n.txt")).read(), "local and newer\n",
                 "newer skips an older remote file")
        check_eq(open(os.path.join(s.home(USER), "log.txt")).read(), "a\nb\n", "append")
        check(re.search(r"^#{4,5}$", r.out, re.M), "hash marks: %r" % r.out)
        check_eq(open(os.path.join(dl, "shell.out")).read(), "shell-ran\n", "! runs a command")
        check("Using binary mode" in r.out, "type shows the mode")
        os.utime(os.path.join(dl, "n.txt"), (1000000000, 1000000000))
        batch(s, w, ["newer n.txt"], USER, PW, cwd=dl).check_rc(0)
        check_eq(open(os.path.join(dl, "n.txt")).read(), "remote\n",
                 "newer fetches a newer remote file")
        # settings commands reject nonsense and the session goes on
        r = batch(s, w, ["passive maybe", "rate get lots", "type ebcdic", "get n.txt x.txt"],
                  USER, PW, cwd=dl).check_rc(64)
        check(os.path.exists(os.path.join(dl, "x.txt")), "session usable after usage errors")


def test_parallel_mget():
    files = {"p%02d.bin" % i: harness.pattern_bytes(30000 + i, 50 + i) for i in range(10)}
    with user_server(files) as s, Work() as w:
        dl = w.sub("dl")
        batch(s, w, ["mget p*.bin"], USER, PW, args=["--parallel", "3"], cwd=dl).check_rc(0)
        for n, data in files.items():
            check_eq(file_sha(os.path.join(dl, n)), harness.sha256(data), n)
        logins = len(re.findall(r"login ok: user=alice", s.log_text()))
        check_eq(logins, 4, "logins (the session and 3 workers)")


def test_ipv6():
    if not socket.has_ipv6:
        harness.skip("no IPv6 support")
    data = harness.pattern_bytes(100000, 9)
    try:
        srv = user_server({"v6.bin": data}, host="::1")
        s = srv.__enter__()
    except harness.Failure as e:
        harness.skip("ftpd cannot listen on ::1 here: %s" % str(e)[:200])
    try:
        with Work() as w:
            r = batch(s, w, ["get v6.bin a.bin", "passive off", "get v6.bin b.bin"], USER, PW,
                      args=["-6", "-d"], cwd=w.path).check_rc(0)
            check("---> EPSV" in r.out and "---> EPRT |2|::1|" in r.out,
                  "EPSV and EPRT on IPv6: %r" % r.out)
            for n in ("a.bin", "b.bin"):
                check_eq(file_sha(os.path.join(w.path, n)), harness.sha256(data), n)
    finally:
        srv.__exit__(None, None, None)


if __name__ == "__main__":
    harness.main()
