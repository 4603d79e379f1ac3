"""test_server_hash.py: HASH (draft-bryan-ftpext-hash) checked against
hashlib and zlib.crc32 for several sizes and every algorithm (OPTS HASH),
the FEAT line, RANG ranges and their interplay with REST/RETR, the legacy
XCRC/XMD5/XSHA1/XSHA256/XSHA512 replies, the digest cache (hits shown by
STAT and the debug log, shared between sessions of one identity, a miss
after the file changes even when MFMT or utime restores the old mtime),
hash_max_size, hash_max_rate, ABOR and STAT during a long hash,
confinement, and anonymous access."""

import hashlib
import os
import re
import stat
import time
import zlib

import harness as h
from harness import Server, check, check_eq, check_code

ALGS = ["SHA-256", "SHA-512", "SHA-1", "MD5", "CRC32"]
SIZES = [0, 1, 65537, 5 * 1024 * 1024 + 3]
SETTLE = 2.3    # seconds: ftpd caches only files whose ctime is 2 s old
HASH_RE = re.compile(r"^213 (\S+) (\d+)-(\d+) ([0-9a-f]+) (.+)$")


def digest(alg, data):
    if alg == "CRC32":
        return "%08x" % (zlib.crc32(data) & 0xffffffff)
    name = {"SHA-256": "sha256", "SHA-512": "sha512", "SHA-1": "sha1", "MD5": "md5"}[alg]
    return hashlib.new(name, data).hexdigest()


def cache_conf(extra=None):
    conf = {"hash_cache": os.path.join(h.tempdir("ftpd-hc-"), "cache")}
    conf.update(extra or {})
    return conf


def parse_hash(rep):
    check_code(rep, 213)
    m = HASH_RE.match(rep.lines[-1])
    check(m, "HASH reply not '213 ALG start-end hex path': %r" % rep.text)
    return m.group(1), int(m.group(2)), int(m.group(3)), m.group(4), m.group(5)


def check_hash(r, path, data, alg, start=0, end=None):
    """HASH path must describe data[start:end+1] (end inclusive)."""
    if end is None:
        end = max(len(data) - 1, 0)
    got = parse_hash(r.cmd("HASH " + path))
    want = (alg, start, end, digest(alg, data[start:end + 1]), path)
    check_eq(got, want, "HASH %s (%s)" % (path, alg))


def stat_counts(r):
    rep = check_code(r.cmd("STAT"), 211)
    m = re.search(r"Hash cache: (\d+) hits, (\d+) misses", rep.text)
    check(m, "STAT shows the hash cache counters: %r" % rep.text)
    return int(m.group(1)), int(m.group(2))


@h.limit(120)
def test_hash_every_size_and_algorithm():
    files = {}
    for i, size in enumerate(SIZES):
        files["f%d.bin" % size] = h.pattern_bytes(size, 40 + i)
    files["dir with space"] = {"a b.txt": b"spaced name\n"}
    with Server(root_files=files, conf=cache_conf({"hash_max_rate": "0"})) as s:
        with h.raw_session(s) as r:
            r.login()
            check_eq(r.expect("OPTS HASH", 200).text, "200 SHA-256", "default algorithm")
            for alg in ALGS:
                check_eq(r.expect("OPTS HASH " + alg.lower(), 200).text, "200 " + alg,
                         "OPTS HASH answers the canonical name")
                check_eq(r.expect("OPTS HASH", 200).text, "200 " + alg, "selection kept")
                for name, data in files.items():
                    if isinstance(data, bytes):
                        check_hash(r, name, data, alg)
                check_hash(r, "dir with space/a b.txt", b"spaced name\n", alg)
            # an unknown algorithm changes nothing
            check_code(r.cmd("OPTS HASH CRC-37"), 501)
            check_eq(r.expect("OPTS HASH", 200).text, "200 CRC32", "selection after 501")
            # HASH describes the stored bytes whatever the TYPE
            r.expect("TYPE A", 200)
            r.expect("OPTS HASH SHA-256", 200)
            check_hash(r, "f65537.bin", files["f65537.bin"], "SHA-256")


