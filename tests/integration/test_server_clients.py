"""test_server_clients.py: real clients against ftpd: curl, lftp and
Python's ftplib, anonymous and virtual user, passive and active, IPv4 and
IPv6, list/download/upload with checksums."""

import io
import os
import subprocess

import harness as h
from harness import Server, check, check_eq

BIG = 3 * 1024 * 1024 + 17


def _tree():
    return {"pub": {"small.txt": "hello curl\n", "big.bin": h.pattern_bytes(BIG, 1),
                    "sub dir": {"nested.bin": h.pattern_bytes(70000, 2)}},
            "readme.txt": "top\n"}


def _run(argv, timeout=60, input=None):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                       input=input, stdin=None if input is not None else subprocess.DEVNULL)
    return r


def _url(s, path="/", user=None, host=None):
    host = host or s.host
    hp = "[%s]" % host if ":" in host else host
    auth = "%s@" % user if user else ""
    return "ftp://%s%s:%d%s" % (auth, hp, s.port, path)


def _curl(*args):
    if not h.have_program("curl"):
        h.skip("curl not installed")
    r = _run(["curl", "-sS", "--max-time", "30", "--connect-timeout", "10"] + list(args))
    check_eq(r.returncode, 0, "curl %s exit status (stderr %r)" % (" ".join(args), r.stderr))
    return r.stdout


def test_curl_anonymous_passive_and_active():
    with Server(root_files=_tree()) as s:
        src = os.path.join(s.root, "pub", "big.bin")
        listing = _curl("--ftp-pasv", _url(s, "/pub/")).decode()
        for n in ("small.txt", "big.bin", "sub dir"):
            check(n in listing, "curl list shows %r: %r" % (n, listing))
        names = _curl("--list-only", _url(s, "/pub/")).decode().splitlines()
        check("big.bin" in names, "curl --list-only (NLST): %r" % names)
        for extra in (["--ftp-pasv"], ["--ftp-pasv", "--disable-epsv"], ["-P", "-"],
                      ["-P", "-", "--disable-eprt"]):
            out = _curl(*(extra + [_url(s, "/pub/big.bin")]))
            check_eq(h.sha256(out), h.sha256(src), "curl %s download" % extra)
        out = _curl(_url(s, "/pub/sub%20dir/nested.bin"))
        check_eq(h.sha256(out), h.sha256(os.path.join(s.root, "pub", "sub dir", "nested.bin")),
                 "name with a space")
        out = _curl("--ftp-pasv", "-r", "1000-1999", _url(s, "/pub/big.bin"))
        check_eq(out, h.pattern_bytes(BIG, 1)[1000:2000], "curl range (REST)")


def test_curl_skip_pasv_ip():
    with Server(root_files=_tree(), conf={"pasv_address": "192.0.2.1"}) as s:
        out = _curl("--ftp-pasv", "--disable-epsv", "--ftp-skip-pasv-ip",
                    _url(s, "/pub/big.bin"))
        check_eq(h.sha256(out), h.sha256(os.path.join(s.root, "pub", "big.bin")),
                 "curl ignoring the PASV address")


def test_curl_virtual_user_upload():
    with Server(users={"cu": "curl pw"}) as s:
        tmp = h.tempdir("ftpd-curl-")
        src = os.path.join(tmp, "up.bin")
        h.make_file(src, BIG, 3)
        for i, extra in enumerate((["--ftp-pasv"], ["-P", "-"], ["--ftp-pasv", "--disable-epsv"],
                                   ["-P", "-", "--disable-eprt"])):
            _curl(*(extra + ["--user", "cu:curl pw", "-T", src, _url(s, "/up%d.bin" % i)]))
            check_eq(h.sha256(os.path.join(s.home("cu"), "up%d.bin" % i)), h.sha256(src),
                     "curl upload %s" % extra)
        _curl("--user", "cu:curl pw", "--ftp-create-dirs", "-T", src, _url(s, "/new/dir/up.bin"))
        check_eq(h.sha256(os.path.join(s.home("cu"), "new", "dir", "up.bin")), h.sha256(src),
                 "curl --ftp-create-dirs")
        out = _curl("--user", "cu:curl pw", _url(s, "/up0.bin"))
        check_eq(h.sha256(out), h.sha256(src), "curl download as a virtual user")
        # resume an upload (-C -: SIZE, then APPE or REST+STOR)
        part = os.path.join(tmp, "part.bin")
        with open(src, "rb") as f, open(part, "wb") as g:
            g.write(f.read(1000000))
        _curl("--user", "cu:curl pw", "-T", part, _url(s, "/resumed.bin"))
        _curl("--user", "cu:curl pw", "-C", "-", "-T", src, _url(s, "/resumed.bin"))
        check_eq(h.sha256(os.path.join(s.home("cu"), "resumed.bin")), h.sha256(src),
                 "curl resumed upload")
        # quote commands
        _curl("--user", "cu:curl pw", "-Q", "-DELE up1.bin", _url(s, "/"))
        check(not os.path.exists(os.path.join(s.home("cu"), "up1.bin")), "curl -Q DELE")
        # wrong password fails
        r = _run(["curl", "-sS", "--max-time", "20", "--user", "cu:wrong", _url(s, "/")])
        check_eq(r.returncode, 67, "curl login denied exit status")


