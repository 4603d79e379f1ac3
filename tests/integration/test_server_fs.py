"""test_server_fs.py: folder and file verbs (CWD CDUP XCWD XCUP PWD XPWD
MKD XMKD RMD XRMD DELE RNFR RNTO SIZE MDTM MFMT SITE CHMOD), 257 quoting,
and confinement beneath the session root (.., absolute paths, symlinks)."""

import calendar
import os
import re
import stat
import time

import harness as h
from harness import Server, check, check_eq, check_code


def _pwd(r):
    rep = r.expect("PWD", 257)
    m = re.match(r'257 "((?:[^"]|"")*)"', rep.lines[0])
    check(m, "257 reply quotes the path: %r" % rep.text)
    return m.group(1).replace('""', '"')


def test_cwd_cdup_pwd():
    with Server(root_files={"a": {"b": {"c": None}}, "f": "x"}) as s:
        with h.raw_session(s) as r:
            r.login()
            check_eq(_pwd(r), "/", "PWD")
            r.expect("CWD a/b", 250)
            check_eq(_pwd(r), "/a/b", "CWD relative")
            r.expect("CDUP", 200, 250)
            check_eq(_pwd(r), "/a", "CDUP")
            r.expect("XCWD b/c", 250)
            rep = r.expect("XPWD", 257)
            check('"/a/b/c"' in rep.text, "XPWD: %r" % rep.text)
            r.expect("XCUP", 200, 250)
            check_eq(_pwd(r), "/a/b", "XCUP")
            r.expect("CWD /", 250)
            r.expect("CDUP", 200, 250)
            check_eq(_pwd(r), "/", "CDUP at / stays at /")
            r.expect("CWD ..", 250)
            check_eq(_pwd(r), "/", "CWD .. at / stays at /")
            check_code(r.cmd("CWD nosuch"), 550)
            check_code(r.cmd("CWD f"), 550)
            check_eq(_pwd(r), "/", "failed CWD keeps the cwd")
            check_code(r.cmd("CWD"), 501)
            r.expect("CWD /a/./b/../b//c", 250)
            check_eq(_pwd(r), "/a/b/c", "normalized path")


def test_mkd_rmd_dele():
    with Server(users={"u": "pw"}) as s:
        home = s.home("u")
        with h.raw_session(s) as r:
            r.login("u", "pw")
            rep = r.expect("MKD d1", 257)
            check(rep.lines[0].startswith('257 "/d1"'), "MKD 257 reply: %r" % rep.text)
            rep = r.expect("XMKD d2", 257)
            check(os.path.isdir(os.path.join(home, "d1")) and os.path.isdir(os.path.join(home, "d2")),
                  "folders made")
            check_code(r.cmd("MKD d1"), 550, 521)
            r.expect("CWD d1", 250)
            rep = r.expect("MKD sub", 257)
            check(rep.lines[0].startswith('257 "/d1/sub"'), "MKD in a subfolder: %r" % rep.text)
            r.expect("CWD /", 250)
            check_code(r.cmd("RMD d1"), 550)            # not empty
            r.expect("RMD d1/sub", 250)
            r.expect("RMD d1", 250)
            r.expect("XRMD d2", 250)
            check_eq(os.listdir(home), [], "folders removed")
            check_code(r.cmd("RMD nosuch"), 550)
            r.stor("STOR f", b"x")
            check_code(r.cmd("RMD f"), 550)
            check_code(r.cmd("DELE nosuch"), 550)
            r.expect("MKD d", 257)
            check_code(r.cmd("DELE d"), 550)
            r.expect("DELE f", 250)
            check(not os.path.exists(os.path.join(home, "f")), "DELE removed f")
            check_code(r.cmd("MKD"), 501)
            check_code(r.cmd("DELE"), 501)