def test_feat_and_help():
    with Server(root_files={"f": "x"}) as s:
        with h.raw_session(s) as r:
            r.login()
            feat = r.expect("FEAT", 211).lines
            check(" HASH SHA-256*;SHA-512;SHA-1;MD5;CRC32" in feat, "FEAT HASH line: %r" % feat)
            for x in ("XCRC", "XMD5", "XSHA1", "XSHA256", "XSHA512"):
                check(" " + x in feat, "FEAT lists " + x)
            # ranged transfers are not offered, so RANG STREAM is not claimed
            check(" RANG STREAM" not in feat, "RANG STREAM must not be advertised")
            r.expect("OPTS HASH MD5", 200)
            feat = r.expect("FEAT", 211).lines
            check(" HASH SHA-256;SHA-512;SHA-1;MD5*;CRC32" in feat, "FEAT marks MD5: %r" % feat)
            check_code(r.cmd("HELP XSHA256"), 214)
            check_code(r.cmd("HELP RANG"), 214)


def test_before_login():
    with Server(root_files={"f": "x"}) as s:
        with h.raw_session(s) as r:
            r.reply()
            check_code(r.cmd("HASH f"), 530)
            check_code(r.cmd("XSHA1 f"), 530)
            check_code(r.cmd("RANG 0 1"), 530)
            check_eq(r.expect("OPTS HASH", 200).text, "200 SHA-256", "query before login")
            check_code(r.cmd("OPTS HASH MD5"), 530)
            check(" HASH SHA-256*;" in r.expect("FEAT", 211).text, "FEAT before login")


def test_rang():
    data = h.pattern_bytes(100000, 7)
    with Server(root_files={"f.bin": data, "empty": b""}, conf=cache_conf()) as s:
        with h.raw_session(s) as r:
            r.login()
            check_code(r.cmd("RANG 0 49"), 350)
            check_hash(r, "f.bin", data, "SHA-256", 0, 49)
            # the range lasts for one command only
            check_hash(r, "f.bin", data, "SHA-256")
            check_code(r.cmd("RANG 99999 99999"), 350)
            check_hash(r, "f.bin", data, "SHA-256", 99999, 99999)
            # an end past the file means "to the end"; the reply shows it
            check_code(r.cmd("RANG 1000 5000000"), 350)
            check_hash(r, "f.bin", data, "SHA-256", 1000, 99999)
            for alg in ALGS:
                r.expect("OPTS HASH " + alg, 200)
                check_code(r.cmd("RANG 12345 67890"), 350)
                check_hash(r, "f.bin", data, alg, 12345, 67890)
            r.expect("OPTS HASH SHA-1", 200)
            # RANG 1 0 resets
            check_code(r.cmd("RANG 10 20"), 350)
            check_code(r.cmd("RANG 1 0"), 350)
            check_hash(r, "f.bin", data, "SHA-1")
            # start past the end: 501 and the range is gone
            check_code(r.cmd("RANG 20 10"), 501)
            check_hash(r, "f.bin", data, "SHA-1")
            for bad in ("RANG", "RANG 1", "RANG a b", "RANG 1 2 3", "RANG -1 5",
                        "RANG 1  2", "RANG 99999999999999999999999 1"):
                check_code(r.cmd(bad), 501)
            # a range starting beyond the file
            check_code(r.cmd("RANG 100000 100005"), 350)
            check_code(r.cmd("HASH f.bin"), 554)
            check_code(r.cmd("RANG 0 0"), 350)
            check_code(r.cmd("HASH empty"), 554)
            check_hash(r, "empty", b"", "SHA-1")        # whole empty file: 0-0
            # another command in between forgets the range
            check_code(r.cmd("RANG 0 9"), 350)
            r.expect("NOOP", 200)
            check_hash(r, "f.bin", data, "SHA-1")
            # REST does not select a hash range, and RANG/REST replace each other
            check_code(r.cmd("REST 500"), 350)
            check_hash(r, "f.bin", data, "SHA-1")
            r.expect("TYPE I", 200)
            check_code(r.cmd("REST 500"), 350)
            check_code(r.cmd("RANG 0 9"), 350)
            check_hash(r, "f.bin", data, "SHA-1", 0, 9)
            check_code(r.cmd("RANG 0 9"), 350)
            check_code(r.cmd("REST 90000"), 350)
            got, _ = r.retr("RETR f.bin")
            check_eq(got, data[90000:], "REST after RANG: REST wins")
            # RETR right after RANG is refused, not silently the whole file
            check_code(r.cmd("RANG 0 9"), 350)
            check_code(r.cmd("RETR f.bin"), 504)
            got, _ = r.retr("RETR f.bin")
            check_eq(got, data, "RETR after the refused one")


