"""test_server_login.py: logging in (anonymous, ftp, virtual users from a
users file), refusals, commands before login, REIN, banner and .message,
the users-file tool, and privilege drop when started as root."""

import ftplib
import os
import stat
import subprocess
import time

import harness as h
from harness import Server, check, check_eq, check_code, expect_error

FILES = {"hello.txt": "hello\n", "pub": {"readme.txt": "pub readme\n"}}


def test_anonymous_login():
    with Server(root_files=FILES) as s:
        f = h.ftp_login(s, "anonymous", "someone@example.org")
        check_eq(f.pwd(), "/", "PWD after anonymous login")
        names = f.nlst()
        check("hello.txt" in names and "pub" in names, "NLST of anon root: %r" % names)
        f.quit()


def test_ftp_user_is_anonymous():
    with Server(root_files=FILES) as s:
        f = h.ftp_login(s, "ftp", "x@y")
        check("hello.txt" in f.nlst(), "user ftp sees the anonymous root")
        f.quit()
        # case-insensitive user name, as clients send ANONYMOUS too
        f = h.ftp_login(s, "ANONYMOUS", "x@y")
        check("hello.txt" in f.nlst(), "ANONYMOUS sees the anonymous root")
        f.quit()


def test_anon_disabled():
    with Server(root_files=FILES, conf={"anon_enable": "no"}) as s:
        with h.raw_session(s) as r:
            check_code(r.reply(), 220)
            rep = r.cmd("USER anonymous")
            if rep.code == 331:
                rep = r.cmd("PASS a@b")
            check_code(rep, 530)
            r.expect("PWD", 530)


def test_virtual_user_login():
    with Server(users={"alice": "wonder land", "bob": "b0b!"}) as s:
        h.make_file(os.path.join(s.home("alice"), "a.bin"), 1000, 1)
        f = h.ftp_login(s, "alice", "wonder land")
        check_eq(f.pwd(), "/", "virtual user starts at / of the home")
        check_eq(f.nlst(), ["a.bin"], "alice sees her home")
        f.quit()
        f = h.ftp_login(s, "bob", "b0b!")
        check_eq(f.nlst(), [], "bob's home is empty")
        f.quit()


def test_wrong_password_and_unknown_user():
    with Server(users={"alice": "secret1"}) as s:
        for user, pw in (("alice", "wrong"), ("alice", ""), ("nosuch", "secret1"),
                         ("root", "x"), ("alice:", "secret1")):
            f = ftplib.FTP(timeout=h.TIMEOUT)
            f.connect(s.host, s.port)
            expect_error(["530"], f.login, user, pw)
            # the session survives a failed login and can try again
            f.login("alice", "secret1")
            check_eq(f.pwd(), "/", "PWD after retry")
            f.quit()


def test_commands_before_login():
    with Server(root_files=FILES) as s:
        with h.raw_session(s) as r:
            check_code(r.reply(), 220)
            for c in ("PWD", "CWD pub", "LIST", "NLST", "RETR hello.txt", "STOR x",
                      "MKD d", "DELE hello.txt", "SIZE hello.txt", "PASV", "EPSV",
                      "PORT 127,0,0,1,200,10", "MLSD", "CDUP", "RNFR hello.txt",
                      "STAT /", "SITE CHMOD 644 hello.txt", "MDTM hello.txt"):
                check_code(r.cmd(c), 530)
            # harmless verbs work before login
            r.expect("SYST", 215)
            r.expect("NOOP", 200)
            r.expect("FEAT", 211)
            check_code(r.cmd("PASS x"), 503)       # PASS without USER
            r.login()
            r.expect("PWD", 257)


def test_rein():
    with Server(root_files=FILES) as s:
        with h.raw_session(s) as r:
            r.login()
            r.expect("CWD pub", 250)
            check_code(r.cmd("REIN"), 220)
            r.expect("PWD", 530)
            r.login()
            rep = r.expect("PWD", 257)
            check('"/"' in rep.text, "REIN resets the cwd: %r" % rep.text)


def test_banner_default_and_configured():
    with Server() as s:
        with h.raw_session(s) as r:
            g = check_code(r.reply(), 220)
            check("ftpd ready" in g.text, "default banner: %r" % g.text)
    with Server(conf={"banner": "Welcome to the test archive"}) as s:
        with h.raw_session(s) as r:
            g = check_code(r.reply(), 220)
            check("Welcome to the test archive" in g.text, "banner: %r" % g.text)