def test_257_quoting():
    with Server(users={"u": "pw"}) as s:
        with h.raw_session(s) as r:
            r.login("u", "pw")
            rep = r.expect('MKD say "hi"', 257)
            check(rep.lines[0].startswith('257 "/say ""hi"""'),
                  "embedded quotes doubled in 257: %r" % rep.lines[0])
            check(os.path.isdir(os.path.join(s.home("u"), 'say "hi"')), "folder name on disk")
            r.expect('CWD say "hi"', 250)
            rep = r.expect("PWD", 257)
            check(rep.lines[0].startswith('257 "/say ""hi"""'), "PWD quoting: %r" % rep.lines[0])
            check_eq(_pwd(r), '/say "hi"', "unquoted PWD")


def test_rename():
    with Server(users={"u": "pw"}) as s:
        home = s.home("u")
        with h.raw_session(s) as r:
            r.login("u", "pw")
            check_code(r.cmd("RNTO x"), 503)
            r.stor("STOR a", b"aaa")
            r.expect("MKD d", 257)
            r.expect("RNFR a", 350)
            r.expect("RNTO d/b", 250)
            check_eq(open(os.path.join(home, "d", "b"), "rb").read(), b"aaa", "renamed file")
            check(not os.path.exists(os.path.join(home, "a")), "old name gone")
            # RNTO consumes the pending RNFR
            check_code(r.cmd("RNTO c"), 503)
            # another verb between RNFR and RNTO cancels the rename
            r.expect("RNFR d/b", 350)
            r.expect("NOOP", 200)
            check_code(r.cmd("RNTO c"), 503)
            check_code(r.cmd("RNFR nosuch"), 550)
            check_code(r.cmd("RNTO c"), 503)
            # folders can be renamed
            r.expect("RNFR d", 350)
            r.expect("RNTO e", 250)
            check(os.path.isfile(os.path.join(home, "e", "b")), "renamed folder")
            check_code(r.cmd("RNFR"), 501)


def test_size_mdtm_mfmt():
    with Server(users={"u": "pw"}) as s:
        home = s.home("u")
        with h.raw_session(s) as r:
            r.login("u", "pw")
            r.expect("TYPE I", 200)
            r.stor("STOR f", h.pattern_bytes(4321, 1))
            check_eq(r.expect("SIZE f", 213).lines[0], "213 4321", "SIZE")
            check_code(r.cmd("SIZE nosuch"), 550)
            r.expect("MKD d", 257)
            check_code(r.cmd("SIZE d"), 550)
            t = calendar.timegm((2003, 4, 5, 6, 7, 8))
            os.utime(os.path.join(home, "f"), (t, t))
            check_eq(r.expect("MDTM f", 213).lines[0][:18], "213 20030405060708", "MDTM (UTC)")
            check_code(r.cmd("MDTM nosuch"), 550)
            rep = r.expect("MFMT 20200102030405 f", 213)
            check(re.match(r"213 Modify=20200102030405; /?f$", rep.lines[0], re.I),
                  "MFMT reply per draft: %r" % rep.lines[0])
            want = calendar.timegm((2020, 1, 2, 3, 4, 5))
            check_eq(int(os.stat(os.path.join(home, "f")).st_mtime), want, "mtime after MFMT")
            check_eq(r.expect("MDTM f", 213).lines[0][:18], "213 20200102030405", "MDTM after MFMT")
            check_code(r.cmd("MFMT 2020 f"), 501)
            check_code(r.cmd("MFMT 20201399999999 f"), 501)
            check_code(r.cmd("MFMT 20200102030405 nosuch"), 550)
            rep = r.expect("FEAT", 211)
            for feat in ("SIZE", "MDTM", "MFMT", "REST STREAM"):
                check(re.search(r"(?m)^ %s\s*$" % feat, rep.text), "FEAT lists %s" % feat)


