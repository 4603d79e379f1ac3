/* throttle.c: login delays, lockout, rate and stall limits (see
 * throttle.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "throttle.h"

int
throttle_parse_delay(const char *s, unsigned *ms)
{
	uint64_t whole = 0, frac = 0, scale = 1000, v;
	unsigned fdigits = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		whole = whole * 10 + (uint64_t)(*p++ - '0');
		if (whole > THROTTLE_DELAY_CAP_MS)
			return -1;
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		/* Milliseconds are the finest step: "0.0005" is refused. */
		while (*p >= '0' && *p <= '9') {
			if (++fdigits > 3)
				return -1;
			frac = frac * 10 + (uint64_t)(*p++ - '0');
		}
		while (fdigits++ < 3)
			frac *= 10;
	}
	if (strcmp(p, "ms") == 0) {
		if (frac != 0)
			return -1;
		scale = 1;
	} else if (strcmp(p, "m") == 0) {
		scale = 60000;
	} else if (strcmp(p, "h") == 0) {
		scale = 3600000;
	} else if (*p != '\0' && strcmp(p, "s") != 0) {
		return -1;
	}
	v = scale == 1 ? whole : whole * scale + frac * scale / 1000;
	if (v > THROTTLE_DELAY_CAP_MS)
		return -1;
	*ms = (unsigned)v;
	return 0;
}

int
throttle_conf_check(const struct ftpd_conf *c, char *err, size_t errlen)
{
	unsigned ms;

	if (throttle_parse_delay(c->login_fail_delay, &ms) < 0) {
		snprintf(err, errlen, "login_fail_delay: '%s' is not a delay "
			 "like 1, 2s, 250ms or 0.5 (at most %u s)",
			 c->login_fail_delay, THROTTLE_DELAY_CAP_MS / 1000);
		return -1;
	}
	if (c->ban_after > 0 && (c->ban_window == 0 || c->ban_time == 0)) {
		snprintf(err, errlen, "ban_window and ban_time must be at least "
			 "1 second when ban_after is set");
		return -1;
	}
	if (c->ban_after > 100000 || c->max_login_attempts > 100000) {
		snprintf(err, errlen, "ban_after and max_login_attempts must "
			 "be at most 100000");
		return -1;
	}
	return 0;
}

unsigned
throttle_fail_delay_ms(const struct ftpd_conf *c, unsigned fails)
{
	unsigned base, d;

	if (fails == 0 || throttle_parse_delay(c->login_fail_delay, &base) < 0)
		return 0;
	d = base;
	for (unsigned i = 1; i < fails && d < THROTTLE_DELAY_CAP_MS; i++)
		d *= 2;
	return d < THROTTLE_DELAY_CAP_MS ? d : THROTTLE_DELAY_CAP_MS;
}

int
throttle_locked_out(const struct ftpd_conf *c, unsigned fails)
{
	return c->max_login_attempts > 0 && fails >= c->max_login_attempts;
}

uint64_t
throttle_max_rate(const struct ftpd_conf *c, enum auth_kind kind)
{
	return kind == AUTH_ANON ? c->anon_max_rate : c->user_max_rate;
}

unsigned
throttle_stall_timeout(const struct ftpd_conf *c)
{
	return c->stall_timeout != 0 ? c->stall_timeout : c->data_timeout;
}
