#!/usr/bin/env python3
"""test_client_hostile.py: the client against a scripted server that
misbehaves: names that try to leave the local folder, a PASV reply naming
another address, tricky multi-line replies, refused data connections, a
421 in the middle of a session."""

import os
import re

import harness
from harness import check, check_eq
import clientlib
from clientlib import FakeServer, Work, run_ftp

FILES = {"ok.txt": b"fine\n", "../evil.txt": b"evil\n", "/tmp/abs-evil.txt": b"abs\n",
         "|touch pwned": b"pipe\n", "sub/../../up.txt": b"up\n"}


def serve_files(cmd, arg, srv):
    if cmd == "MLSD":
        srv.data("".join("type=file;size=%d; %s\r\n" % (len(v), k)
                         for k, v in FILES.items()).encode())
    elif cmd == "NLST":
        srv.data("".join("%s\r\n" % k for k in FILES).encode())
    elif cmd == "RETR":
        srv.data(FILES.get(arg, b"?"))
    return None


def session(srv, w, lines, args=(), cwd=None):
    return run_ftp(["-n"] + list(args) + [srv.host, srv.port], w,
                   input="user u p\n" + "\n".join(lines) + "\n", cwd=cwd, timeout=40)


def test_names_stay_in_the_folder():
    with Work() as w:
        dl = w.sub("dl")
        with FakeServer(serve_files) as srv:
            session(srv, w, ["mget *"], cwd=dl)
        check_eq(os.listdir(dl), ["ok.txt"], "only the safe name was written")
        check_eq(open(os.path.join(dl, "ok.txt"), "rb").read(), b"fine\n", "content")
        check(not os.path.exists(os.path.join(w.path, "evil.txt")), "no ../ escape")
        check(not os.path.exists(os.path.join(w.path, "up.txt")), "no sub/../../ escape")
        check(not os.path.exists("/tmp/abs-evil.txt"), "no absolute path")
        # a server-chosen name that is a symlink locally is not followed
        dl2 = w.sub("dl2")
        os.symlink(os.path.join(w.path, "target"), os.path.join(dl2, "ok.txt"))
        with FakeServer(serve_files) as srv:
            r = session(srv, w, ["mget ok*"], cwd=dl2)
        check(r.rc != 0, "refusing the symlink is a failure")
        check(not os.path.exists(os.path.join(w.path, "target")), "symlink not followed")
        check("refusing to write there" in r.err, "explained: %r" % r.err)


def test_mirror_names_stay_in_the_folder():
    def handler(cmd, arg, srv):
        if cmd == "MLSD":
            if arg in ("", "top"):
                srv.data(b"type=dir; ..\r\ntype=dir; sub\r\ntype=file;size=2; a\r\n"
                         b"type=dir; /etc\r\ntype=file;size=2; ../b\r\n")
            else:
                srv.data(b"type=file;size=2; c\r\n")
            return None
        if cmd == "RETR":
            srv.data(b"x\n")
        return None
    with Work() as w:
        dl = w.sub("dl")
        with FakeServer(handler) as srv:
            session(srv, w, ["mirror top copy"], cwd=dl).check_rc(0)
        check_eq(clientlib.tree(os.path.join(dl, "copy")).keys() >= {"a", "sub", "sub/c"}, True,
                 "the plain names arrived")
        check_eq(sorted(clientlib.tree(dl)), ["copy", "copy/a", "copy/sub", "copy/sub/c"],
                 "nothing else was created")


def test_pasv_address_is_ignored():
    with Work() as w:
        dl = w.sub("dl")
        with FakeServer(serve_files, pasv_lie="10.9.8.7", epsv=False) as srv:
            r = session(srv, w, ["get ok.txt", "get ok.txt again.txt"], args=["-d"], cwd=dl)
        r.check_rc(0)
        check("---> PASV" in r.out, "fell back from EPSV to PASV: %r" % r.out)
        check(r.out.count("---> EPSV") == 1, "EPSV not tried again after a 500")
        check("10.9.8.7" in r.out, "the announced address is mentioned in debug output")
        check_eq(open(os.path.join(dl, "ok.txt"), "rb").read(), b"fine\n",
                 "data came from the control connection's address")


def test_multiline_replies():
    def handler(cmd, arg, srv):
        if cmd == "USER":
            return ("331-Welcome\r\n331x not the end\r\n230 not the end either\r\n"
                    " 331 indented is not the end\r\n331 Password please")
        if cmd == "PASS":
            return "230-Line one\r\n\r\n230-still going\r\n230 Done"
        if cmd == "SYST":
            return "215 UNIX Type: L8"
        return serve_files(cmd, arg, srv)
    with Work() as w:
        with FakeServer(handler) as srv:
            r = session(srv, w, ["system", "get ok.txt"], args=["-v"])
            log = list(srv.log)
        r.check_rc(0)
        check_eq([l.split()[0] for l in log[:3]], ["USER", "PASS", "FEAT"],
                 "one PASS after the whole 331 reply")
        check("230 Done" in r.out, "the full multi-line reply was read: %r" % r.out)
        check("215 UNIX" in r.out, "the next reply stays in step")


def test_data_connection_refused_explained():
    def handler(cmd, arg, srv):
        if cmd == "EPSV":
            return "229 Entering Extended Passive Mode (|||%d|)" % clientlib.free_port()
        return serve_files(cmd, arg, srv)
    with Work() as w:
        with FakeServer(handler) as srv:
            r = session(srv, w, ["get ok.txt", "pwd"], cwd=w.sub("dl"))
        r.check_rc(4)
        check("data connection refused" in r.err and "passive off" in r.err,
              "actionable message: %r" % r.err)
        check("Remote directory" in r.out or '"/"' in r.out or r.out == "",
              "the session went on")


def test_421_ends_the_session():
    def handler(cmd, arg, srv):
        if cmd == "CWD":
            return "421 Service shutting down"
        return None
    with Work() as w:
        with FakeServer(handler) as srv:
            r = session(srv, w, ["cd x", "pwd"])
        r.check_rc(4)
        check("421" in r.err, "the 421 is shown: %r" % r.err)
        check("Not connected." in r.err, "later commands say so")


def test_garbage_reply():
    def handler(cmd, arg, srv):
        if cmd == "PWD":
            return "this is not a reply"
        return None
    with Work() as w:
        with FakeServer(handler) as srv:
            r = session(srv, w, ["pwd", "ls"])
        r.check_rc(4)
        check(re.search(r"malformed reply", r.err), "explained: %r" % r.err)


if __name__ == "__main__":
    harness.main()
