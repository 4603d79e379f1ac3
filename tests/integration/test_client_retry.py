#!/usr/bin/env python3
"""test_client_retry.py: `ftp -r SECONDS` keeps retrying a connection that
is refused until the server comes up, and without -r a refused connection
fails at once with the network exit code (4); SIGINT stops a batch run."""

import os
import signal
import socket
import subprocess
import time

import harness
from harness import check, check_eq, limit
import clientlib
from clientlib import Work

FTP = os.environ.get("FTP", "ftp")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@limit(60)
def test_retry_until_server_starts():
    port = free_port()
    with Work() as w:
        files = {"pub/r.bin": harness.pattern_bytes(70000, 3)}
        dest = w.sub("dl")
        env = dict(os.environ, HOME=w.home)
        client = subprocess.Popen(
            [FTP, "-n", "-r", "1", "127.0.0.1", str(port)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, cwd=dest, env=env)
        # The client's first attempts are refused: nothing listens yet.
        time.sleep(1.5)
        check(client.poll() is None, "client gave up before the server came up")
        with harness.Server(root_files=files,
                            listen=["127.0.0.1:%d" % port]) as s:
            out, err = client.communicate(
                b"user anonymous x\nbinary\nget pub/r.bin r.bin\nquit\n",
                timeout=40)
            check_eq(client.returncode, 0, err.decode(errors="replace"))
            check("retrying" in err.decode(errors="replace"),
                  "no retry message on stderr: %r" % err)
            check_eq(harness.sha256(os.path.join(dest, "r.bin")),
                     harness.sha256(os.path.join(s.root, "pub/r.bin")))


@limit(30)
def test_refused_without_retry_is_network_error():
    port = free_port()
    with Work() as w:
        r = clientlib.run_ftp(["-n", "127.0.0.1", str(port)], w,
                              input="user anonymous x\nls\nquit\n", timeout=20)
        check_eq(r.rc, 4, "refused connection must exit 4: %s" % r.err)
        check(r.err.strip() != "", "no message for a refused connection")


@limit(60)
def test_sigint_stops_batch_run():
    big = harness.pattern_bytes(4 * 1024 * 1024, 5)
    with Work() as w, harness.Server(root_files={"big.bin": big}) as s:
        dest = w.sub("dl")
        env = dict(os.environ, HOME=w.home)
        # A slow transfer (rate limit) so SIGINT arrives mid-get.
        client = subprocess.Popen(
            [FTP, "-n", "-T", "get,262144", s.host, str(s.port)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, cwd=dest, env=env)
        client.stdin.write(b"user anonymous x\nget big.bin\nget big.bin again.bin\nquit\n")
        client.stdin.flush()
        # verified downloads are written as NAME.ftp-part first
        part = os.path.join(dest, "big.bin.ftp-part")
        harness.wait_for(lambda: os.path.exists(part) and os.path.getsize(part) > 0,
                         timeout=15)
        client.send_signal(signal.SIGINT)
        out, err = client.communicate(timeout=20)
        check(client.returncode != 0, "SIGINT during a batch get must not exit 0")
        check(not os.path.exists(os.path.join(dest, "again.bin")),
              "the batch run went on after SIGINT")


if __name__ == "__main__":
    harness.main()
