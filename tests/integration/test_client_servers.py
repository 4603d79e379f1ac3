#!/usr/bin/env python3
"""test_client_servers.py: one batch script, two servers.  The same
commands run against our ftpd and against Debian's vsftpd (fetched with
apt-get download + dpkg -x and started by clientlib.Vsftpd with a
temporary config on 127.0.0.1; skipped with the reason when that is not
possible) must give the same files (by checksum), the same listings and
the same exit codes."""

import os
import re

import harness
from harness import check, check_eq, limit
import clientlib
from clientlib import Vsftpd, Work, file_sha, run_ftp, tree

SOURCE = {
    "a.bin": harness.pattern_bytes(2 * 1024 * 1024 + 3, 11),
    "name with space.txt": b"spaces are fine\n",
    "t.txt": b"one\ntwo\nthree\n",
    "x1.dat": b"x1", "x2.dat": b"x2", "x3.dat": harness.pattern_bytes(70000, 12),
    "tree": {"f%d.bin" % i: harness.pattern_bytes(5000 * i + 1, 20 + i) for i in range(9)},
}
SOURCE["tree"]["deep"] = {"deeper": {"z.bin": harness.pattern_bytes(400000, 40), "e": None}}

SCRIPT = """\
cd {dir}
mkdir t
cd t
put a.bin
put "name with space.txt"
mput x*.dat
ascii
put t.txt
get t.txt t.back
binary
mirror -R -P 4 tree tree
mirror -P 4 tree tree.back
nlist . names.txt
mget *.dat
get a.bin a.back
size a.bin
rename a.bin b.bin
get "name with space.txt" spaced.back
get missing.bin
delete x1.dat
nlist . names2.txt
"""


def run_script(host, port, user, pw, remote_dir, work, name):
    cwd = work.sub(name)
    harness.write_tree(cwd, SOURCE)
    script = "user %s '%s'\n" % (user, pw) + SCRIPT.format(dir=remote_dir)
    r = run_ftp(["-n", host, port], work, input=script, cwd=cwd, timeout=120)
    return r, cwd


def results(r, cwd):
    """What the script produced, independent of the server."""
    out = {}
    for n in ("a.back", "spaced.back", "t.back", "x1.dat", "x2.dat", "x3.dat"):
        out[n] = file_sha(os.path.join(cwd, n)) if os.path.exists(os.path.join(cwd, n)) else None
    out["tree.back"] = tree(os.path.join(cwd, "tree.back"))
    out["names"] = sorted(open(os.path.join(cwd, "names.txt")).read().split("\n"))
    out["names2"] = sorted(open(os.path.join(cwd, "names2.txt")).read().split("\n"))
    out["rc"] = r.rc
    out["size"] = re.findall(r"^a\.bin\t\d+$", r.out, re.M)
    out["mirror"] = re.findall(r"^mirror: .*$", r.out, re.M)
    return out


def check_server_side(remote, want_tree):
    check_eq(file_sha(os.path.join(remote, "b.bin")), harness.sha256(SOURCE["a.bin"]), "put")
    check_eq(file_sha(os.path.join(remote, "name with space.txt")),
             harness.sha256(SOURCE["name with space.txt"]), "put with spaces")
    check_eq(open(os.path.join(remote, "t.txt"), "rb").read(), SOURCE["t.txt"], "ASCII put")
    check(not os.path.exists(os.path.join(remote, "x1.dat")), "delete")
    check_eq(tree(os.path.join(remote, "tree")), want_tree, "mirror -R -P 4 upload")


@limit(240)
def test_same_script_same_results():
    with Vsftpd() as v, harness.Server(users={"alice": "pw"}) as s, Work() as w:
        harness.give_to_session(s.home("alice"))
        rv, cv = run_script(v.host, v.port, "anonymous", "x@", "/up", w, "vs")
        ro, co = run_script(s.host, s.port, "alice", "pw", "/", w, "ours")
        res_v, res_o = results(rv, cv), results(ro, co)
        check_eq(res_v["rc"], 3, "exit code against vsftpd (missing file):\n" + rv.err)
        check_eq(res_o, res_v, "results against our ftpd vs vsftpd")
        # the script's own checks, once
        check_eq(res_o["a.back"], harness.sha256(SOURCE["a.bin"]), "get a.bin")
        check_eq(res_o["t.back"], harness.sha256(SOURCE["t.txt"]), "ASCII round trip")
        check_eq(res_o["tree.back"], tree(os.path.join(co, "tree")), "mirror -P 4 down")
        check_eq(res_o["size"], ["a.bin\t%d" % len(SOURCE["a.bin"])], "size")
        check_eq(res_o["mirror"][0], "mirror: 10 files copied, 0 up to date, 0 failed, "
                 "3 folders", "mirror summary")
        check("names.txt" not in res_o["names"] and "x3.dat" in res_o["names"], "nlist")
        want = tree(os.path.join(co, "tree"))
        check_server_side(os.path.join(v.up, "t"), want)
        check_server_side(os.path.join(s.home("alice"), "t"), want)


@limit(120)
def test_vsftpd_exit_codes_and_parallel_mirror():
    files = {"pub": {"d%d" % i: {"f%d.bin" % j: harness.pattern_bytes(20000 + j * 777, i * 10 + j)
                                 for j in range(5)} for i in range(4)}}
    with Vsftpd(files) as v, Work() as w:
        # 2: vsftpd here is anonymous-only, so any other login is refused
        run_ftp(["-n", v.host, v.port], w, input="user bob secret\nls\n").check_rc(2)
        # 3: missing file, also through auto-fetch
        run_ftp(["-n", v.host, v.port], w, input="user anonymous x\nget /pub/nope\n").check_rc(3)
        run_ftp(["ftp://%s:%d/pub/nope" % (v.host, v.port)], w).check_rc(3)
        # auto-fetch of a real file (anonymous by default)
        run_ftp(["ftp://%s:%d/pub/d1/f2.bin" % (v.host, v.port)], w).check_rc(0)
        check_eq(file_sha(os.path.join(w.path, "f2.bin")),
                 file_sha(os.path.join(v.root, "pub", "d1", "f2.bin")), "auto-fetch")
        # mirror -P 4 down, with checksums; a second run copies nothing
        r = run_ftp(["-n", v.host, v.port], w, input="user anonymous x\nmirror -P 4 /pub m\n",
                    timeout=120).check_rc(0)
        check_eq(tree(os.path.join(w.path, "m")), tree(os.path.join(v.root, "pub")), "mirror")
        check("20 files copied" in r.out, "summary: %r" % r.out)
        r = run_ftp(["-n", v.host, v.port], w, input="user anonymous x\nmirror -P 4 /pub m\n",
                    timeout=120).check_rc(0)
        check("0 files copied, 20 up to date" in r.out, "times from MDTM: %r" % r.out)
        # active mode against vsftpd too
        run_ftp(["-n", "-A", v.host, v.port], w,
                input="user anonymous x\nget /pub/d0/f0.bin act.bin\n").check_rc(0)
        check_eq(file_sha(os.path.join(w.path, "act.bin")),
                 file_sha(os.path.join(v.root, "pub", "d0", "f0.bin")), "active get")


if __name__ == "__main__":
    harness.main()
