"""test_server_listing.py: LIST in the ls -l shape (options -a -l -la -R
with the depth cap, dot files, both date forms), NLST, MLSD/MLST facts,
OPTS MLST, STAT path, and names with spaces and UTF-8."""

import calendar
import os
import re
import time

import harness as h
from harness import Server, check, check_eq, check_code

LS_RE = re.compile(
    r"^([-dlcbps])([-rwxsStT]{9})[.+@]?\s+(\d+)\s+(\S+)\s+(\S+)\s+(\d+)\s+"
    r"([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{1,2}:\d{2}|\d{4})\s(.+)$")

OLD_TIME = calendar.timegm((2001, 3, 4, 5, 6, 7))
TREE = {
    "file.txt": "twelve bytes",
    ".hidden": "h",
    "sub": {"inner.bin": "i", ".dotinner": "d"},
    "old.txt": "old",
}


def _parse_ls(text):
    out = {}
    for line in text.split("\r\n"):
        if not line or line.startswith("total "):
            continue
        m = LS_RE.match(line)
        check(m, "LIST line not in ls -l shape: %r" % line)
        name = m.group(10)
        if m.group(1) == "l" and " -> " in name:
            name = name.split(" -> ")[0]
        out[name] = m
    return out


def _setup(s):
    os.utime(os.path.join(s.root, "old.txt"), (OLD_TIME, OLD_TIME))
    os.chmod(os.path.join(s.root, "file.txt"), 0o640)


def test_list_shape():
    with Server(root_files=TREE) as s:
        _setup(s)
        with h.raw_session(s) as r:
            r.login()
            raw = r.retr("LIST", "epsv")[0]
            check(raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b""),
                  "LIST lines end with CRLF: %r" % raw[:200])
            ents = _parse_ls(raw.decode())
            check_eq(sorted(ents), ["file.txt", "old.txt", "sub"], "LIST names (no dot files)")
            f = ents["file.txt"]
            check_eq(f.group(1) + f.group(2), "-rw-r-----", "mode of file.txt")
            check_eq(f.group(6), "12", "size of file.txt")
            check(re.match(r"\d{1,2}:\d{2}$", f.group(9)), "recent file shows HH:MM")
            months = {time.strftime("%b", time.localtime(os.stat(os.path.join(s.root, "file.txt")).st_mtime)),
                      time.strftime("%b", time.gmtime(os.stat(os.path.join(s.root, "file.txt")).st_mtime))}
            check(f.group(7) in months, "month of a new file: %r" % f.group(0))
            o = ents["old.txt"]
            check_eq(o.group(9), "2001", "old file shows the year")
            check_eq((o.group(7), int(o.group(8))), ("Mar", 4), "old file date")
            check_eq(ents["sub"].group(1), "d", "sub is a folder")
            check(int(ents["sub"].group(3)) >= 2, "folder link count")
            # the listing shows owner and group text
            check(ents["file.txt"].group(4) and ents["file.txt"].group(5), "owner/group")


def test_list_options():
    with Server(root_files=TREE) as s:
        _setup(s)
        with h.raw_session(s) as r:
            r.login()
            for cmd in ("LIST -l", "LIST -a", "LIST -la", "LIST -al", "LIST -a -l"):
                ents = _parse_ls(r.list(cmd))
                names = set(ents) - {".", ".."}
                want = {"file.txt", "old.txt", "sub"}
                if "a" in cmd:
                    want.add(".hidden")
                check_eq(sorted(names), sorted(want), "names for %r" % cmd)
            ents = _parse_ls(r.list("LIST -l sub"))
            check_eq(sorted(ents), ["inner.bin"], "LIST -l sub")
            ents = _parse_ls(r.list("LIST -la sub"))
            check(".dotinner" in ents, "LIST -la sub shows dot files")
            ents = _parse_ls(r.list("LIST file.txt"))
            check_eq(sorted(ents), ["file.txt"], "LIST of one file")
            ents = _parse_ls(r.list("LIST /sub"))
            check_eq(sorted(ents), ["inner.bin"], "LIST absolute path")
            r.expect("CWD sub", 250)
            ents = _parse_ls(r.list("LIST .."))
            check("file.txt" in ents, "LIST ..")
            r.expect("CWD /", 250)
            # a missing path is an error, not an empty listing
            get = r.open_data("epsv")
            rep = r.cmd("LIST nosuchdir")
            if rep.code in (125, 150):
                d = get()
                data = d.recv(1000)
                d.close()
                rep = r.reply()
                check(rep.code >= 400 or data == b"", "LIST nosuchdir: %r" % data)
            else:
                get().close()
                check_code(rep, 450, 550)


