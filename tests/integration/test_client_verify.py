#!/usr/bin/env python3
"""test_client_verify.py: transfers checked with the server's HASH:
get/put verified against our ftpd, a wrong digest caught (a scripted
server) with exit 6 and no final file, mirror by hash with temporary upload
names, and a manifest of 200 files interrupted by killing the client,
resumed, every file checked and the JSON results parsed."""

import contextlib
import hashlib
import json
import os
import re
import signal
import subprocess
import time

import harness
from harness import check, check_eq, limit
import clientlib
from clientlib import FakeServer, Work, batch, client_env, file_sha

USER, PW = "alice", "s3cret pw"


@contextlib.contextmanager
def user_server(files=None, **kw):
    with harness.Server(users={USER: PW}, **kw) as s:
        harness.write_tree(s.home(USER), files)
        harness.give_to_session(s.home(USER))
        yield s


FEAT_HASH = ("211-Features:\r\n SIZE\r\n HASH SHA-256*;SHA-512;MD5\r\n"
             " REST STREAM\r\n211 End")
WRONG = "0" * 64


@limit(90)
def test_get_put_verified():
    data = harness.pattern_bytes(300001, 3)
    with user_server({"d.bin": data}) as s, Work() as w:
        dl = w.sub("dl")
        with open(os.path.join(dl, "up.bin"), "wb") as f:
            f.write(data[::-1])
        r = batch(s, w, ["get d.bin", "put up.bin"], USER, PW,
                  args=["-d", "-v"], cwd=dl).check_rc(0)
        check(r.out.count("---> HASH") == 2, "HASH after get and put: %r" % r.out)
        check(r.out.count("Verified ") == 2, "both verified: %r" % r.out)
        check_eq(file_sha(os.path.join(dl, "d.bin")), harness.sha256(data), "download")
        check_eq(file_sha(os.path.join(s.home(USER), "up.bin")),
                 harness.sha256(data[::-1]), "upload")
        check(not os.path.exists(os.path.join(dl, "d.bin.ftp-part")), "temp name gone")
        # verify off (option and command): no HASH sent
        r = batch(s, w, ["get d.bin e.bin"], USER, PW, args=["-d", "--no-verify"],
                  cwd=dl).check_rc(0)
        check("---> HASH" not in r.out, "--no-verify sends no HASH")
        r = batch(s, w, ["verify off", "get d.bin e.bin", "verify on", "get d.bin f.bin"],
                  USER, PW, args=["-d"], cwd=dl).check_rc(0)
        check_eq(r.out.count("---> HASH"), 1, "HASH only with verify on")


def hash_handler(digest_for):
    def h(cmd, arg, srv):
        if cmd == "FEAT":
            return FEAT_HASH
        if cmd == "HASH":
            return "213 SHA-256 0-%d %s %s" % (0, digest_for(arg, srv), arg)
        return None
    return h


@limit(60)
def test_get_mismatch_exit_6():
    data = b"the server sends this\n" * 100
    with FakeServer(hash_handler(lambda a, s: WRONG)) as fs, Work() as w:
        fs.data(data)
        dl = w.sub("dl")
        r = batch(fs, w, ["get f.bin"], "u", "p", cwd=dl).check_rc(6)
        check("verification failed" in r.err, "reason: %r" % r.err)
        check_eq(os.listdir(dl), [], "neither the final nor the temporary name")
    # the right digest: the file arrives
    good = hashlib.sha256(data).hexdigest()
    with FakeServer(hash_handler(lambda a, s: good.upper())) as fs, Work() as w:
        fs.data(data)
        dl = w.sub("dl")
        batch(fs, w, ["get f.bin"], "u", "p", cwd=dl).check_rc(0)
        check_eq(os.listdir(dl), ["f.bin"], "final name only")
        check_eq(file_sha(os.path.join(dl, "f.bin")), good, "content")


@limit(60)
def test_put_mismatch_names_remote():
    with FakeServer(hash_handler(lambda a, s: WRONG)) as fs, Work() as w:
        with open(os.path.join(w.path, "loc.bin"), "wb") as f:
            f.write(b"abc" * 1000)
        r = batch(fs, w, ["put loc.bin remote-name.bin"], "u", "p", cwd=w.path).check_rc(6)
        check("put remote-name.bin: verification failed" in r.err, "names the remote: %r" % r.err)


@limit(60)
def test_no_hash_no_check():
    """A server without HASH: nothing is sent, the transfer is fine."""
    with FakeServer(lambda c, a, s: None) as fs, Work() as w:
        fs.data(b"plain")
        batch(fs, w, ["get f.bin"], "u", "p", args=["-d"], cwd=w.path).check_rc(0)
        check(not any(l.startswith("HASH") for l in fs.log), "no HASH: %r" % fs.log)


def manifest_line(*fields):
    esc = lambda t: t.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return "\t".join(esc(str(f)) for f in fields) + "\n"


