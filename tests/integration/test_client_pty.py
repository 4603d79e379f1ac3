#!/usr/bin/env python3
"""test_client_pty.py: the interactive shell under a pseudo-terminal:
Tab completion of commands and remote names, the progress bar, Ctrl-C
during a large get (ABOR, back to a working prompt), Ctrl-C at the prompt,
and the private history file."""

import os
import re
import stat

import harness
from harness import check, check_eq, limit
from clientlib import Pty, Work, file_sha

PROMPT = b"ftp> "


def files():
    return {"pub": {"report-2024.txt": "report\n", "readme.md": "r\n",
                    "subfolder": {"inner.txt": "in\n"},
                    "large.bin": harness.pattern_bytes(8 * 1024 * 1024, 7)}}


def start(s, w, cwd):
    p = Pty(["-n", s.host, s.port], w, cwd=cwd)
    p.expect(PROMPT)
    p.send("user anonymous x@\r")
    p.expect(re.compile(rb"230[^\n]*\n.*ftp> ", re.S))
    return p


@limit(60)
def test_tab_completion():
    with harness.Server(root_files=files(), conf={"anon_upload_dir": "/pub"}) as s, \
            Work() as w:
        harness.give_to_session(os.path.join(s.root, "pub"))
        p = start(s, w, w.sub("dl"))
        p.send("mirr\t")
        p.expect(b"mirror ")
        p.send("\x15")                      # ^U clears the line
        p.send("cd pu\t")
        p.expect(b"cd pub/")
        p.send("\r")
        p.expect(PROMPT)
        p.send("get rep\t")
        p.expect(b"get report-2024.txt ")
        p.send("\r")
        p.expect(PROMPT)
        check_eq(open(os.path.join(w.path, "dl", "report-2024.txt")).read(), "report\n",
                 "the completed name was fetched")
        p.send("ls sub\t")
        p.expect(b"ls subfolder/")
        p.send("in\t")
        p.expect(b"inner.txt ")
        p.send("\r")
        p.expect(PROMPT)
        # the cached listing is refreshed after a change
        p.send("mkdir newly-made\r")
        p.expect(PROMPT)
        p.send("rmdir new\t")
        p.expect(b"rmdir newly-made/")
        p.send("\x15quit\r")
        check_eq(p.close(), 0, "exit status")


@limit(90)
def test_ctrl_c_during_get():
    with harness.Server(root_files=files()) as s, Work() as w:
        dl = w.sub("dl")
        p = start(s, w, dl)
        p.send("rate get 400K\r")
        p.expect(PROMPT)
        p.send("get pub/large.bin\r")
        # the progress bar is on the terminal: percent and an ETA
        p.expect(re.compile(rb"large\.bin +[0-9 ]{3}% \|[* ]*\| .*ETA"), timeout=15)
        p.send("\x03")
        out = p.expect(PROMPT, timeout=20)
        check(b"interrupted" in out, "the interruption is reported: %r" % out[-400:])
        check(re.search(rb"\n22[56] ", out), "the server answered the ABOR: %r" % out[-400:])
        # ftpd offers HASH: the download went to a temporary name, kept
        size = os.path.getsize(os.path.join(dl, "large.bin.ftp-part"))
        check(0 < size < 8 * 1024 * 1024, "partial file kept (%d bytes)" % size)
        check(not os.path.exists(os.path.join(dl, "large.bin")), "no final name yet")
        # still logged in: the next commands work
        p.send("rate get off\r")
        p.expect(PROMPT)
        p.send("get pub/readme.md\r")
        p.expect(PROMPT, timeout=20)
        check_eq(open(os.path.join(dl, "readme.md")).read(), "r\n", "get after Ctrl-C")
        p.send("reget pub/large.bin\r")
        p.expect(PROMPT, timeout=30)
        check_eq(file_sha(os.path.join(dl, "large.bin")),
                 harness.sha256(files()["pub"]["large.bin"]), "reget completes the file")
        check(not os.path.exists(os.path.join(dl, "large.bin.ftp-part")), "temp renamed")
        p.send("quit\r")
        p.close()


@limit(60)
def test_ctrl_c_at_prompt_and_history():
    with harness.Server(root_files=files()) as s, Work() as w:
        p = start(s, w, w.path)
        p.send("some half-typed line")
        # Wait until readline has taken the text: a Ctrl-C that comes
        # before the client reads it makes the tty flush it unseen.
        p.expect(b"half-typed line")
        p.send("\x03")
        p.expect(PROMPT)
        p.send("pwd\r")
        out = p.expect(PROMPT)
        check(b'257 "/"' in out, "the session goes on after Ctrl-C at the prompt: %r" % out)
        check(b"half-typed" not in out.split(b"pwd")[-1], "the line was dropped")
        p.send("nosuchcommand\r")
        out = p.expect(PROMPT)
        check(b"Invalid command" in out, "unknown command message")
        p.send("user anonymous secret-pass\r")
        p.expect(PROMPT)
        p.send("quit\r")
        p.close()
        hist = os.path.join(w.home, ".ftp_history")
        text = open(hist).read()
        check("pwd" in text and "nosuchcommand" in text, "history saved: %r" % text)
        check("secret-pass" not in text, "lines with a password are not kept")
        check_eq(stat.S_IMODE(os.stat(hist).st_mode), 0o600, "history file mode")
        # the next session sees it (Up arrow twice: before "quit")
        p = start(s, w, w.path)
        p.send("\x1b[A")
        p.expect(b"quit")
        p.send("\x1b[A")
        p.expect(b"nosuchcommand")
        p.send("\x15quit\r")
        p.close()


if __name__ == "__main__":
    harness.main()