def test_list_recursive_with_depth_cap():
    deep = {}
    cur = deep
    for i in range(1, 11):
        cur["f%d" % i] = "x"
        cur["d%d" % i] = {}
        cur = cur["d%d" % i]
    with Server(root_files={"top": deep}, conf={"ls_max_depth": "3"}) as s:
        with h.raw_session(s) as r:
            r.login()
            text = r.list("LIST -R top")
            check(re.search(r"\bf1\b", text) and re.search(r"\bf2\b", text),
                  "LIST -R shows nested files: %r" % text[:500])
            check(re.search(r"d1/d2", text), "LIST -R names subfolders in headers")
            check(not re.search(r"\bf8\b", text), "depth cap 3 not applied: %r" % text[-500:])
            text = r.list("LIST -lR top")
            check(re.search(r"\bf2\b", text) and not re.search(r"\bf9\b", text), "LIST -lR")
            # without -R no recursion
            text = r.list("LIST top")
            check(not re.search(r"\bf2\b", text), "plain LIST does not recurse")
    with Server(root_files={"top": deep}) as s:
        with h.raw_session(s) as r:
            r.login()
            text = r.list("LIST -R top")
            check(re.search(r"\bf3\b", text), "default depth 4 reaches f3")
            check(not re.search(r"\bf10\b", text), "default depth cap applied")


def test_nlst():
    with Server(root_files=TREE) as s:
        with h.raw_session(s) as r:
            r.login()
            raw, _ = r.retr("NLST")
            check_eq(sorted(raw.decode().split("\r\n")[:-1]), ["file.txt", "old.txt", "sub"],
                     "NLST names only")
            raw, _ = r.retr("NLST sub", "port")
            names = [os.path.basename(n) for n in raw.decode().split("\r\n") if n]
            check_eq(names, ["inner.bin"], "NLST sub")
            raw, _ = r.retr("NLST -a")
            check(".hidden" in raw.decode().split("\r\n"), "NLST -a shows dot files")


def _facts(line):
    facts, _, name = line.partition(" ")
    d = {}
    for f in facts.split(";"):
        if "=" in f:
            k, v = f.split("=", 1)
            d[k.lower()] = v
    return d, name


def test_mlsd_mlst():
    with Server(root_files=TREE) as s:
        _setup(s)
        fst = os.stat(os.path.join(s.root, "file.txt"))
        with h.raw_session(s) as r:
            r.login()
            raw, _ = r.retr("MLSD")
            lines = raw.decode().split("\r\n")
            check_eq(lines[-1], "", "MLSD ends with CRLF")
            ents = {}
            for l in lines[:-1]:
                d, name = _facts(l)
                ents[name] = d
            names = {n for n, d in ents.items() if d.get("type") not in ("cdir", "pdir")}
            names.discard(".hidden")     # whether MLSD shows dot files is open
            check_eq(sorted(names), ["file.txt", "old.txt", "sub"], "MLSD names")
            f = ents["file.txt"]
            check_eq(f.get("type"), "file", "type fact")
            check_eq(f.get("size"), "12", "size fact")
            check_eq(f.get("modify", "")[:14],
                     time.strftime("%Y%m%d%H%M%S", time.gmtime(fst.st_mtime)), "modify fact (UTC)")
            check_eq(ents["old.txt"].get("modify", "")[:14], "20010304050607", "modify of old.txt")
            o = ents["old.txt"]     # 0644: readable by anonymous; file.txt (0640) is not
            check("r" in o.get("perm", ""), "perm fact allows read: %r" % o)
            if os.geteuid() == 0:   # as root, anonymous sessions cannot read 0640 root files
                check("r" not in f.get("perm", ""), "perm of an unreadable file: %r" % f)
            check("w" not in o.get("perm", "") and "d" not in o.get("perm", ""),
                  "anonymous perm has no write/delete: %r" % o)
            check_eq(f.get("unix.mode"), "0640", "UNIX.mode fact")
            check_eq(ents["sub"].get("type"), "dir", "sub type")
            check("l" in ents["sub"].get("perm", "") and "e" in ents["sub"].get("perm", ""),
                  "dir perm has e and l: %r" % ents["sub"])
            uniq = [d.get("unique") for n, d in ents.items() if n in names]
            check(all(uniq) and len(set(uniq)) == len(uniq), "unique facts distinct: %r" % uniq)
            # MLSD on a file is an error
            get = r.open_data("epsv")
            rep = r.cmd("MLSD file.txt")
            get().close()
            check_code(rep, 501, 550)
            # MLST: over the control connection, fact line starts with a space
            rep = r.expect("MLST file.txt", 250)
            check(rep.raw.startswith(b"250-"), "MLST is multi-line")
            fl = [l for l in rep.lines[1:-1] if l.startswith(" ")]
            check_eq(len(fl), 1, "one fact line in MLST: %r" % rep.lines)
            d, name = _facts(fl[0][1:])
            check_eq(name, "/file.txt", "MLST gives the full path")
            check_eq((d.get("type"), d.get("size")), ("file", "12"), "MLST facts")
            rep = r.expect("MLST", 250)
            d, name = _facts([l for l in rep.lines if l.startswith(" ")][0][1:])
            check(d.get("type") in ("cdir", "dir"), "MLST of cwd: %r" % d)
            check_code(r.cmd("MLST nosuch"), 550)
            # OPTS MLST picks the facts
            rep = r.expect("OPTS MLST type;size;", 200)
            rep = r.expect("MLST file.txt", 250)
            d, _ = _facts([l for l in rep.lines if l.startswith(" ")][0][1:])
            check_eq(sorted(d), ["size", "type"], "facts after OPTS MLST type;size;")
            rep = r.expect("FEAT", 211)
            check(re.search(r"MLST type\*;size\*;", rep.text), "FEAT marks selected facts: %r" % rep.text)


