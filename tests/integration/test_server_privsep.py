"""test_server_privsep.py: the process model seen from outside (started as
root: the process serving a session has no uid/gid 0, no capabilities,
no_new_privs, the right chroot, and only the descriptors it needs), the
login-name deny list (deny_users_file), the shell check for system
accounts, and the address lists (allow_from, deny_from)."""

import os
import pwd
import re
import shutil
import socket
import subprocess
import time

import harness as h
from harness import Server, check, check_eq, check_code


def _ppid(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None


def _status(pid):
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                out[k] = v.strip()
    except OSError:
        return None
    return out


def _workers(s):
    """{pid: status} of the session workers: processes two levels below
    the daemon (daemon -> monitor -> worker)."""
    out = {}
    for pid in s.descendants():
        parent = _ppid(pid)
        if parent is not None and _ppid(parent) == s.pid:
            st = _status(pid)
            if st is not None:
                out[pid] = st
    return out


def _worker_in(s, root):
    """(pid, status) of the one worker chrooted into root."""
    def find():
        found = []
        for pid, st in _workers(s).items():
            try:
                if os.readlink("/proc/%d/root" % pid) == root:
                    found.append((pid, st))
            except OSError:
                pass
        return found
    found = h.wait_for(find, what="a worker in " + root)
    check_eq(len(found), 1, "workers chrooted into %s" % root)
    return found[0]


def _monitors(s):
    return [p for p in s.descendants() if _ppid(p) == s.pid]


def _fds(pid):
    """[(fd, target)] of pid."""
    out = []
    d = "/proc/%d/fd" % pid
    for n in os.listdir(d):
        try:
            out.append((int(n), os.readlink(os.path.join(d, n))))
        except OSError:
            pass
    return sorted(out)


def _sockets(fds):
    return {t for _, t in fds if t.startswith("socket:")}


def _check_unprivileged(pid, st, uid, what):
    uids = [int(x) for x in st["Uid"].split()]
    gids = [int(x) for x in st["Gid"].split()]
    check_eq(uids, [uid] * 4, "%s: Uid (real, effective, saved, fs)" % what)
    check(0 not in gids, "%s: a gid is 0: %r" % (what, gids))
    for cap in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
        if cap in st:
            check_eq(int(st[cap], 16), 0, "%s: %s" % (what, cap))
    check_eq(st.get("NoNewPrivs"), "1", "%s: NoNewPrivs" % what)


def _check_fds(s, pid, allowed_files, secrets, what):
    """The worker holds the control connection, its end of the socket to
    the monitor (and, for TLS, of the relay link), /dev/null, the log, and
    the allowed files only.  No socket is shared with the daemon (listening
    sockets, ban reports), and only the control connection with the
    monitor."""
    fds = _fds(pid)
    daemon_socks = _sockets(_fds(s.pid))
    monitor_socks = _sockets(_fds(_ppid(pid)))
    socks = _sockets(fds)
    check(2 <= len(socks) <= 3, "%s: sockets (control, monitor, TLS relay) in %r" %
          (what, fds))
    check(not (socks & daemon_socks), "%s: holds a socket of the daemon (listening or "
          "ban reports): %r" % (what, fds))
    check_eq(len(socks & monitor_socks), 1, "%s: sockets shared with the monitor "
             "(only the control connection) in %r" % (what, fds))
    allowed = {"/dev/null", s.log_path} | set(allowed_files)
    for fd, target in fds:
        if target.startswith("socket:"):
            continue
        for sec in secrets:
            check(target != sec, "%s: fd %d is %s" % (what, fd, sec))
        check(target in allowed, "%s: unexpected descriptor %d -> %s" % (what, fd, target))
    check(len(fds) <= 6, "%s: %d descriptors: %r" % (what, len(fds), fds))


def test_worker_privileges_and_descriptors():
    if os.geteuid() != 0:
        h.skip("needs root")
    nobody = pwd.getpwnam("nobody").pw_uid
    acct = h.session_account().pw_uid
    logdir = h.tempdir("ftpd-ps-")
    xferlog = os.path.join(logdir, "xferlog")
    deny = os.path.join(logdir, "deny")
    with open(deny, "w") as f:
        f.write("root\n")
    conf_file = os.path.join(logdir, "ftpd.conf")
    with open(conf_file, "w") as f:
        f.write("# test config\nmax_clients = 20\n")
    with Server(users={"u": "pw"}, root_files={"f": "data\n"}, conf_file=conf_file,
                conf={"xferlog": xferlog, "deny_users_file": deny}) as s:
        empty = os.path.realpath(s.conf.get("empty_dir", "/run/ftpd-empty"))
        secrets = [xferlog, s.users_file, deny, conf_file]
        with h.raw_session(s) as r:
            check_code(r.reply(), 220)
            ws = h.wait_for(lambda: _workers(s), what="a pre-login worker")
            check_eq(len(ws), 1, "one worker for one session")
            (pid, st), = ws.items()
            _check_unprivileged(pid, st, nobody, "pre-login worker")
            check_eq(st.get("Groups", ""), "", "pre-login worker: supplementary groups")
            check_eq(os.readlink("/proc/%d/root" % pid), empty, "pre-login chroot")
            _check_fds(s, pid, [], secrets, "pre-login worker")
            # the monitor keeps privilege (by design) but no listening socket
            mons = _monitors(s)
            check_eq(len(mons), 1, "one monitor")
            msocks = _sockets(_fds(mons[0]))
            lsocks = _sockets(_fds(s.pid)) - msocks
            check(lsocks, "the daemon holds sockets the monitor does not (listening)")
            r.login()
            pid, st = _worker_in(s, s.root)
            _check_unprivileged(pid, st, acct, "anonymous worker")
            _check_fds(s, pid, [s.root], secrets, "anonymous worker")
            nsocks = len(_sockets(_fds(pid)))
            data, _ = r.retr("RETR f")
            check_eq(data, b"data\n", "the session works")
            # after a transfer no data socket or file stays open
            h.wait_for(lambda: len(_sockets(_fds(pid))) == nsocks, timeout=5,
                       what="data connection closed")
            _check_fds(s, pid, [s.root], secrets, "anonymous worker after RETR")
            r.cmd("QUIT")
        with h.raw_session(s) as r:
            r.login("u", "pw")
            pid, st = _worker_in(s, s.home("u"))
            _check_unprivileged(pid, st, acct, "virtual user worker")
            nsocks = len(_sockets(_fds(pid)))
            r.stor("STOR up.txt", b"x" * 1000)
            h.wait_for(lambda: len(_sockets(_fds(pid))) == nsocks, timeout=5,
                       what="data connection closed")
            _check_fds(s, pid, [s.home("u")], secrets, "virtual user worker")
            r.cmd("QUIT")
        # the monitor wrote the xferlog lines on the workers' behalf
        h.wait_for(lambda: os.path.exists(xferlog) and
                   open(xferlog).read().count("\n") >= 2, what="two xferlog lines")
        lines = open(xferlog).read().splitlines()
        check(lines[0].split()[8] == "/f" and lines[1].split()[8] == "/up.txt",
              "xferlog names the files: %r" % lines)


def test_worker_unprivileged():
    # without root: no chroot and no uid change, but no_new_privs (the
    # worker is not dumpable, so its /proc/PID/fd is closed to us here)
    if os.geteuid() == 0:
        h.skip("runs only when not root")
    with Server(root_files={"f": "x"}) as s:
        with h.raw_session(s) as r:
            check_code(r.reply(), 220)
            ws = h.wait_for(lambda: _workers(s), what="a worker")
            (pid, st), = ws.items()
            check_eq(st.get("NoNewPrivs"), "1", "NoNewPrivs")
            check_eq(int(st["CapEff"], 16), 0, "CapEff")
            r.login()
            r.expect("NOOP", 200)


def _deny_file(lines):
    d = h.tempdir("ftpd-deny-")
    p = os.path.join(d, "ftpusers")
    with open(p, "w") as f:
        f.write("".join(l + "\n" for l in lines))
    return p


def _login_code(s, user, pw, host=None):
    with h.raw_session(s, host=host) as r:
        check_code(r.reply(), 220)
        rep = r.cmd("USER " + user)
        if rep.code == 331:
            rep = r.cmd("PASS " + pw)
        return rep.code


def test_deny_users_file():
    deny = _deny_file(["# people who may not log in", "", "  banned  ", "root # comment",
                       "x" * 2000])
    with Server(users={"u": "pw", "banned": "pw", "root": "pw"},
                conf={"deny_users_file": deny, "login_fail_delay": "0"}) as s:
        check_eq(_login_code(s, "banned", "pw"), 530, "listed virtual user")
        check_eq(_login_code(s, "root", "pw"), 530, "a virtual user named root")
        check_eq(_login_code(s, "u", "pw"), 230, "unlisted user")
        check_eq(_login_code(s, "anonymous", "x"), 230, "anonymous is not listed")
        check(re.search(r"user=banned: listed in ", s.log_text()), "the log says why")
        # the file is read at each login: edits take effect at once
        with open(deny, "a") as f:
            f.write("u\nFTP\n")
        check_eq(_login_code(s, "u", "pw"), 530, "user added to the list")
        check_eq(_login_code(s, "anonymous", "x"), 530, "listing ftp turns anonymous off")
        check_eq(_login_code(s, "ftp", "x"), 530, "listing ftp turns anonymous off (ftp)")
        os.unlink(deny)
        check_eq(_login_code(s, "u", "pw"), 230, "a missing file denies no one")
    # a list that cannot be read denies everyone (fail closed)
    d = h.tempdir("ftpd-deny-")
    with Server(users={"u": "pw"}, conf={"deny_users_file": d, "login_fail_delay": "0"}) as s:
        check_eq(_login_code(s, "u", "pw"), 530, "unreadable deny file")
        check_eq(_login_code(s, "anonymous", "x"), 530, "unreadable deny file, anonymous")
        check(re.search(r"deny_users_file .*(error|directory)", s.log_text()),
              "the log says the list is unreadable")
    r = h.run_ftpd(["-t", "-f", "/dev/null", "-o", "deny_users_file=relative/path"])
    check_eq(r.returncode, 1, "a relative deny_users_file is a config error")


def _useradd(name, home, shell):
    subprocess.run(["useradd", "-M", "-d", home, "-s", shell, name], check=True,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    subprocess.run(["chpasswd"], input=("%s:sys pw 1\n" % name).encode(), check=True,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)


def test_system_accounts_root_and_shells():
    if os.geteuid() != 0:
        h.skip("needs root")
    base = {"system_users": "yes", "login_fail_delay": "0", "max_login_attempts": "0"}
    # root: refused by the default deny list (/etc/ftpusers lists root on
    # Debian) and, without any list, by the uid check
    with Server(conf=dict(base, deny_users_file="")) as s:
        check_eq(_login_code(s, "root", "whatever"), 530, "root")
        check(re.search(r"user=root: root may not log in", s.log_text()), "uid 0 refused")
        # a system account without a login shell
        check_eq(_login_code(s, "nobody", "whatever"), 530, "nobody")
        check(re.search(r"user=nobody: shell \S+ is not in /etc/shells", s.log_text()),
              "nologin shell refused: %r" % s.log_text()[-500:])
        check_eq(_login_code(s, "anonymous", "x"), 230, "anonymous still works")
    if os.path.exists("/etc/ftpusers") and re.search(r"(?m)^root\s*$", open("/etc/ftpusers").read()):
        with Server(conf=base) as s:
            check_eq(_login_code(s, "root", "whatever"), 530, "root, default list")
            check(re.search(r"user=root: listed in /etc/ftpusers", s.log_text()),
                  "the default deny_users_file applies")
    # a real account with a valid shell: accepted, then refused when listed
    # or when its shell is taken away
    if not (h.have_program("useradd") and h.have_program("chpasswd") and
            h.have_program("userdel") and h.have_program("usermod")):
        return
    name = "ftpdsec%d" % (os.getpid() % 100000)
    home = h.tempdir("ftpd-sys-")
    try:
        _useradd(name, home, "/bin/sh")
        pw_ = pwd.getpwnam(name)
        os.chown(home, pw_.pw_uid, pw_.pw_gid)
        with open(os.path.join(home, "mine"), "w") as f:
            f.write("system file\n")
        deny = _deny_file([])
        with Server(conf=dict(base, deny_users_file=deny)) as s:
            with h.raw_session(s) as r:
                r.login(name, "sys pw 1")
                data, _ = r.retr("RETR mine")
                check_eq(data, b"system file\n", "system user's home")
                ws = _workers(s)
                check(any(v["Uid"].split()[0] == str(pw_.pw_uid) for v in ws.values()),
                      "the session runs as the account: %r" % ws)
            check_eq(_login_code(s, name, "wrong"), 530, "wrong password")
            with open(deny, "w") as f:
                f.write(name + "\n")
            check_eq(_login_code(s, name, "sys pw 1"), 530, "listed system user")
            with open(deny, "w") as f:
                f.write("")
            subprocess.run(["usermod", "-s", "/usr/sbin/nologin", name], check=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
            check_eq(_login_code(s, name, "sys pw 1"), 530, "account without a valid shell")
            check(re.search(r"user=%s: shell /usr/sbin/nologin is not in /etc/shells" % name,
                            s.log_text()), "shell check logged")
    finally:
        subprocess.run(["userdel", name], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30)


def _greet(s, source, host=None):
    with h.Raw(host or s.host, s.port, source=source) as r:
        rep = r.reply()
        if rep.code == 421:
            check(r.closed(5), "closed after 421")
        return rep.code


def test_allow_and_deny_from():
    with Server(conf={"allow_from": "127.0.0.1/32, 127.0.0.4/30"}) as s:
        check_eq(_greet(s, "127.0.0.1"), 220, "allowed address")
        check_eq(_greet(s, "127.0.0.2"), 421, "address not in allow_from")
        check_eq(_greet(s, "127.0.0.6"), 220, "inside 127.0.0.4/30")
        check_eq(_greet(s, "127.0.0.8"), 421, "outside 127.0.0.4/30")
        check(re.search(r"127\.0\.0\.2: refused: address not in allow_from", s.log_text()),
              "the log says why")
        with h.raw_session(s) as r:
            r.login()
    with Server(conf={"allow_from": "127.0.0.0/8", "deny_from": "127.0.0.2,127.0.1.0/24"}) as s:
        check_eq(_greet(s, "127.0.0.2"), 421, "deny_from wins over allow_from")
        check_eq(_greet(s, "127.0.1.77"), 421, "denied prefix")
        check_eq(_greet(s, "127.0.0.3"), 220, "not denied")
        check(re.search(r"127\.0\.1\.77: refused: address in deny_from", s.log_text()),
              "the log says why")
        with h.raw_session(s) as r:
            r.login()
    # IPv6 entries, and v4 entries never match v6 clients
    v6 = socket.has_ipv6
    if v6:
        try:
            t = socket.socket(socket.AF_INET6)
            t.bind(("::1", 0))
            t.close()
        except OSError:
            v6 = False
    if v6:
        with Server(listen=["127.0.0.1:0", "[::1]:0"],
                    conf={"allow_from": "::1/128", "deny_from": "0.0.0.0/0"}) as s:
            (h4, p4), (h6, p6) = s.addrs
            with h.Raw(h6, p6) as r:
                r.login()
            with h.Raw(h4, p4) as r:
                check_code(r.reply(), 421)
        with Server(listen=["127.0.0.1:0", "[::1]:0"], conf={"deny_from": "::/0"}) as s:
            (h4, p4), (h6, p6) = s.addrs
            with h.Raw(h6, p6) as r:
                check_code(r.reply(), 421)
            with h.Raw(h4, p4) as r:
                r.login()
    for bad in ("127.0.0.1/33", "::1/129", "10.0.0.0/8,bogus", "1.2.3.4/-1", "1.2.3"):
        r = h.run_ftpd(["-t", "-f", "/dev/null", "-o", "deny_from=" + bad])
        check_eq(r.returncode, 1, "deny_from=%s is a config error" % bad)
        check(b"deny_from" in r.stderr, "the error names the key: %r" % r.stderr)


def test_allow_from_inetd():
    # inetd mode has no daemon: the session checks its peer itself
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    c = socket.create_connection(ls.getsockname(), timeout=h.TIMEOUT)
    sv, _ = ls.accept()
    ls.close()
    root = h.tempdir()
    p = subprocess.Popen([h.FTPD, "-i", "-f", "/dev/null", "-o", "anon_root=" + root,
                          "-o", "nopriv_user=nobody", "-o", "anon_user=" + h.session_account().pw_name,
                          "-o", "allow_from=10.0.0.0/8"],
                         stdin=sv, stdout=sv, stderr=subprocess.DEVNULL)
    sv.close()
    try:
        r = h.Raw.from_socket(c)
        check_code(r.reply(), 421)
        check(r.closed(5), "inetd session closed after 421")
        check_eq(p.wait(10), 0, "inetd ftpd exit status")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        c.close()


if __name__ == "__main__":
    h.main()