def test_curl_ipv6():
    with Server(root_files=_tree(), users={"cu": "pw"}, host="::1") as s:
        for extra in (["--ftp-pasv"], ["-P", "-"]):
            out = _curl(*(extra + ["-g", _url(s, "/pub/big.bin")]))
            check_eq(h.sha256(out), h.sha256(os.path.join(s.root, "pub", "big.bin")),
                     "curl IPv6 %s" % extra)
        listing = _curl("-g", _url(s, "/pub/")).decode()
        check("big.bin" in listing, "curl IPv6 list")
        tmp = h.tempdir("ftpd-curl-")
        src = os.path.join(tmp, "up.bin")
        h.make_file(src, 100000, 4)
        for i, extra in enumerate((["--ftp-pasv"], ["-P", "-"])):
            _curl(*(extra + ["-g", "--user", "cu:pw", "-T", src, _url(s, "/v6-%d.bin" % i)]))
            check_eq(h.sha256(os.path.join(s.home("cu"), "v6-%d.bin" % i)), h.sha256(src),
                     "curl IPv6 upload %s" % extra)


def _lftp(s, script, user="anonymous", pw="lftp@example.org", passive=True, host=None):
    if not h.have_program("lftp"):
        h.skip("lftp not installed")
    host = host or s.host
    hp = "[%s]" % host if ":" in host else host
    cmds = ("set ftp:passive-mode %s; set net:max-retries 1; set net:timeout 10; "
            "set net:reconnect-interval-base 1; set ftp:ssl-allow no; set cmd:fail-exit yes; "
            "set xfer:clobber yes; open -u '%s','%s' -p %d %s; %s"
            % ("on" if passive else "off", user, pw, s.port, hp, script))
    r = _run(["lftp", "-c", cmds], timeout=90)
    check_eq(r.returncode, 0, "lftp %r exit status (stderr %r)" % (script, r.stderr[-500:]))
    return r.stdout


def test_lftp_anonymous():
    with Server(root_files=_tree()) as s:
        for passive in (True, False):
            tmp = h.tempdir("ftpd-lftp-")
            out = _lftp(s, "cls -1 /pub", passive=passive).decode()
            for n in ("small.txt", "big.bin", "sub dir"):
                check(n in out, "lftp cls shows %r: %r" % (n, out))
            _lftp(s, "get /pub/big.bin -o %s/big.bin" % tmp, passive=passive)
            check_eq(h.sha256(os.path.join(tmp, "big.bin")),
                     h.sha256(os.path.join(s.root, "pub", "big.bin")), "lftp get (passive=%s)" % passive)
            _lftp(s, "mirror /pub %s/mirror" % tmp, passive=passive)
            for rel in ("small.txt", "big.bin", "sub dir/nested.bin"):
                check_eq(h.sha256(os.path.join(tmp, "mirror", rel)),
                         h.sha256(os.path.join(s.root, "pub", rel)), "lftp mirror %s" % rel)
            # lftp keeps the server's times on mirror (MLSD/MDTM)
            st_src = os.stat(os.path.join(s.root, "pub", "big.bin"))
            st_dst = os.stat(os.path.join(tmp, "mirror", "big.bin"))
            check(abs(st_src.st_mtime - st_dst.st_mtime) < 2, "lftp mirror keeps mtime")


