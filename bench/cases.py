"""cases.py: what bench/run measures.  Each case has subjects (ceilings,
servers or clients) and one measure function per subject; bench/run
runs them interleaved (rep 1 of every subject, then rep 2, ...) and keeps
every raw value.  Server cases log in as anonymous everywhere (no
password hashing on any server)."""

import os
import shutil
import subprocess
import time

from benchlib import BenchError, kv, pss_kib, run, timed

MIB = 1 << 20


class Case:
    """name, unit, higher (is better), target (factor vs the best peer,
    oriented so that >1 is ours better), ceiling target (ours/ceiling),
    subjects: [(label, kind, fn)] with kind in ceiling|ours|peer."""

    def __init__(self, name, title, unit, higher, target, ceil_target=None,
                 reps=None, cpu_per=None):
        self.name, self.title, self.unit = name, title, unit
        self.higher, self.target, self.ceil_target = higher, target, \
            ceil_target
        self.reps = reps
        self.cpu_per = cpu_per
        self.group = "server"
        self.subjects = []
        self.servers = {}
        self.notes = []

    def add(self, label, kind, fn, srv=None):
        """srv: the server measured, whose CPU time is recorded too."""
        self.subjects.append((label, kind, fn))
        if srv is not None:
            self.servers[label] = srv


class Env:
    """What the measure functions need: helpers, paths, servers."""

    def __init__(self, helpers, work, root, cert, servers, ftp_bin,
                 sess_secs):
        self.h, self.work, self.root, self.cert = helpers, work, root, cert
        self.servers, self.ftp_bin = servers, ftp_bin
        self.sess_secs = sess_secs
        self.scratch = os.path.join(work, "scratch")
        os.makedirs(self.scratch, exist_ok=True)
        self.seq = 0

    def big(self):
        return os.path.join(self.root, "big")

    def clean_uploads(self):
        inc = os.path.join(self.root, "incoming")
        for n in os.listdir(inc):
            p = os.path.join(inc, n)
            if os.path.isdir(p):
                shutil.rmtree(p)
            else:
                os.unlink(p)

    def scratch_clear(self):
        shutil.rmtree(self.scratch, ignore_errors=True)
        os.makedirs(self.scratch)


class Work(float):
    """A measured value that also says how much work it was (GiB moved,
    sessions run, listings made), so server CPU time per unit of work
    can be reported beside it."""

    def __new__(cls, value, work):
        obj = float.__new__(cls, value)
        obj.work = work
        return obj


def rate(out):
    v = kv(out)
    if not v.get("secs"):
        raise BenchError("no timing in: " + out)
    return Work(v["bytes"] / v["secs"] / MIB, v["bytes"] / (1 << 30))


