#!/bin/sh
# lint.sh: checks every installed man page with mandoc's linter.  Any
# warning or error fails the test; without mandoc the test is skipped.
# MANPAGES (set by man/Makefile.am) lists the pages; srcdir is set by
# the automake test harness.

: "${srcdir:=.}"
: "${MANPAGES:=ftpd.8 ftpd.conf.5 ftpasswd.8 ftp.1}"

if ! command -v mandoc >/dev/null 2>&1; then
	echo "mandoc not found: skipping (install the mandoc package)"
	exit 77
fi

status=0
for page in $MANPAGES; do
	file="$srcdir/$page"
	if [ ! -f "$file" ]; then
		echo "FAIL $page: missing"
		status=1
		continue
	fi
	# -W warning reports warnings and everything worse; mandoc exits
	# non-zero for them, and any output at all also counts as a finding.
	out=$(mandoc -T lint -W warning "$file" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] || [ -n "$out" ]; then
		printf '%s\n' "$out"
		echo "FAIL $page: mandoc -T lint exit $rc"
		status=1
	else
		echo "ok $page"
	fi
done
exit $status