def test_stat_path():
    with Server(root_files=TREE) as s:
        with h.raw_session(s) as r:
            r.login()
            rep = r.cmd("STAT /sub")
            check_code(rep, 211, 212, 213)
            check(rep.raw.startswith(b"%d-" % rep.code), "STAT path is multi-line")
            check("inner.bin" in rep.text, "STAT /sub lists inner.bin: %r" % rep.text)
            check(LS_RE.match([l for l in rep.lines if "inner.bin" in l][0].strip()),
                  "STAT path uses the LIST shape")
            rep = r.cmd("STAT file.txt")
            check_code(rep, 211, 212, 213)
            check("file.txt" in rep.text, "STAT file: %r" % rep.text)
            check_code(r.cmd("STAT /nosuch"), 450, 550)
            rep = r.expect("STAT", 211)
            check(rep.raw.startswith(b"211-") and rep.lines[-1].startswith("211 "),
                  "STAT status is multi-line: %r" % rep.raw)


def test_spaces_and_utf8_names():
    names = ["a file with spaces.txt", "ünïcødé ✓.bin", "日本語", "two  spaces"]
    with Server(users={"u": "pw"}) as s:
        home = s.home("u")
        with h.raw_session(s) as r:
            r.login("u", "pw")
            r.expect("OPTS UTF8 ON", 200)
            r.expect("TYPE I", 200)
            rep = r.expect("FEAT", 211)
            check(re.search(r"(?m)^ UTF8\s*$", rep.text), "FEAT advertises UTF8")
            for i, n in enumerate(names):
                data = h.pattern_bytes(1000 + i, i)
                r.stor("STOR " + n, data)
                check_eq(h.sha256(os.path.join(home, n)), h.sha256(data), "upload %r" % n)
                got, _ = r.retr("RETR " + n, "port")
                check_eq(got, data, "download %r" % n)
                check_eq(r.expect("SIZE " + n, 213).text.split()[-1], str(len(data)), "SIZE %r" % n)
            nl = r.list("NLST").split("\r\n")
            for n in names:
                check(n in nl, "NLST shows %r: %r" % (n, nl))
            ls = _parse_ls(r.list("LIST"))
            for n in names:
                check(n in ls, "LIST shows %r" % n)
            ml = r.list("MLSD")
            for n in names:
                check(("; " + n + "\r\n") in ml, "MLSD shows %r" % n)
            rep = r.expect("MKD dir with ü space", 257)
            check('"/dir with ü space"' in rep.text, "257 path: %r" % rep.text)
            r.expect("CWD dir with ü space", 250)
            rep = r.expect("PWD", 257)
            check('"/dir with ü space"' in rep.text, "PWD: %r" % rep.text)
            r.expect("RNFR /" + names[0], 350)
            r.expect("RNTO renamed ✓ file", 250)
        check(os.path.exists(os.path.join(home, "dir with ü space", "renamed ✓ file")),
              "rename with UTF-8 and spaces")


if __name__ == "__main__":
    h.main()