def test_legacy_commands():
    data = h.pattern_bytes(70000, 3)
    with Server(root_files={"f.bin": data, "a b 1 2": b"odd name",
                            "sub": {"x.txt": b"x\n"}}) as s:
        with h.raw_session(s) as r:
            r.login()
            for verb, alg in (("XCRC", "CRC32"), ("XMD5", "MD5"), ("XSHA1", "SHA-1"),
                              ("XSHA256", "SHA-256"), ("XSHA512", "SHA-512")):
                check_eq(r.cmd("%s f.bin" % verb).text, "250 " + digest(alg, data).upper(),
                         verb)
                # lower case verb, quoted path, range with end excluded
                check_eq(r.cmd('%s "f.bin" 100 2000' % verb.lower()).text,
                         "250 " + digest(alg, data[100:2000]).upper(), verb + " range")
                check_eq(r.cmd("%s f.bin 0 70000" % verb).text,
                         "250 " + digest(alg, data).upper(), verb + " unquoted range")
            check_eq(r.cmd("XSHA1 sub/x.txt").text, "250 " + digest("SHA-1", b"x\n").upper(),
                     "XSHA1 in a folder")
            check_eq(r.cmd('XMD5 "a b 1 2"').text, "250 " + digest("MD5", b"odd name").upper(),
                     "quoted name ending in numbers")
            check_code(r.cmd("XSHA1 f.bin 0 70001"), 501)     # end past the file
            check_code(r.cmd("XSHA1 f.bin 10 10"), 501)       # empty range
            check_code(r.cmd('XSHA1 "f.bin'), 501)            # unbalanced quote
            check_code(r.cmd("XSHA1 missing"), 550)
            check_code(r.cmd("XSHA1 sub"), 550)
            # X* keep their own selection out of OPTS HASH
            check_eq(r.expect("OPTS HASH", 200).text, "200 SHA-256", "OPTS HASH untouched")


@h.limit(90)
def test_cache_hits_and_invalidation():
    data = h.pattern_bytes(300000, 11)
    conf = cache_conf()
    with Server(users={"u": "pw"}, root_files={"pub.bin": data}, conf=conf,
                args=("-d",)) as s:
        home = s.home("u")
        p = os.path.join(home, "f.bin")
        h.make_file(p, len(data), 11)
        h.give_to_session(p)
        old_mtime = 1600000000          # whole seconds, so MFMT can restore it
        os.utime(p, ns=(old_mtime * 10**9, old_mtime * 10**9))
        time.sleep(SETTLE)
        with h.raw_session(s) as r:
            r.login("u", "pw")
            check_eq(stat_counts(r), (0, 0), "fresh session")
            check_hash(r, "f.bin", data, "SHA-256")
            check_eq(stat_counts(r), (0, 1), "first HASH misses")
            check_hash(r, "f.bin", data, "SHA-256")
            check_eq(stat_counts(r), (1, 1), "second HASH hits")
            s.wait_log(r"hash cache hit: SHA-256 /f\.bin")
            # other algorithm and other range are separate entries
            r.expect("OPTS HASH MD5", 200)
            check_hash(r, "f.bin", data, "MD5")
            check_code(r.cmd("RANG 0 99"), 350)
            check_hash(r, "f.bin", data, "MD5", 0, 99)
            check_eq(stat_counts(r), (1, 3), "MD5 and a range miss")
            check_eq(r.cmd("XSHA256 f.bin").text, "250 " + digest("SHA-256", data).upper(),
                     "XSHA256 shares HASH's entries")
            check_eq(stat_counts(r), (2, 3), "XSHA256 hits")
        # a second session of the same user hits without hashing
        with h.raw_session(s) as r:
            r.login("u", "pw")
            check_hash(r, "f.bin", data, "SHA-256")
            check_eq(stat_counts(r), (1, 0), "cache shared between sessions")
            # same size, same inode, old mtime restored to the nanosecond:
            # only ctime changed, and that is enough
            new = bytes(b ^ 0x5a for b in data)
            with open(p, "r+b") as f:
                f.write(new)
            os.utime(p, ns=(old_mtime * 10**9, old_mtime * 10**9))
            st = os.stat(p)
            check_eq((st.st_size, st.st_mtime_ns), (len(data), old_mtime * 10**9),
                     "size and mtime look unchanged")
            check_hash(r, "f.bin", new, "SHA-256")
            check_eq(stat_counts(r), (1, 1), "changed file misses")
            # through FTP: upload other bytes of the same size, MFMT back
            third = h.pattern_bytes(len(data), 12)
            r.expect("TYPE I", 200)
            r.stor("STOR f.bin", third)
            check_code(r.cmd("MFMT 20200913122640 f.bin"), 213)
            check_eq(int(os.stat(p).st_mtime), old_mtime, "MFMT restored the mtime")
            check_hash(r, "f.bin", third, "SHA-256")
            check_eq(stat_counts(r), (1, 2), "MFMT cannot fake a hit")
            # once settled, the new content is cached in turn
            time.sleep(SETTLE)
            check_hash(r, "f.bin", third, "SHA-256")
            check_hash(r, "f.bin", third, "SHA-256")
            check_eq(stat_counts(r), (2, 3), "new content cached after it settled")
        # anonymous sessions have their own table
        with h.raw_session(s) as r:
            r.login()
            check_hash(r, "pub.bin", data, "SHA-256")
            check_eq(stat_counts(r), (0, 1), "anonymous first HASH")
        cache = conf["hash_cache"]
        st = os.stat(cache)
        check_eq(stat.S_IMODE(st.st_mode), 0o700, "cache folder mode")
        check_eq(st.st_uid, os.geteuid(), "cache folder owner")
        names = sorted(os.listdir(cache))
        check_eq(names, ["anonymous.hc", "virtual-u.hc"], "one cache file per identity")
        for n in names:
            check_eq(stat.S_IMODE(os.stat(os.path.join(cache, n)).st_mode), 0o600,
                     "cache file mode")
        check(s.log_text().count("hash cache hit") >= 4, "hits in the debug log")


