"""test_server_limits.py: idle_timeout (421 and close), max_clients and
max_per_ip (421 before close), and the daemon reaping its sessions."""

import re
import socket
import time

import harness as h
from harness import Server, check, check_eq, check_code


def test_idle_timeout():
    with Server(conf={"idle_timeout": "2"}) as s:
        # before login
        with h.raw_session(s) as r:
            check_code(r.reply(), 220)
            start = time.monotonic()
            rep = r.reply(timeout=10)
            check_code(rep, 421)
            check(r.closed(5), "connection closed after the idle 421")
            took = time.monotonic() - start
            check(1.5 <= took <= 7, "idle_timeout=2 took %.1f s" % took)
        # after login; activity resets the timer
        with h.raw_session(s) as r:
            r.login()
            for _ in range(3):
                time.sleep(1)
                r.expect("NOOP", 200)
            rep = r.reply(timeout=10)
            check_code(rep, 421)
            check(r.closed(5), "closed after 421")


def test_idle_timeout_units():
    with Server(conf={"idle_timeout": "1m"}) as s:
        with h.raw_session(s) as r:
            r.login()
            time.sleep(3)
            r.expect("NOOP", 200)


def _greet(s, source=None):
    r = h.raw_session(s, source=source)
    return r, r.reply()


def test_max_clients():
    with Server(conf={"max_clients": "2", "max_per_ip": "10"}) as s:
        a, ga = _greet(s)
        b, gb = _greet(s)
        check_code(ga, 220)
        check_code(gb, 220)
        c, gc = _greet(s)
        check_code(gc, 421)
        check(c.closed(5), "connection over max_clients closed")
        c.close()
        # sessions already in place keep working
        a.login()
        a.expect("NOOP", 200)
        # when one leaves, a new client gets in
        b.cmd("QUIT")
        b.close()
        ok = False
        for _ in range(50):
            d, gd = _greet(s)
            d.close()
            if gd.code == 220:
                ok = True
                break
            time.sleep(0.1)
        check(ok, "a slot frees up after a session ends")
        a.close()


def test_max_per_ip():
    with Server(conf={"max_per_ip": "2", "max_clients": "10"}) as s:
        a, ga = _greet(s)
        b, gb = _greet(s)
        check_code(ga, 220)
        check_code(gb, 220)
        c, gc = _greet(s)
        check_code(gc, 421)
        check(c.closed(5), "connection over max_per_ip closed")
        c.close()
        # another address is counted on its own
        d, gd = _greet(s, source="127.0.0.2")
        check_code(gd, 220)
        d.login()
        d.close()
        a.close()
        b.close()
        check(re.search(r"421|max_per_ip|too many|limit", s.log_text(), re.I),
              "the log tells why a connection was refused")


def test_sessions_reaped():
    with Server() as s:
        for _ in range(5):
            with h.raw_session(s) as r:
                r.login()
                r.cmd("QUIT")
        # no zombies or stray sessions remain below the daemon
        def settled():
            kids = s.descendants()
            states = []
            for k in kids:
                try:
                    with open("/proc/%d/stat" % k) as f:
                        states.append(f.read().rsplit(")", 1)[1].split()[0])
                except OSError:
                    pass
            return not states
        h.wait_for(settled, timeout=5, what="all sessions reaped")


if __name__ == "__main__":
    h.main()