def test_message_file():
    files = {"pub": {".message": "Hello from pub\nSecond line\n", "x": "x"}}
    with Server(root_files=files) as s:
        with h.raw_session(s) as r:
            r.login()
            rep = r.expect("CWD pub", 250)
            check(rep.raw.startswith(b"250-"), "CWD with .message is multi-line: %r" % rep.raw)
            check("Hello from pub" in rep.text and "Second line" in rep.text,
                  ".message shown: %r" % rep.text)
            check(rep.lines[-1].startswith("250 "), "ends with '250 ': %r" % rep.lines)
            # the message file itself is a dot file, hidden from listings
            check(".message" not in r.list("NLST"), ".message hidden from NLST")
            rep = r.expect("CWD /", 250)
            check("Hello from pub" not in rep.text, "no message for /")
    with Server(root_files=files, conf={"message_file": ""}) as s:
        with h.raw_session(s) as r:
            r.login()
            rep = r.expect("CWD pub", 250)
            check("Hello from pub" not in rep.text, "message_file= disables it")
    with Server(root_files={"pub": {"WELCOME": "custom msg\n"}},
                conf={"message_file": "WELCOME"}) as s:
        with h.raw_session(s) as r:
            r.login()
            rep = r.expect("CWD pub", 250)
            check("custom msg" in rep.text, "message_file=WELCOME: %r" % rep.text)


def test_anonymous_write_refused():
    with Server(root_files=FILES) as s:
        with h.raw_session(s) as r:
            r.login()
            for c in ("MKD newdir", "RMD pub", "DELE hello.txt", "RNFR hello.txt",
                      "SITE CHMOD 777 hello.txt", "MFMT 20000101000000 hello.txt"):
                check_code(r.cmd(c), 5)
            get = r.open_data("epsv")
            rep = r.cmd("STOR new.txt")
            check_code(rep, 5)
            get().close()
            get = r.open_data("epsv")
            check_code(r.cmd("APPE hello.txt"), 5)
            get().close()
            r.expect("NOOP", 200)
        check(not os.path.exists(os.path.join(s.root, "new.txt")), "no file created")
        check(not os.path.exists(os.path.join(s.root, "newdir")), "no folder created")
        check_eq(open(os.path.join(s.root, "hello.txt")).read(), "hello\n", "file intact")


def test_anon_upload_dir():
    with Server(root_files={"incoming": None, "pub": None, "f": "f"},
                conf={"anon_upload_dir": "/incoming"}) as s:
        h.give_to_session(os.path.join(s.root, "incoming"))
        data = h.pattern_bytes(70000, 3)
        with h.raw_session(s) as r:
            r.login()
            r.expect("TYPE I", 200)
            r.stor("STOR /incoming/up.bin", data)
            check_eq(h.sha256(os.path.join(s.root, "incoming", "up.bin")), h.sha256(data),
                     "anonymous upload checksum")
            r.expect("CWD incoming", 250)
            r.stor("STOR rel.bin", b"relative")
            r.expect("MKD sub", 257)
            check(os.path.isdir(os.path.join(s.root, "incoming", "sub")), "MKD in incoming")
            # no overwrite, no delete, no rename, nothing outside incoming
            get = r.open_data("epsv")
            check_code(r.cmd("STOR up.bin"), 5)
            get().close()
            check_code(r.cmd("DELE up.bin"), 5)
            check_code(r.cmd("RNFR up.bin"), 5)
            check_code(r.cmd("RMD sub"), 5)
            get = r.open_data("epsv")
            check_code(r.cmd("STOR /pub/x.bin"), 5)
            get().close()
            get = r.open_data("epsv")
            check_code(r.cmd("STOR /x.bin"), 5)
            get().close()
            check_code(r.cmd("MKD /pub/d"), 5)
            r.expect("NOOP", 200)
        check_eq(h.sha256(os.path.join(s.root, "incoming", "up.bin")), h.sha256(data),
                 "no overwrite")
        check(not os.path.exists(os.path.join(s.root, "pub", "x.bin")), "nothing in /pub")
        check(not os.path.exists(os.path.join(s.root, "x.bin")), "nothing in /")


def test_virtual_user_can_write():
    with Server(users={"carol": "pw"}) as s:
        f = h.ftp_login(s, "carol", "pw")
        check(f.mkd("dir").endswith("dir"), "MKD")
        f.cwd("dir")
        data = h.pattern_bytes(5000, 9)
        import io
        f.storbinary("STOR f.bin", io.BytesIO(data))
        f.quit()
        check_eq(h.sha256(os.path.join(s.home("carol"), "dir", "f.bin")), h.sha256(data),
                 "upload by a virtual user")