def test_no_cache_and_bad_cache_folder():
    data = b"hello\n"
    folder = h.tempdir()
    os.chmod(folder, 0o755)         # open to others: refused as a cache folder
    with Server(root_files={"f": data}, conf={"hash_cache": folder}) as s:
        with h.raw_session(s) as r:
            r.login()
            check_hash(r, "f", data, "SHA-256")
            rep = check_code(r.cmd("STAT"), 211)
            check("Hash cache: off" in rep.text, "cache off: %r" % rep.text)
        s.wait_log(r"hash_cache: .*closed to group and others")
    check_eq(os.listdir(folder), [], "nothing written into a shared folder")
    with Server(root_files={"f": data}, conf={"hash_cache": ""}) as s:
        with h.raw_session(s) as r:
            r.login()
            check_hash(r, "f", data, "SHA-256")
            check("Hash cache: off" in r.cmd("STAT").text, "hash_cache empty: off")


def test_hash_max_size():
    big = h.pattern_bytes(1001, 1)
    with Server(root_files={"big": big, "ok": big[:1000]},
                conf=cache_conf({"hash_max_size": "1000"})) as s:
        with h.raw_session(s) as r:
            r.login()
            rep = check_code(r.cmd("HASH big"), 556)
            check("hash_max_size" in rep.text, "556 says why: %r" % rep.text)
            check_hash(r, "ok", big[:1000], "SHA-256")
            check_code(r.cmd("RANG 1 1000"), 350)
            check_hash(r, "big", big, "SHA-256", 1, 1000)
            check_code(r.cmd("XSHA1 big"), 550)
            check_eq(r.cmd("XSHA1 big 0 1000").text, "250 " + digest("SHA-1", big[:1000]).upper(),
                     "X* range within the limit")
    r = h.run_ftpd(["-t", "-f", "/dev/null", "-o", "hash_cache=relative/path"])
    check(r.returncode != 0 and b"hash_cache" in r.stderr,
          "relative hash_cache refused: %r" % r.stderr)
    r = h.run_ftpd(["-t", "-f", "/dev/null", "-o", "hash_max_rate=fast"])
    check(r.returncode != 0, "hash_max_rate must be a size")


@h.limit(60)
def test_rate_limit():
    size = 3 * 1024 * 1024
    data = h.pattern_bytes(size, 5)
    with Server(root_files={"f": data}, conf=cache_conf({"hash_max_rate": "1M"})) as s:
        with h.raw_session(s) as r:
            r.login()
            t0 = time.monotonic()
            check_hash(r, "f", data, "SHA-256")
            took = time.monotonic() - t0
            # 3 MiB at 1 MiB/s cannot take much less than 3 s
            check(took >= 2.5, "hash_max_rate not applied: %.2f s" % took)


