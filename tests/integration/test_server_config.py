"""test_server_config.py: the command line and config file (errors with
file:line, -t, -o overrides, value syntax), --help/--version, inetd mode
(-i), detaching (-D), the log lines per event and the xferlog."""

import os
import re
import signal
import socket
import subprocess
import time

import harness as h
from harness import Server, check, check_eq, check_code


def _conf(text):
    d = h.tempdir("ftpd-conf-")
    p = os.path.join(d, "ftpd.conf")
    with open(p, "w") as f:
        f.write(text)
    return p


GOOD = """# a comment
anon_enable = yes
anon_root = /srv/ftp

listen = 127.0.0.1:2121
listen = [::1]:2121
idle_timeout = 5m
data_timeout = 30s
max_clients = 50
pasv_ports = 50000-50100
upload_umask = 027
atomic_uploads = no
banner = Hello there
"""


def test_check_mode_good_file():
    p = _conf(GOOD)
    r = h.run_ftpd(["-t", "-f", p])
    check_eq(r.returncode, 0, "ftpd -t on a good file (stderr %r)" % r.stderr)
    r = h.run_ftpd(["-t", "-f", "/dev/null", "-o", "idle_timeout=1h", "-o", "max_per_ip=3"])
    check_eq(r.returncode, 0, "ftpd -t with -o (stderr %r)" % r.stderr)


BRIEF_KEYS = ("listen anon_enable anon_root anon_upload_dir anon_user users_file virtual_user "
              "system_users nopriv_user pasv_ports pasv_address max_clients max_per_ip "
              "idle_timeout data_timeout max_line ls_max_depth atomic_uploads upload_umask "
              "banner message_file xferlog syslog").split()


def test_sample_config_and_man_page_cover_every_key():
    sample = os.path.join(h.TOP_SRCDIR, "etc", "ftpd.conf")
    man = os.path.join(h.TOP_SRCDIR, "man", "ftpd.conf.5")
    r = h.run_ftpd(["-t", "-f", sample])
    check_eq(r.returncode, 0, "ftpd -t -f etc/ftpd.conf (stderr %r)" % r.stderr)
    text = open(sample).read()
    mantext = open(man).read()
    for k in BRIEF_KEYS:
        check(re.search(r"(?m)^#? ?%s\s*=" % k, text), "etc/ftpd.conf explains %s" % k)
        check(re.search(r"(?m)^\.It Cm %s\b" % k, mantext), "ftpd.conf(5) documents %s" % k)
    # the defaults written in the sample are valid values
    lines = [re.sub(r"^# ?(?=[a-z_]+\s*=)", "", l) for l in text.splitlines()]
    p = _conf("\n".join(lines) + "\n")
    r = h.run_ftpd(["-t", "-f", p])
    check_eq(r.returncode, 0, "the sample with every key uncommented (stderr %r)" % r.stderr)


def _expect_error(text, line, what):
    p = _conf(text)
    for args in (["-t", "-f", p], ["-f", p, "-o", "listen=127.0.0.1:0"]):
        try:
            r = h.run_ftpd(args, timeout=5)
        except subprocess.TimeoutExpired:
            raise h.Failure("ftpd started despite %s" % what)
        if "-t" in args:
            check_eq(r.returncode, 1, "%s: ftpd -t exit status" % what)
        check(r.returncode != 0, "%s: exit status %d" % (what, r.returncode))
        err = r.stderr.decode("utf-8", "replace")
        check("%s:%d" % (p, line) in err, "%s: stderr names %s:%d: %r" % (what, p, line, err))
        check(not re.search(r"listening on", err), "%s: must not start listening" % what)


def test_config_errors_name_file_and_line():
    _expect_error("bogus_key = 1\n", 1, "unknown key")
    _expect_error("# c\n\nmax_clients = abc\n", 3, "bad number")
    _expect_error("anon_enable = maybe\n", 1, "bad boolean")
    _expect_error("max_clients = 5\nidle_timeout = 5x\n", 2, "bad duration")
    _expect_error("listen = 127.0.0.1\n", 1, "listen without port")
    _expect_error("listen = [::1:21\n", 1, "bad IPv6 listen")
    _expect_error("pasv_ports = 60000-50000\n", 1, "reversed port range")
    _expect_error("upload_umask = 999\n", 1, "bad octal")
    _expect_error("max_clients\n", 1, "line without '='")
    _expect_error("pasv_ports = 1-70000\n", 1, "port above 65535")