def test_lftp_virtual_user():
    with Server(users={"lu": "lftp pw"}) as s:
        tmp = h.tempdir("ftpd-lftp-")
        src = os.path.join(tmp, "local")
        os.makedirs(os.path.join(src, "deep", "er"))
        h.make_file(os.path.join(src, "a.bin"), BIG, 5)
        h.make_file(os.path.join(src, "deep", "b.bin"), 65537, 6)
        h.make_file(os.path.join(src, "deep", "er", "c.bin"), 0, 7)
        os.utime(os.path.join(src, "a.bin"), (1000000000, 1000000000))
        for passive in (True, False):
            dest = "/m%d" % passive
            _lftp(s, "put %s/a.bin -o /put%d.bin" % (src, passive), user="lu", pw="lftp pw",
                  passive=passive)
            check_eq(h.sha256(os.path.join(s.home("lu"), "put%d.bin" % passive)),
                     h.sha256(os.path.join(src, "a.bin")), "lftp put (passive=%s)" % passive)
            _lftp(s, "mirror -R %s %s" % (src, dest), user="lu", pw="lftp pw", passive=passive)
            for rel in ("a.bin", "deep/b.bin", "deep/er/c.bin"):
                check_eq(h.sha256(os.path.join(s.home("lu"), dest[1:], rel)),
                         h.sha256(os.path.join(src, rel)), "lftp mirror -R %s" % rel)
            # mirror -R sets the remote time (MFMT)
            check_eq(int(os.stat(os.path.join(s.home("lu"), dest[1:], "a.bin")).st_mtime),
                     1000000000, "lftp mirror -R keeps the time (MFMT)")
            back = os.path.join(tmp, "back%d" % passive)
            _lftp(s, "mirror %s %s" % (dest, back), user="lu", pw="lftp pw", passive=passive)
            for rel in ("a.bin", "deep/b.bin", "deep/er/c.bin"):
                check_eq(h.sha256(os.path.join(back, rel)), h.sha256(os.path.join(src, rel)),
                         "lftp mirror back %s" % rel)
        _lftp(s, "rm -r /m1; mkdir /made; mv /put1.bin /made/moved.bin", user="lu", pw="lftp pw")
        check(not os.path.exists(os.path.join(s.home("lu"), "m1")), "lftp rm -r")
        check(os.path.exists(os.path.join(s.home("lu"), "made", "moved.bin")), "lftp mv")


def test_ftplib_anonymous_and_virtual():
    with Server(root_files=_tree(), users={"pu": "py pw"}) as s:
        src = os.path.join(s.root, "pub", "big.bin")
        for passive in (True, False):
            f = h.ftp_login(s)
            f.set_pasv(passive)
            buf = io.BytesIO()
            f.retrbinary("RETR /pub/big.bin", buf.write)
            check_eq(h.sha256(buf.getvalue()), h.sha256(src), "ftplib anon RETR passive=%s" % passive)
            lines = []
            f.retrlines("LIST /pub", lines.append)
            check(any(l.endswith(" big.bin") for l in lines), "ftplib LIST: %r" % lines)
            check_eq(sorted(os.path.basename(n) for n in f.nlst("/pub")),
                     ["big.bin", "small.txt", "sub dir"], "ftplib NLST")
            facts = dict(f.mlsd("/pub", facts=["type", "size"]))
            check_eq(facts["big.bin"]["size"], str(BIG), "ftplib MLSD size")
            text = []
            f.retrlines("RETR /pub/small.txt", text.append)
            check_eq(text, ["hello curl"], "ftplib retrlines (TYPE A)")
            f.quit()
            f = h.ftp_login(s, "pu", "py pw")
            f.set_pasv(passive)
            data = h.pattern_bytes(BIG, 8)
            f.storbinary("STOR up.bin", io.BytesIO(data))
            check_eq(h.sha256(os.path.join(s.home("pu"), "up.bin")), h.sha256(data),
                     "ftplib STOR passive=%s" % passive)
            f.storlines("STOR lines.txt", io.BytesIO(b"a\nb\n"))
            check_eq(open(os.path.join(s.home("pu"), "lines.txt"), "rb").read(), b"a\nb\n",
                     "ftplib storlines (TYPE A)")
            f.voidcmd("TYPE I")
            check_eq(f.size("up.bin"), BIG, "ftplib size")
            f.rename("up.bin", "renamed.bin")
            f.delete("renamed.bin")
            f.delete("lines.txt")
            f.quit()
    with Server(root_files=_tree(), host="::1") as s:
        for passive in (True, False):
            f = h.ftp_login(s)
            f.set_pasv(passive)
            buf = io.BytesIO()
            f.retrbinary("RETR /pub/big.bin", buf.write)
            check_eq(h.sha256(buf.getvalue()), h.sha256(os.path.join(s.root, "pub", "big.bin")),
                     "ftplib IPv6 passive=%s" % passive)
            f.quit()


if __name__ == "__main__":
    h.main()
