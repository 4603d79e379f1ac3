"""test_server_upload.py: atomic uploads (hidden temporary file, rename on
completion, cleanup on interruption), atomic_uploads=no, upload_umask."""

import os
import socket
import stat
import struct
import time

import harness as h
from harness import Server, check, check_eq, check_code

OLD = b"previous content\n"


def _dir_names(path):
    return sorted(os.listdir(path))


def _start_stor(r, name, first_chunk, mode="epsv"):
    """Starts STOR and sends a first chunk; returns the data socket."""
    get = r.open_data(mode)
    check_code(r.cmd("STOR " + name), 125, 150)
    d = get()
    d.sendall(first_chunk)
    return d


def _reset(sock):
    """Closes with RST: the server sees an error, not a clean EOF."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _temp_files(home, known):
    return [n for n in os.listdir(home) if n not in known]


def _listings(s, user, pw):
    with h.raw_session(s) as r:
        r.login(user, pw)
        return (r.list("LIST -a"), r.list("NLST -a"), r.list("NLST"), r.list("MLSD"))


def test_temp_file_hidden_and_target_untouched_during_upload():
    with Server(users={"u": "pw"}) as s:
        home = s.home("u")
        with open(os.path.join(home, "f.bin"), "wb") as f:
            f.write(OLD)
        h.give_to_session(home)
        chunk = h.pattern_bytes(300000, 1)
        with h.raw_session(s) as r:
            r.login("u", "pw")
            r.expect("TYPE I", 200)
            d = _start_stor(r, "f.bin", chunk)
            # wait until the server has written the chunk somewhere
            tmp = h.wait_for(lambda: [n for n in _temp_files(home, {"f.bin"})
                                      if os.path.getsize(os.path.join(home, n)) >= len(chunk)],
                             what="a temporary file holding the first chunk")
            check_eq(open(os.path.join(home, "f.bin"), "rb").read(), OLD,
                     "the target keeps its old content during the upload")
            for text in _listings(s, "u", "pw"):
                for n in tmp:
                    check(n not in text, "temporary %r shown in a listing: %r" % (n, text))
                check("f.bin" in text, "target still listed")
            d.sendall(chunk)
            d.close()
            check_code(r.reply(), 226)
        check_eq(_dir_names(home), ["f.bin"], "temp file renamed into place")
        check_eq(h.sha256(os.path.join(home, "f.bin")), h.sha256(chunk + chunk), "new content")


def test_interrupted_stor_keeps_previous_file():
    with Server(users={"u": "pw"}) as s:
        home = s.home("u")
        with open(os.path.join(home, "f.bin"), "wb") as f:
            f.write(OLD)
        h.give_to_session(home)
        chunk = h.pattern_bytes(200000, 2)
        # 1. data connection reset mid-transfer
        with h.raw_session(s) as r:
            r.login("u", "pw")
            r.expect("TYPE I", 200)
            d = _start_stor(r, "f.bin", chunk)
            h.wait_for(lambda: _temp_files(home, {"f.bin"}), what="temp file")
            _reset(d)
            check_code(r.reply(), 426, 451)
            r.expect("NOOP", 200)
        h.wait_for(lambda: _dir_names(home) == ["f.bin"], what="temp file removed after reset")
        check_eq(open(os.path.join(home, "f.bin"), "rb").read(), OLD, "previous file kept (reset)")
        # 2. the whole client disappears mid-transfer
        r = h.raw_session(s)
        r.login("u", "pw")
        r.expect("TYPE I", 200)
        d = _start_stor(r, "f.bin", chunk)
        h.wait_for(lambda: _temp_files(home, {"f.bin"}), what="temp file")
        _reset(r.sock)
        _reset(d)
        h.wait_for(lambda: _dir_names(home) == ["f.bin"], what="temp file removed after disconnect")
        check_eq(open(os.path.join(home, "f.bin"), "rb").read(), OLD, "previous file kept (drop)")
        # 3. an interrupted upload of a new name leaves no file at all
        with h.raw_session(s) as r:
            r.login("u", "pw")
            r.expect("TYPE I", 200)
            d = _start_stor(r, "new.bin", chunk)
            h.wait_for(lambda: _temp_files(home, {"f.bin"}), what="temp file")
            _reset(d)
            check_code(r.reply(), 426, 451)
        h.wait_for(lambda: _dir_names(home) == ["f.bin"], what="no new.bin, no temp file")


def test_abor_during_stor_keeps_previous_file():
    with Server(users={"u": "pw"}) as s:
        home = s.home("u")
        with open(os.path.join(home, "f.bin"), "wb") as f:
            f.write(OLD)
        h.give_to_session(home)
        with h.raw_session(s) as r:
            r.login("u", "pw")
            r.expect("TYPE I", 200)
            d = _start_stor(r, "f.bin", h.pattern_bytes(100000, 3))
            h.wait_for(lambda: _temp_files(home, {"f.bin"}), what="temp file")
            r.send(b"\xff\xf4\xff\xf2ABOR\r\n")        # IAC IP IAC DM ABOR
            first = r.reply()
            if first.code == 426:
                check_code(r.reply(), 226, 225)
            else:
                check_code(first, 226, 225)
            d.close()
            r.expect("NOOP", 200)
        h.wait_for(lambda: _dir_names(home) == ["f.bin"], what="temp file removed after ABOR")
        check_eq(open(os.path.join(home, "f.bin"), "rb").read(), OLD, "previous file kept (ABOR)")


def test_resume_writes_in_place():
    with Server(users={"u": "pw"}) as s:
        home = s.home("u")
        first = h.pattern_bytes(100000, 5)
        with open(os.path.join(home, "f.bin"), "wb") as f:
            f.write(first)
        h.give_to_session(home)
        chunk = h.pattern_bytes(200000, 6)
        with h.raw_session(s) as r:
            r.login("u", "pw")
            r.expect("TYPE I", 200)
            for verb in ("REST", "APPE"):
                size = os.path.getsize(os.path.join(home, "f.bin"))
                if verb == "REST":
                    r.expect("REST %d" % size, 350)
                get = r.open_data("epsv")
                check_code(r.cmd(("STOR" if verb == "REST" else "APPE") + " f.bin"), 125, 150)
                d = get()
                d.sendall(chunk)
                h.wait_for(lambda: os.path.getsize(os.path.join(home, "f.bin")) >= size + len(chunk),
                           what="%s writes into the file itself" % verb)
                check_eq(_dir_names(home), ["f.bin"], "no temporary file for %s" % verb)
                d.close()
                check_code(r.reply(), 226)
        check_eq(h.sha256(os.path.join(home, "f.bin")), h.sha256(first + chunk + chunk),
                 "resumed content")


def test_atomic_uploads_off_writes_in_place():
    with Server(users={"u": "pw"}, conf={"atomic_uploads": "no"}) as s:
        home = s.home("u")
        with open(os.path.join(home, "f.bin"), "wb") as f:
            f.write(OLD)
        h.give_to_session(home)
        chunk = h.pattern_bytes(300000, 4)
        with h.raw_session(s) as r:
            r.login("u", "pw")
            r.expect("TYPE I", 200)
            d = _start_stor(r, "f.bin", chunk)
            h.wait_for(lambda: os.path.getsize(os.path.join(home, "f.bin")) >= len(chunk),
                       what="f.bin written in place")
            check_eq(_dir_names(home), ["f.bin"], "no temporary file when atomic_uploads=no")
            with open(os.path.join(home, "f.bin"), "rb") as f:
                check_eq(f.read(len(chunk)), chunk, "in-place content")
            d.sendall(chunk)
            d.close()
            check_code(r.reply(), 226)
        check_eq(h.sha256(os.path.join(home, "f.bin")), h.sha256(chunk + chunk), "final content")


def test_upload_umask():
    for umask, want in (("022", 0o644), ("077", 0o600), ("002", 0o664)):
        conf = {} if umask == "022" else {"upload_umask": umask}
        with Server(users={"u": "pw"}, conf=conf) as s:
            with h.raw_session(s) as r:
                r.login("u", "pw")
                r.expect("TYPE I", 200)
                r.stor("STOR f.bin", b"data")
                r.stor("APPE g.bin", b"data")
                r.stor("STOU", b"data")
            for n in os.listdir(s.home("u")):
                mode = stat.S_IMODE(os.stat(os.path.join(s.home("u"), n)).st_mode)
                check_eq(oct(mode), oct(want), "mode of %s with upload_umask=%s" % (n, umask))


if __name__ == "__main__":
    h.main()