def test_bad_command_line():
    for args, what in ((["-o", "bogus=1"], "unknown -o key"),
                       (["-o", "max_clients=abc"], "bad -o value"),
                       (["-o", "novalue"], "-o without ="),
                       (["-f", "/nonexistent/ftpd.conf"], "missing -f file"),
                       (["--no-such-option"], "unknown option")):
        try:
            r = h.run_ftpd(["-t"] + args if "-f" not in args else args + ["-t"], timeout=5)
        except subprocess.TimeoutExpired:
            raise h.Failure("ftpd kept running with " + what)
        check(r.returncode != 0, "%s: exit status %d" % (what, r.returncode))
        check(r.stderr.strip(), "%s: says why on stderr" % what)
    r = h.run_ftpd(["-t", "-f", "/dev/null", "-o", "bogus=1"])
    check(b"bogus" in r.stderr, "the error names the key: %r" % r.stderr)


def test_help_and_version():
    r = h.run_ftpd(["--help"])
    check_eq(r.returncode, 0, "--help exit status")
    out = (r.stdout + r.stderr).decode()
    for opt in ("-f", "-o", "-i", "-D", "-t", "-d"):
        check(opt in out, "--help mentions %s" % opt)
    r = h.run_ftpd(["--version"])
    check_eq(r.returncode, 0, "--version exit status")
    check(re.search(r"\d+\.\d+", (r.stdout + r.stderr).decode()), "--version prints a version")


def test_override_order():
    # -o is applied after the file, whatever the order on the command line
    p = _conf("banner = from file\nmax_clients = 7\n")
    with Server(conf_file=p) as s:
        with h.raw_session(s) as r:
            check("from file" in r.reply().text, "banner from the -f file")
    with Server(conf_file=p, conf={"banner": "from option"}) as s:
        with h.raw_session(s) as r:
            check("from option" in r.reply().text, "-o overrides the file")


def _inetd(sock, root, extra=()):
    acct = h.session_account().pw_name
    return subprocess.Popen([h.FTPD, "-i", "-f", "/dev/null", "-o", "anon_root=" + root,
                             "-o", "anon_user=" + acct, "-o", "nopriv_user=nobody"] + list(extra),
                            stdin=sock.fileno(), stdout=sock.fileno(),
                            stderr=subprocess.PIPE, pass_fds=())


def _root():
    d = h.tempdir("ftpd-inetd-")
    os.chmod(d, 0o755)
    h.write_tree(d, {"hello.txt": "hello inetd\n", "pub": None})
    return d


def test_inetd_socketpair():
    root = _root()
    a, b = socket.socketpair()
    p = _inetd(b, root)
    b.close()
    try:
        r = h.Raw.from_socket(a)
        r.login()
        check_eq(r.expect("PWD", 257).lines[0][:7], '257 "/"', "PWD")
        r.expect("SYST", 215)
        r.expect("CWD pub", 250)
        rep = r.expect("STAT /", 211, 212, 213)
        check("hello.txt" in rep.text, "STAT / over the control connection: %r" % rep.text)
        r.expect("SIZE /hello.txt", 213)
        check_code(r.cmd("QUIT"), 221)
        p.wait(10)
        check_eq(p.returncode, 0, "ftpd -i exit status after QUIT")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        a.close()


def test_inetd_tcp_with_data():
    root = _root()
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    client = socket.create_connection(ls.getsockname(), timeout=h.TIMEOUT)
    conn, _ = ls.accept()
    ls.close()
    p = _inetd(conn, root)
    conn.close()
    try:
        r = h.Raw.from_socket(client)
        r.login()
        r.expect("TYPE I", 200)
        data, _ = r.retr("RETR hello.txt", "epsv")
        check_eq(data, b"hello inetd\n", "RETR in inetd mode (EPSV)")
        data, _ = r.retr("RETR hello.txt", "port")
        check_eq(data, b"hello inetd\n", "RETR in inetd mode (PORT)")
        r.cmd("QUIT")
        p.wait(10)
        check_eq(p.returncode, 0, "exit status")
        err = p.stderr.read().decode("utf-8", "replace")
        check(not re.search(r"listening on", err), "inetd mode does not listen")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        client.close()


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_detach():
    root = _root()
    port = _free_port()
    acct = h.session_account().pw_name
    r = subprocess.run([h.FTPD, "-D", "-f", "/dev/null", "-o", "listen=127.0.0.1:%d" % port,
                        "-o", "anon_root=" + root, "-o", "anon_user=" + acct],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=10)
    check_eq(r.returncode, 0, "ftpd -D returns 0 (stderr %r)" % r.stderr)
    daemon = None
    try:
        found = {}
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    cmd = open("/proc/%s/cmdline" % pid, "rb").read()
                    with open("/proc/%s/stat" % pid) as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if ("anon_root=" + root).encode() in cmd and b"-D" in cmd:
                    found[int(pid)] = fields
        tops = [p for p, fields in found.items() if int(fields[1]) not in found]
        check_eq(len(tops), 1, "one detached ftpd runs (%r)" % found)
        daemon = tops[0]
        fields = found[daemon]
        # fields: state ppid pgrp session tty_nr
        check_eq(fields[4], "0", "the detached daemon has no controlling terminal")
        check(int(fields[3]) != os.getsid(0), "the daemon left our session")
        with h.Raw("127.0.0.1", port) as c:
            c.login()
            c.expect("NOOP", 200)
    finally:
        if daemon:
            os.kill(daemon, signal.SIGTERM)