def test_site_chmod_and_help():
    with Server(users={"u": "pw"}) as s:
        home = s.home("u")
        with h.raw_session(s) as r:
            r.login("u", "pw")
            r.stor("STOR f", b"x")
            r.expect("SITE CHMOD 600 f", 200)
            check_eq(stat.S_IMODE(os.stat(os.path.join(home, "f")).st_mode), 0o600, "chmod 600")
            r.expect("SITE CHMOD 0754 f", 200)
            check_eq(stat.S_IMODE(os.stat(os.path.join(home, "f")).st_mode), 0o754, "chmod 0754")
            r.expect("site chmod 644 f", 200)
            check_eq(stat.S_IMODE(os.stat(os.path.join(home, "f")).st_mode), 0o644, "lower case")
            check_code(r.cmd("SITE CHMOD 999 f"), 501)
            check_code(r.cmd("SITE CHMOD abc f"), 501)
            check_code(r.cmd("SITE CHMOD 644"), 501)
            check_code(r.cmd("SITE CHMOD 644 nosuch"), 550)
            rep = r.expect("SITE HELP", 214)
            check("CHMOD" in rep.text.upper(), "SITE HELP lists CHMOD: %r" % rep.text)
            check_code(r.cmd("SITE NOSUCHTHING"), 500, 501, 502, 504)
            check_code(r.cmd("SITE"), 500, 501)


def _escape_attempts(r, secret_name):
    """Every way out must fail or stay inside."""
    for path in ("../" + secret_name, "/../" + secret_name, "../../" + secret_name,
                 "/../../../../" + secret_name, "..//" + secret_name):
        get = r.open_data("epsv")
        rep = r.cmd("RETR " + path)
        d = get()
        if rep.code in (125, 150):
            got = d.recv(100)
            d.close()
            r.reply()
            check(b"TOP SECRET" not in got, "RETR %s escaped the root" % path)
        else:
            d.close()
            check_code(rep, 550, 553, 450)


def test_confinement_dotdot_and_absolute():
    with Server(root_files={"pub": {"f": "inside"}}, users={"u": "pw"}) as s:
        # a file next to the anon root and next to the home
        with open(os.path.join(s.dir, "secret.txt"), "w") as f:
            f.write("TOP SECRET\n")
        os.chmod(os.path.join(s.dir, "secret.txt"), 0o644)
        with open(os.path.join(s.dir, "home", "secret.txt"), "w") as f:
            f.write("TOP SECRET\n")
        os.chmod(os.path.join(s.dir, "home", "secret.txt"), 0o644)
        with h.raw_session(s) as r:
            r.login()
            _escape_attempts(r, "secret.txt")
            r.expect("CWD pub", 250)
            _escape_attempts(r, "../secret.txt")
            r.expect("CWD ../../..", 250)
            check_eq(_pwd(r), "/", "CWD ../../.. stays at /")
            check("secret.txt" not in r.list("NLST"), "NLST after CWD .. shows the root")
            check_code(r.cmd("SIZE ../secret.txt"), 550)
            rep = r.cmd("STAT ../")
            check("secret.txt" not in rep.text, "STAT ../ escaped")
            # an absolute path is taken inside the root
            check_code(r.cmd("CWD " + s.dir), 550)
            check_code(r.cmd("SIZE /etc/passwd"), 550)
        with h.raw_session(s) as r:
            r.login("u", "pw")
            _escape_attempts(r, "secret.txt")
            check_code(r.cmd("MKD ../escape"), 257, 550, 553)
            check(not os.path.exists(os.path.join(s.dir, "home", "escape")),
                  "MKD ../escape made a folder outside the home")
            get = r.open_data("epsv")
            rep = r.cmd("STOR ../../up.txt")
            d = get()
            if rep.code in (125, 150):
                d.sendall(b"x")
                d.close()
                r.reply()
            else:
                d.close()
            check(not os.path.exists(os.path.join(s.dir, "up.txt")), "STOR ../../ escaped")
            check(not os.path.exists(os.path.join(s.dir, "home", "up.txt")), "STOR ../../ escaped")
            check(os.path.exists(os.path.join(s.dir, "secret.txt")), "secret still there")
            check_code(r.cmd("DELE ../secret.txt"), 550)
            check(os.path.exists(os.path.join(s.dir, "home", "secret.txt")), "DELE ../ escaped")