def test_ftpasswd_tool():
    with Server(users={"dave": "first pass"}, users_tool="ftpasswd") as s:
        st = os.stat(s.users_file)
        check_eq(stat.S_IMODE(st.st_mode), 0o600, "users file mode")
        text = open(s.users_file).read()
        check("first pass" not in text, "password not stored in clear")
        fields = text.strip().split(":")
        check(fields[0] == "dave" and (fields[1].startswith("$y$") or fields[1].startswith("$6$")),
              "users file line: %r" % text)
        check_eq(fields[2], s.home("dave"), "home field")
        f = h.ftp_login(s, "dave", "first pass")
        f.quit()
        # change the password: the old one stops working, the new one works
        r = subprocess.run([h.FTPASSWD, "-f", s.users_file, "--stdin", "dave"],
                           input=b"second pass\n", stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=h.TIMEOUT)
        check_eq(r.returncode, 0, "ftpasswd change exit status (%r)" % r.stderr)
        f = ftplib.FTP(timeout=h.TIMEOUT)
        f.connect(s.host, s.port)
        expect_error(["530"], f.login, "dave", "first pass")
        f.close()
        h.ftp_login(s, "dave", "second pass").quit()
        # a new user without -d is refused; -D deletes
        r = subprocess.run([h.FTPASSWD, "-f", s.users_file, "--stdin", "erin"],
                           input=b"pw\n", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=h.TIMEOUT)
        check(r.returncode != 0, "new user without -d refused")
        r = subprocess.run([h.FTPASSWD, "-f", s.users_file, "-D", "dave"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=h.TIMEOUT)
        check_eq(r.returncode, 0, "ftpasswd -D exit status (%r)" % r.stderr)
        check("dave:" not in open(s.users_file).read(), "dave deleted")
        f = ftplib.FTP(timeout=h.TIMEOUT)
        f.connect(s.host, s.port)
        expect_error(["530"], f.login, "dave", "second pass")
        f.close()


def test_password_not_logged():
    # -d (debug logging) shows commands, but never a PASS argument
    with Server(users={"frank": "Sup3rS3cretPW"}, args=["-d"]) as s:
        h.ftp_login(s, "frank", "Sup3rS3cretPW").quit()
        f = ftplib.FTP(timeout=h.TIMEOUT)
        f.connect(s.host, s.port)
        expect_error(["530"], f.login, "frank", "Wr0ngS3cretPW")
        f.close()
        time.sleep(0.3)
        log = s.log_text()
        check("Sup3rS3cretPW" not in log and "Wr0ngS3cretPW" not in log,
              "passwords must not appear in the log")


def _uids_of_sessions(s):
    out = {}
    for pid in s.descendants():
        u = h.proc_uids(pid)
        if u is not None:
            out[pid] = u
    return out


def test_root_drops_privileges():
    if os.geteuid() != 0:
        h.skip("needs root")
    import pwd
    nobody = pwd.getpwnam("nobody").pw_uid
    acct = h.session_account().pw_uid
    # a file only root may read: a session that kept root could send it
    with Server(root_files={"secret": "root only\n", "open": "ok\n"},
                users={"gina": "pw"}) as s:
        os.chmod(os.path.join(s.root, "secret"), 0o600)
        with h.raw_session(s) as r:
            check_code(r.reply(), 220)
            time.sleep(0.2)
            uids = h.wait_for(lambda: _uids_of_sessions(s), what="a session process")
            check(any(set(u) == {nobody} for u in uids.values()),
                  "pre-login session runs as nobody: %r" % uids)
            r.login()
            r.expect("TYPE I", 200)
            data, _ = r.retr("RETR open")
            check_eq(data, b"ok\n", "readable file")
            get = r.open_data("epsv")
            rep = r.cmd("RETR secret")
            if rep.code in (125, 150):
                d = get()
                got = d.recv(100)
                d.close()
                check(got == b"", "anonymous session read a root-only file: %r" % got)
            else:
                check_code(rep, 5)
            uids = _uids_of_sessions(s)
            check(any(set(u) == {acct} for u in uids.values()),
                  "anonymous session runs as the anon_user account: %r" % uids)
            r.cmd("QUIT")
        with h.raw_session(s) as r:
            r.login("gina", "pw")
            uids = _uids_of_sessions(s)
            check(any(set(u) == {acct} for u in uids.values()),
                  "virtual user session runs as virtual_user: %r" % uids)
            # the home of a virtual user is not writable once owned by root
            os.chown(s.home("gina"), 0, 0)
            get = r.open_data("epsv")
            rep = r.cmd("STOR x")
            if rep.code in (125, 150):
                d = get()
                d.sendall(b"data")
                d.close()
                rep = r.reply()
            check_code(rep, 4, 5)
            check(not os.path.exists(os.path.join(s.home("gina"), "x")),
                  "virtual user session wrote into a root-owned folder")


if __name__ == "__main__":
    h.main()