def test_log_lines():
    with Server(users={"victor": "pw"}, root_files={"logged.bin": b"z" * 1234}) as s:
        with h.raw_session(s) as r:
            r.login()
            r.expect("TYPE I", 200)
            r.retr("RETR logged.bin")
            r.cmd("QUIT")
        f = h.raw_session(s)
        check_code(f.reply(), 220)
        check_code(f.cmd("USER victor"), 331)
        check_code(f.cmd("PASS nope"), 530)
        f.close()
        with h.raw_session(s) as r:
            r.login("victor", "pw")
            r.expect("TYPE I", 200)
            r.stor("STOR uploaded.bin", b"y" * 777)
            r.cmd("QUIT")
        s.wait_log(r"uploaded\.bin")
        time.sleep(0.5)
        log = s.log_text()
        lines = log.splitlines()
        check(re.search(r"(?im)^.*\[\d+\].*$|^.*pid[ =]\d+", log), "log lines show a pid")
        check(re.search(r"(?i)(connect|session|start).*127\.0\.0\.1|127\.0\.0\.1.*(connect|session|start)", log),
              "a session start line with the client address")
        check(re.search(r"(?im)^.*(login|logged in|log in).*anonymous.*$|"
                        r"^.*anonymous.*(login|logged in|log in).*$", log),
              "an anonymous login line")
        check(re.search(r"(?im)^.*victor.*(fail|denied|incorrect|invalid|bad|wrong).*$", log),
              "a failed login line naming the user")
        check(re.search(r"(?im)^.*logged\.bin.*\b1234\b.*$|^.*\b1234\b.*logged\.bin.*$", log),
              "a download line with name and size")
        check(re.search(r"(?im)^.*uploaded\.bin.*\b777\b.*$|^.*\b777\b.*uploaded\.bin.*$", log),
              "an upload line with name and size")
        check(len(re.findall(r"(?im)^.*(end|clos|disconnect|quit|exit).*$", log)) >= 3,
              "a session end line per session")
        check("nope" not in log, "password in the log")


def test_xferlog():
    # a root-owned log folder, as /var/log would be
    logdir = h.tempdir("ftpd-xl-")
    os.chmod(logdir, 0o755)
    with Server(users={"u": "pw"}, root_files={"pub": {"x.bin": b"q" * 4321}},
                conf={"xferlog": os.path.join(logdir, "xferlog")}) as s:
        xl = s.conf["xferlog"]
        with h.raw_session(s) as r:
            r.login()
            r.expect("TYPE I", 200)
            r.retr("RETR /pub/x.bin")
            r.cmd("QUIT")
        with h.raw_session(s) as r:
            r.login("u", "pw")
            r.expect("TYPE A", 200)
            r.stor("STOR up.txt", b"line\r\n" * 10)
            r.cmd("QUIT")
        text = h.wait_for(lambda: os.path.exists(xl) and open(xl).read().count("\n") >= 2 and open(xl).read(),
                          what="two xferlog lines")
        lines = text.splitlines()
        # ctime (5 fields) secs host size name type action dir access user service auth id status
        t = lines[0].split()
        check_eq(len(t), 18, "xferlog fields: %r" % lines[0])
        check(re.match(r"[A-Z][a-z]{2}$", t[0]) and re.match(r"\d{4}$", t[4]), "xferlog date")
        check_eq(t[6], "127.0.0.1", "remote host")
        check_eq(t[7], "4321", "size")
        check(t[8].endswith("/pub/x.bin"), "file name: %r" % t[8])
        check_eq((t[9], t[11], t[12]), ("b", "o", "a"), "binary, outgoing, anonymous")
        check_eq(t[17], "c", "completed")
        u = lines[1].split()
        check_eq((u[9], u[11], u[13]), ("a", "i", "u"), "ascii, incoming, user u")
        check(u[12] in ("r", "g"), "access mode of a virtual user: %r" % u[12])
        check_eq(u[17], "c", "completed")


if __name__ == "__main__":
    h.main()