def test_confinement_symlinks():
    with Server(root_files={"pub": {"f": "inside pub"}, "etc": {"passwd": "fake passwd\n"},
                            "outside_dir_target": None}, users={"u": "pw"}) as s:
        out = os.path.join(s.dir, "outside")
        os.mkdir(out)
        os.chmod(out, 0o755)
        with open(os.path.join(out, "secret.txt"), "w") as f:
            f.write("TOP SECRET\n")
        os.chmod(os.path.join(out, "secret.txt"), 0o644)
        root = s.root
        os.symlink("../outside/secret.txt", os.path.join(root, "rel_out"))
        os.symlink(os.path.join(out, "secret.txt"), os.path.join(root, "abs_out"))
        os.symlink(out, os.path.join(root, "abs_dir_out"))
        os.symlink("../outside", os.path.join(root, "rel_dir_out"))
        os.symlink("/etc/passwd", os.path.join(root, "etc_link"))
        os.symlink("/pub/f", os.path.join(root, "abs_in"))
        os.symlink("pub/f", os.path.join(root, "rel_in"))
        with h.raw_session(s) as r:
            r.login()
            r.expect("TYPE I", 200)
            for name in ("rel_out", "abs_out", "abs_dir_out/secret.txt", "rel_dir_out/secret.txt"):
                get = r.open_data("epsv")
                rep = r.cmd("RETR " + name)
                d = get()
                if rep.code in (125, 150):
                    got = d.recv(100)
                    d.close()
                    r.reply()
                    check(b"TOP SECRET" not in got, "RETR %s followed a symlink out" % name)
                else:
                    d.close()
                    check_code(rep, 550, 553, 450)
            for name in ("abs_dir_out", "rel_dir_out"):
                rep = r.cmd("CWD " + name)
                if rep.code == 250:
                    check("secret.txt" not in r.list("NLST"), "CWD %s escaped" % name)
                    r.expect("CWD /", 250)
            # an absolute symlink resolves within the root
            got, _ = r.retr("RETR etc_link")
            check_eq(got, b"fake passwd\n", "/etc/passwd symlink resolves inside the root")
            got, _ = r.retr("RETR abs_in")
            check_eq(got, b"inside pub", "absolute symlink inside the tree")
            got, _ = r.retr("RETR rel_in")
            check_eq(got, b"inside pub", "relative symlink inside the tree")
        # writers: DELE removes the link, CHMOD never follows a final symlink
        home = s.home("u")
        os.symlink(os.path.join(out, "secret.txt"), os.path.join(home, "link"))
        os.symlink(out, os.path.join(home, "dirlink"))
        h.give_to_session(home)
        if os.geteuid() == 0:
            os.chown(os.path.join(out, "secret.txt"), h.session_account().pw_uid, -1)
        with h.raw_session(s) as r:
            r.login("u", "pw")
            check_code(r.cmd("SITE CHMOD 666 link"), 200, 550, 553)
            check_eq(stat.S_IMODE(os.stat(os.path.join(out, "secret.txt")).st_mode), 0o644,
                     "SITE CHMOD followed a symlink to outside")
            check_code(r.cmd("MFMT 19990101000000 link"), 213, 550, 553)
            check(os.stat(os.path.join(out, "secret.txt")).st_mtime > 946684800,
                  "MFMT followed a symlink to outside")
            check_code(r.cmd("MKD dirlink/new"), 550, 553)
            check(not os.path.exists(os.path.join(out, "new")), "MKD through a symlink escaped")
            check_code(r.cmd("DELE dirlink/secret.txt"), 550, 553)
            check(os.path.exists(os.path.join(out, "secret.txt")), "DELE through a symlink escaped")
            r.expect("RNFR link", 350)
            r.expect("RNTO link2", 250)
            check(os.path.islink(os.path.join(home, "link2")), "RNTO renamed the link itself")
            r.expect("DELE link2", 250)
            check(not os.path.lexists(os.path.join(home, "link2")), "DELE removed the link")
            check(os.path.exists(os.path.join(out, "secret.txt")), "DELE left the target")
            get = r.open_data("epsv")
            rep = r.cmd("STOR dirlink/planted")
            d = get()
            if rep.code in (125, 150):
                d.sendall(b"planted")
                d.close()
                r.reply()
            else:
                d.close()
            check(not os.path.exists(os.path.join(out, "planted")), "STOR through a symlink escaped")


if __name__ == "__main__":
    h.main()
