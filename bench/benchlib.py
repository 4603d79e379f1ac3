"""benchlib.py: plumbing for bench/run (stdlib only): the tmpfs work
folder, running commands with time limits, the C helpers, process trees
and their memory (Pss), medians, and the machine description."""

import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

CMD_TIMEOUT = 300       # seconds for any one measured command


class BenchError(Exception):
    pass


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def run(argv, timeout=CMD_TIMEOUT, **kw):
    """Runs argv, returns stdout; raises BenchError on failure/timeout."""
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout, **kw)
    except subprocess.TimeoutExpired:
        raise BenchError("%s: timed out after %d s" % (argv[0], timeout))
    if p.returncode != 0:
        raise BenchError("%s failed (%d): %s" % (
            " ".join(argv[:4]), p.returncode,
            p.stderr.decode(errors="replace").strip()[-400:]))
    return p.stdout.decode(errors="replace")


def kv(text):
    """'a=1 b=2.5' -> {'a': 1.0, 'b': 2.5} (last line wins per key)."""
    out = {}
    for k, v in re.findall(r"(\w+)=([-0-9.]+)", text):
        out[k] = float(v)
    return out


def timed(argv, timeout=CMD_TIMEOUT, **kw):
    """Wall clock of a whole command (for third-party clients)."""
    t0 = time.monotonic()
    run(argv, timeout=timeout, **kw)
    return time.monotonic() - t0


def median(xs):
    return statistics.median(xs) if xs else None


class Workdir:
    """A temporary folder with a private tmpfs mounted on it (falls back
    to a folder in /dev/shm when mounting is not possible)."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="ftpkit-bench-")
        os.chmod(self.path, 0o755)
        self.mounted = False
        r = subprocess.run(["mount", "-t", "tmpfs", "-o",
                            "size=20g,mode=0755", "ftpkit-bench", self.path],
                           stderr=subprocess.DEVNULL)
        if r.returncode == 0:
            self.mounted = True
        else:
            shutil.rmtree(self.path)
            self.path = tempfile.mkdtemp(prefix="ftpkit-bench-",
                                         dir="/dev/shm")
            os.chmod(self.path, 0o755)

    def sub(self, *names, mode=0o755):
        p = os.path.join(self.path, *names)
        os.makedirs(p, exist_ok=True)
        os.chmod(p, mode)
        return p

    def close(self, keep=False):
        if keep:
            log("kept " + self.path)
            return
        if self.mounted:
            subprocess.run(["umount", "-l", self.path])
            os.rmdir(self.path)
        else:
            shutil.rmtree(self.path, ignore_errors=True)


def compile_helpers(srcdir, outdir):
    """cc -O2 the C helpers of bench/ into outdir; returns {name: path}."""
    cc = os.environ.get("CC", "cc")
    out = {}
    for name in ("ceil", "ftpc"):
        dst = os.path.join(outdir, name)
        run([cc, "-O2", "-Wall", "-Wextra", "-o", dst,
             os.path.join(srcdir, name + ".c"), "-lssl", "-lcrypto"])
        out[name] = dst
    return out


def make_file(path, size):
    """size random bytes (from /dev/urandom, 1 MiB blocks)."""
    with open("/dev/urandom", "rb") as src, open(path, "wb") as dst:
        left = size
        while left > 0:
            n = min(left, 1 << 20)
            dst.write(src.read(n))
            left -= n


def make_cert(dirpath):
    """A self-signed RSA certificate for 127.0.0.1: (cert, key, both)."""
    cert = os.path.join(dirpath, "cert.pem")
    key = os.path.join(dirpath, "key.pem")
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
         "-keyout", key, "-out", cert, "-days", "2", "-subj",
         "/CN=127.0.0.1"])
    both = os.path.join(dirpath, "both.pem")
    with open(both, "w") as f:
        f.write(open(key).read() + open(cert).read())
    for p in (cert, key, both):
        os.chmod(p, 0o600)
    return cert, key, both


def children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    return kids


def tree(pid):
    """pid and all its descendants."""
    kids = children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def pss_kib(pids):
    """Sum of Pss (KiB) over pids, from /proc/PID/smaps_rollup."""
    total = 0
    for p in pids:
        try:
            with open("/proc/%d/smaps_rollup" % p) as f:
                m = re.search(r"^Pss:\s+(\d+) kB", f.read(), re.M)
        except OSError:
            continue
        if m:
            total += int(m.group(1))
    return total


def machine():
    cpu = "?"
    try:
        m = re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read())
        cpu = m.group(1) if m else cpu
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    distro = "?"
    try:
        m = re.search(r'PRETTY_NAME="(.*)"', open("/etc/os-release").read())
        distro = m.group(1) if m else distro
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "mem_gib": round(mem / 2**30),
            "kernel": platform.release(), "os": distro,
            "loadavg_start": open("/proc/loadavg").read().split()[:3]}