def server_cpu(srv):
    """CPU seconds used so far by the server's daemon, its finished
    (reaped) children and its live descendants."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for i, p in enumerate(srv.procs()):
        try:
            with open("/proc/%d/stat" % p) as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        # utime stime, plus cutime cstime for the daemon only (its live
        # children are counted themselves).
        n = 4 if i == 0 else 2
        total += sum(int(x) for x in fields[11:11 + n]) / tick
    return total


def ceiling(env, mode, sndbuf=None):
    """A raw copy of the big file; sndbuf "0" = autotuned send buffer
    (default: 1 MiB, see ceil.c)."""
    def fn():
        args = [env.h["ceil"], mode, env.big()]
        e = dict(os.environ)
        if sndbuf is not None:
            e["CEIL_SNDBUF"] = sndbuf
        if mode in ("recvfile", "splice"):
            args.append(os.path.join(env.scratch, "ceil.out"))
        elif mode == "tls":
            args += [env.cert[0], env.cert[1]]
        try:
            return rate(run(args, env=e))
        finally:
            env.scratch_clear()
    return fn


def ftpc(env, srv, *args, tls=False):
    argv = [env.h["ftpc"]] + (["-t"] if tls else [])
    return run(argv + [args[0], str(srv.port)] + [str(a) for a in args[1:]])


def get_fn(env, srv, tls=False):
    return lambda: rate(ftpc(env, srv, "get", "/big", tls=tls))


def put_fn(env, srv, tls=False):
    def fn():
        env.seq += 1
        try:
            return rate(ftpc(env, srv, "put", env.big(),
                             "%s/up%d" % (srv.upload_vdir, env.seq), tls=tls))
        finally:
            env.clean_uploads()
    return fn


def sessions_fn(env, srv, npar):
    def fn():
        v = kv(ftpc(env, srv, "sessions", npar, env.sess_secs))
        if v["failed"] > 0:
            raise BenchError("%s: %d sessions failed" % (srv.name,
                                                         v["failed"]))
        return Work(v["sessions"] / v["secs"], v["sessions"])
    return fn


def hold(env, srv, n, settle):
    """Holds n idle sessions; returns (held, noop_ok, pss KiB/session)."""
    time.sleep(0.5)
    base = pss_kib(srv.procs())
    p = subprocess.Popen([env.h["ftpc"], "hold", str(srv.port), str(n)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        held = kv(p.stdout.readline()).get("held", 0)
        time.sleep(settle)      # let short-lived helpers exit
        pss = pss_kib(srv.procs())
        p.stdin.write("\n")
        p.stdin.flush()
        nok = kv(p.stdout.readline()).get("noop_ok", 0)
        p.stdin.write("\n")
        p.stdin.flush()
        p.wait(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    per = (pss - base) / held if held else None
    return int(held), int(nok), per


def pss_fn(env, srv, n):
    def fn():
        held, nok, per = hold(env, srv, n, 1.0)
        if held != n or nok != n:
            raise BenchError("%s: held %d of %d, %d answered NOOP" % (
                srv.name, held, n, nok))
        return per
    return fn


def list_fn(env, srv, verb):
    def fn():
        return Work(kv(ftpc(env, srv, "list", "/many", verb))["secs"] *
                    1000, 1)
    return fn


def pget_fn(env, srv):
    return lambda: rate(ftpc(env, srv, "pget", "/mid", 8))


def client_get(env, srv, client):
    url = "ftp://127.0.0.1:%d/big" % srv.port

    def fn():
        out = os.path.join(env.scratch, "got")
        argv = {
            "ftp": [env.ftp_bin, "--no-progress", "-o", out, url],
            "lftp": ["lftp", "-c", "set net:max-retries 1; "
                     "set net:timeout 30; open -p %d ftp://127.0.0.1; "
                     "get /big -o %s" % (srv.port, out)],
            "tnftp": ["tnftp", "-V", "-o", out, url],
            "curl": ["curl", "-sS", "--fail", "-o", out, url],
        }[client]
        try:
            secs = timed(argv, stdin=subprocess.DEVNULL)
            if os.path.getsize(out) != os.path.getsize(env.big()):
                raise BenchError("%s: short download" % client)
            return os.path.getsize(out) / secs / MIB
        finally:
            env.scratch_clear()
    return fn


def mirror_fn(env, srv, client, nfiles):
    def fn():
        out = os.path.join(env.scratch, "mirror")
        if client == "ftp":
            script = os.path.join(env.work, "mirror.ftp")
            with open(script, "w") as f:
                f.write("mirror -P 4 /tree %s\nquit\n" % out)
            argv = [env.ftp_bin, "-a", "--no-progress", "--script", script,
                    "127.0.0.1", str(srv.port)]
        else:
            argv = ["lftp", "-c", "set net:max-retries 1; open -p %d "
                    "ftp://127.0.0.1; mirror /tree %s" % (srv.port, out)]
        try:
            secs = timed(argv, stdin=subprocess.DEVNULL)
            got = sum(len(fs) for _, _, fs in os.walk(out))
            if got != nfiles:
                raise BenchError("%s mirror: %d of %d files" % (
                    client, got, nfiles))
            return secs
        finally:
            env.scratch_clear()
    return fn


def size_name(n):
    return "%d GiB" % (n >> 30) if n % (1 << 30) == 0 else \
        "%d MiB" % (n >> 20)


def build(env, ours, peers, sizes, have, base=None):
    """The case list, in run order.  base: another build of ftpd, shown
    beside ours for before/after comparisons (never a peer)."""
    big, mid = size_name(sizes["big"]), size_name(sizes["mid"])
    servers = [ours] + ([base] if base else []) + peers
    kind = {s.name: ("ours" if s is ours else "base" if s is base
                     else "peer") for s in servers}
    cases = []

    def per_server(case, make, need_tls=False):
        for s in servers:
            if need_tls and not s.tls:
                case.notes.append("%s: %s" % (s.name, s.tls_note))
                continue
            case.add(s.name, kind[s.name], make(s), s)
        cases.append(case)

    c = Case("retr", "RETR %s plain" % big, "MiB/s", True, 1.0, 0.95,
             cpu_per="GiB")
    c.add("ceil:sendfile", "ceiling", ceiling(env, "sendfile"))
    c.add("ceil:sendfile-auto", "ceiling", ceiling(env, "sendfile", "0"))
    c.add("ceil:read+write", "ceiling", ceiling(env, "readwrite"))
    per_server(c, lambda s: get_fn(env, s))
    c = Case("stor", "STOR %s plain" % big, "MiB/s", True, 1.1,
             cpu_per="GiB")
    c.add("ceil:recv+write", "ceiling", ceiling(env, "recvfile"))
    c.add("ceil:splice", "ceiling", ceiling(env, "splice"))
    per_server(c, lambda s: put_fn(env, s))
    c = Case("retr_tls", "RETR %s TLS" % big, "MiB/s", True, 1.15, 0.85,
             cpu_per="GiB")
    c.add("ceil:tls", "ceiling", ceiling(env, "tls"))
    per_server(c, lambda s: get_fn(env, s, tls=True), need_tls=True)
    c = Case("stor_tls", "STOR %s TLS" % big, "MiB/s", True, 1.15, 0.85,
             cpu_per="GiB")
    c.add("ceil:tls", "ceiling", ceiling(env, "tls"))
    per_server(c, lambda s: put_fn(env, s, tls=True), need_tls=True)
    for n in (1, 4):
        per_server(Case("sess%d" % n, "sessions/s, %d client%s" % (
            n, "s" if n > 1 else ""), "1/s", True, 1.5, cpu_per="session"),
            lambda s, n=n: sessions_fn(env, s, n))
    per_server(Case("pss", "Pss per idle session (%d held)" %
                    sizes["pss_sessions"], "KiB", False, 2.0),
               lambda s: pss_fn(env, s, sizes["pss_sessions"]))
    per_server(Case("idle1000", "%d idle sessions: Pss each, all NOOP ok"
                    % sizes["idle_sessions"], "KiB", False, 2.0, reps=1),
               lambda s: pss_fn(env, s, sizes["idle_sessions"]))
    per_server(Case("list", "LIST of %d entries" % sizes["many"], "ms",
                    False, 1.5, cpu_per="listing"),
               lambda s: list_fn(env, s, "LIST"))
    c = Case("mlsd", "MLSD of %d entries" % sizes["many"], "ms", False, 1.5,
             cpu_per="listing")
    for s in servers:
        if "MLSD" in s.feat or "MLST" in s.feat:
            c.add(s.name, kind[s.name], list_fn(env, s, "MLSD"), s)
        else:
            c.notes.append("%s: no MLSD" % s.name)
    cases.append(c)
    per_server(Case("pget8", "8 parallel RETR of %s (aggregate)" % mid,
                    "MiB/s", True, 1.0, cpu_per="GiB"),
               lambda s: pget_fn(env, s))
    if env.ftp_bin is None:
        return cases
    c = Case("client_get", "client get %s from ftpd" % big, "MiB/s", True, 1.0)
    c.group = "client"
    for cl in ("ftp", "lftp", "tnftp", "curl"):
        if cl == "ftp" or have(cl):
            c.add(cl, "ours" if cl == "ftp" else "peer",
                  client_get(env, ours, cl))
        else:
            c.notes.append("%s: not installed" % cl)
    cases.append(c)
    c = Case("mirror", "mirror %d x 4 KiB from ftpd (ftp -P 4 vs lftp)"
             % sizes["tree_files"], "s", False, 2.0)
    c.group = "client"
    c.add("ftp", "ours", mirror_fn(env, ours, "ftp", sizes["tree_files"]))
    if have("lftp"):
        c.add("lftp", "peer", mirror_fn(env, ours, "lftp",
                                        sizes["tree_files"]))
    cases.append(c)
    return cases