@h.limit(60)
def test_abor_and_stat_during_hash():
    with Server(root_files={"pub": None}, conf=cache_conf({"hash_max_rate": "1M"})) as s:
        p = os.path.join(s.root, "pub", "big.bin")
        with open(p, "wb") as f:
            f.truncate(64 * 1024 * 1024)       # 64 s at 1 MiB/s
        os.chmod(p, 0o644)
        with h.raw_session(s) as r:
            r.login()
            r.send(b"HASH pub/big.bin\r\n")
            time.sleep(0.5)
            rep = r.cmd("STAT", timeout=5)
            check_code(rep, 213)
            check("hashing /pub/big.bin" in rep.text, "STAT during HASH: %r" % rep.text)
            # a command sent now waits for the hash to end
            r.send(b"NOOP\r\n")
            t0 = time.monotonic()
            r.send(b"\xff\xf4\xff\xf2ABOR\r\n")     # Telnet IP + Synch, as clients do
            first = r.reply(timeout=5)
            check_eq(first.code, 426, "HASH answered 426 after ABOR (%r)" % first.text)
            check_eq(r.reply(timeout=5).code, 226, "ABOR answered 226")
            check(time.monotonic() - t0 < 4, "ABOR took too long")
            check_eq(r.reply(timeout=5).code, 200, "queued NOOP ran after the hash")
            # the session goes on
            r.expect("NOOP", 200)
        # ABOR pipelined right behind HASH in one packet stops it too
        with h.raw_session(s) as r:
            r.login()
            r.send(b"HASH pub/big.bin\r\nABOR\r\n")
            check_eq(r.reply(timeout=5).code, 426, "pipelined ABOR")
            check_eq(r.reply(timeout=5).code, 226, "pipelined ABOR reply")
            r.expect("NOOP", 200)
        # a client that vanishes mid-hash ends its worker promptly
        r = h.raw_session(s)
        r.login()
        r.send(b"HASH pub/big.bin\r\n")
        time.sleep(0.3)
        r.close()
        s.wait_log(r"hashing /pub/big\.bin aborted", timeout=5)


def test_pipelined_hashes():
    a, b = b"first\n", b"second\n"
    with Server(root_files={"a": a, "b": b}) as s:
        with h.raw_session(s) as r:
            r.login()
            r.send(b"HASH a\r\nHASH b\r\nXCRC a\r\nNOOP\r\n")
            check_eq(parse_hash(r.reply())[3], digest("SHA-256", a), "first pipelined HASH")
            check_eq(parse_hash(r.reply())[3], digest("SHA-256", b), "second pipelined HASH")
            check_eq(r.reply().text, "250 " + digest("CRC32", a).upper(), "pipelined XCRC")
            check_eq(r.reply().code, 200, "NOOP after them")


def test_confinement_and_file_kinds():
    with Server(root_files={"pub": {"ok": b"fine\n"}}) as s:
        os.symlink("/etc/passwd", os.path.join(s.root, "pub", "abs-link"))
        os.symlink("../../../../../../etc/passwd", os.path.join(s.root, "pub", "rel-link"))
        os.mkfifo(os.path.join(s.root, "pub", "fifo"))
        os.chmod(os.path.join(s.root, "pub", "fifo"), 0o644)
        with h.raw_session(s) as r:
            r.login()
            for path in ("../../etc/passwd", "/etc/passwd", "pub/abs-link",
                         "pub/rel-link", "/../../../etc/shadow"):
                rep = r.cmd("HASH " + path)
                check_code(rep, 550)
                check("root:" not in rep.text, "no system file content")
                check_code(r.cmd("XSHA256 " + path), 550)
            check_code(r.cmd("HASH pub"), 553)                 # a folder
            check_code(r.cmd("HASH /"), 553)
            t0 = time.monotonic()
            check_code(r.cmd("HASH pub/fifo", timeout=5), 550)  # no hang on a FIFO
            check(time.monotonic() - t0 < 3, "FIFO answered at once")
            check_code(r.cmd("HASH pub/.ftpd-upload.x"), 550)  # reserved names
            check_code(r.cmd("HASH pub/missing"), 550)
            check_hash(r, "pub/ok", b"fine\n", "SHA-256")


def test_anonymous_and_permissions():
    with Server(root_files={"pub": {"readable": b"for all\n", "secret": b"root only\n"}},
                users={"u": "pw"}) as s:
        os.chmod(os.path.join(s.root, "pub", "secret"), 0o600)
        with h.raw_session(s) as r:
            r.login()
            check_hash(r, "pub/readable", b"for all\n", "SHA-256")
            check_hash(r, "/pub/readable", b"for all\n", "SHA-256")
            r.expect("CWD pub", 250)
            check_hash(r, "readable", b"for all\n", "SHA-256")
            if os.geteuid() == 0:
                check_code(r.cmd("HASH secret"), 550)    # the kernel says no
        with h.raw_session(s) as r:
            r.login("u", "pw")
            # a user sees only their own root
            check_code(r.cmd("HASH pub/readable"), 550)


if __name__ == "__main__":
    h.main()