def read_results(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


@limit(240)
def test_manifest_interrupted_and_resumed():
    n_get, n_put = 180, 20
    files = {"src/f%03d.bin" % i: harness.pattern_bytes(6000 + i, i) for i in range(n_get)}
    with user_server(files) as s, Work() as w:
        os.makedirs(os.path.join(s.home(USER), "dst"))
        harness.give_to_session(s.home(USER))
        local = w.sub("local")
        man = os.path.join(w.path, "batch.manifest")
        lines = ["# 180 downloads and 20 uploads\n"]
        for i in range(n_get):
            data = files["src/f%03d.bin" % i]
            # every third line gives size and digest, checked too
            extra = (len(data), hashlib.sha256(data).hexdigest()) if i % 3 == 0 else ()
            lines.append(manifest_line("get", "src/f%03d.bin" % i, "local/g%03d.bin" % i, *extra))
        ups = {}
        for i in range(n_put):
            # a tab and a newline in a local name, a space in a remote one
            lname = "up%02d\twith\nctl.bin" % i if i == 0 else "up%02d.bin" % i
            name = "u%02d with space.bin" % i if i == 0 else "u%02d.bin" % i
            data = harness.pattern_bytes(7000 + i, 100 + i)
            with open(os.path.join(w.path, "local", lname), "wb") as f:
                f.write(data)
            ups["dst/" + name] = data
            lines.append(manifest_line("put", "dst/" + name, "local/" + lname))
        with open(man, "w") as f:
            f.writelines(lines)
        url = "ftp://%s:%s@127.0.0.1:%d/" % (USER, PW.replace(" ", "%20"), s.port)
        args = [os.environ["FTP"], "--manifest", man, "--parallel", "4", "-T", "24K", url]
        env = client_env(w)
        res = man + ".results"
        # first run: killed once a fair part is done
        p = subprocess.Popen(args, cwd=w.path, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        try:
            harness.wait_for(lambda: os.path.exists(res) and len(read_results(res)) >= 30,
                             timeout=60, what="30 results")
        finally:
            p.send_signal(signal.SIGKILL)
            p.wait(10)
        with open(man + ".journal") as f:
            journaled = len(f.readlines())
        check(30 <= journaled < 200, "journal after the kill: %d lines" % journaled)
        time.sleep(1)
        # second run: Ctrl-C (SIGINT) part-way, exit 130
        p = subprocess.Popen(args, cwd=w.path, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        try:
            harness.wait_for(lambda: len(read_results(res)) >= journaled + 15,
                             timeout=60, what="15 more results")
        finally:
            p.send_signal(signal.SIGINT)
            p.communicate(timeout=30)
        check_eq(p.returncode, 130, "exit after SIGINT")
        with open(man + ".journal") as f:
            journaled2 = len(f.readlines())
        check(journaled + 15 <= journaled2 < 200, "journal after SIGINT: %d" % journaled2)
        interrupted = [x for x in read_results(res) if x["status"] == "interrupted"]
        check(all(x["exit"] == 130 for x in interrupted), "interrupted items")
        journaled = journaled2
        # third run: finishes the rest only
        r = subprocess.run(args[:5] + [url], cwd=w.path, env=env, capture_output=True,
                           text=True, timeout=180)
        check_eq(r.returncode, 0, "exit of the resumed run (stderr %r)" % r.stderr)
        results = read_results(res)
        check_eq(len(results), 200, "one result per item")
        check(all(x["status"] == "ok" and x["exit"] == 0 for x in results), "all ok")
        resumed = sum(1 for x in results if x["resumed"])
        check(resumed >= journaled, "done items not repeated: %d resumed, %d journaled"
              % (resumed, journaled))
        by_line = {x["line"]: x for x in results}
        check_eq(sorted(by_line), list(range(2, 202)), "results name every line")
        for i in range(n_get):
            data = files["src/f%03d.bin" % i]
            got = os.path.join(local, "g%03d.bin" % i)
            check_eq(file_sha(got), harness.sha256(data), "download %d" % i)
            x = by_line[i + 2]
            check_eq(x["sha256"], harness.sha256(data), "result sha256 %d" % i)
            check_eq(x["bytes"], len(data), "result bytes %d" % i)
            check(isinstance(x["seconds"], (int, float)), "seconds")
        for name, data in ups.items():
            check_eq(file_sha(os.path.join(s.home(USER), name)), harness.sha256(data), name)
        logins = s.log_text().count("login ok: user=alice")
        check(logins >= 15, "three runs of 1 + 4 connections: %d logins" % logins)
        left = [n for n in os.listdir(local) if n.endswith(".ftp-part")]
        check_eq(left, [], "no temporary local files")
        left = [n for n in os.listdir(os.path.join(s.home(USER), "dst")) if "ftp-part" in n]
        check_eq(left, [], "no temporary remote files")


@limit(60)
def test_manifest_wrong_digest():
    data = b"manifest content\n" * 50
    with user_server({"m.bin": data, "n.bin": b"n"}) as s, Work() as w:
        man = os.path.join(w.path, "m.manifest")
        with open(man, "w") as f:
            f.write(manifest_line("get", "m.bin", "m.bin", len(data), WRONG))
            f.write(manifest_line("get", "n.bin", "n.bin"))
        url = "ftp://%s:%s@127.0.0.1:%d/" % (USER, PW.replace(" ", "%20"), s.port)
        out = os.path.join(w.path, "out.json")
        r = clientlib.run_ftp(["--manifest", man, "--results", out, url], w, cwd=w.path)
        r.check_rc(6)
        results = read_results(out)
        check_eq([x["status"] for x in results], ["verification", "ok"], "statuses")
        check_eq(results[0]["exit"], 6, "exit of the item")
        check(not os.path.exists(os.path.join(w.path, "m.bin")), "no final name")
        check_eq(file_sha(os.path.join(w.path, "n.bin")), harness.sha256(b"n"), "other item")
        r = clientlib.run_ftp(["--manifest", man, "x"], w, cwd=w.path)
        r.check_rc(64)


@limit(90)
def test_mirror_by_hash_and_temp_uploads():
    site = {"a.bin": harness.pattern_bytes(5000, 1), "sub/b.bin": harness.pattern_bytes(9000, 2)}
    with user_server({"site": site}) as s, Work() as w:
        dl = w.sub("dl")
        batch(s, w, ["mirror site copy"], USER, PW, cwd=dl).check_rc(0)
        # same size, same time, other content on the server: found by hash
        srv = os.path.join(s.home(USER), "site", "a.bin")
        st = os.stat(srv)
        with open(srv, "r+b") as f:
            f.write(b"Z")
        os.utime(srv, ns=(st.st_atime_ns, st.st_mtime_ns))
        r = batch(s, w, ["mirror site copy"], USER, PW, cwd=dl).check_rc(0)
        check("1 file copied, 1 up to date" in r.out, "by hash: %r" % r.out)
        check_eq(file_sha(os.path.join(dl, "copy", "a.bin")), file_sha(srv), "refetched")
        # up: temporary names renamed once complete
        with open(os.path.join(dl, "copy", "new.bin"), "wb") as f:
            f.write(b"new" * 3000)
        r = batch(s, w, ["mirror -R back copy"], USER, PW, args=["-d"], cwd=dl).check_rc(0)
        check(re.search(r"---> STOR back/new\.bin\.ftp-part", r.out), "temp STOR: %r" % r.out)
        check(re.search(r"---> RNTO back/new\.bin", r.out), "RNTO")
        check_eq(clientlib.tree(os.path.join(s.home(USER), "back")),
                 clientlib.tree(os.path.join(dl, "copy")), "uploaded tree")


@limit(60)
def test_autofetch_verified():
    data = b"auto-fetched\n" * 10
    with FakeServer(hash_handler(lambda a, s: WRONG)) as fs, Work() as w:
        fs.data(data)
        r = clientlib.run_ftp(["ftp://u:p@127.0.0.1:%d/f.bin" % fs.port], w, cwd=w.path)
        r.check_rc(6)
        check(not os.path.exists(os.path.join(w.path, "f.bin")), "mismatching file removed")
    good = hashlib.sha256(data).hexdigest()
    with FakeServer(hash_handler(lambda a, s: good)) as fs, Work() as w:
        fs.data(data)
        clientlib.run_ftp(["ftp://u:p@127.0.0.1:%d/f.bin" % fs.port], w, cwd=w.path).check_rc(0)
        check_eq(file_sha(os.path.join(w.path, "f.bin")), good, "auto-fetched file")
        check(any(l.startswith("HASH ") for l in fs.log), "HASH asked: %r" % fs.log)


@limit(60)
def test_get_continues_temp_file():
    data = harness.pattern_bytes(200000, 7)
    with user_server({"d.bin": data}) as s, Work() as w:
        part = os.path.join(w.path, "d.bin.ftp-part")
        # a good prefix left by an interrupted run: continued with REST
        with open(part, "wb") as f:
            f.write(data[:70000])
        r = batch(s, w, ["get d.bin"], USER, PW, args=["-d"], cwd=w.path).check_rc(0)
        check("---> REST 70000" in r.out, "continued: %r" % r.out)
        check_eq(file_sha(os.path.join(w.path, "d.bin")), harness.sha256(data), "file")
        check(not os.path.exists(part), "temp renamed")
        # a stale prefix: the check fails, the file is fetched again whole
        os.unlink(os.path.join(w.path, "d.bin"))
        with open(part, "wb") as f:
            f.write(b"x" * 70000)
        r = batch(s, w, ["get d.bin"], USER, PW, cwd=w.path).check_rc(0)
        check("fetching it again from the start" in r.err, "refetched: %r" % r.err)
        check_eq(file_sha(os.path.join(w.path, "d.bin")), harness.sha256(data), "file again")


if __name__ == "__main__":
    harness.main()
