/* fuzz_path.c: lexical path resolution (path_resolve in lib/path.c), the
 * one place where a client-supplied name becomes a virtual path.
 *
 * Input: byte 0 chooses how the rest splits into cwd and argument (at the
 * first NUL, or all of it is the argument with cwd "/").  Checked:
 * - the result is absolute, has no "", "." or ".." component, no trailing
 *   '/', no CR/LF, and is shorter than PATH_MAX_VIRTUAL;
 * - it equals an independent component-stack resolution;
 * - resolving is idempotent and an absolute argument ignores the cwd;
 * - it only fails for CR/LF or an over-long result;
 * - path_basename and path_is_plain_name agree with it. */
#include "config.h"

#include "buf.h"
#include "path.h"
#include "fuzz.h"

static void
check_shape(const char *v, size_t len)
{
	FUZZ_ASSERT(len == strlen(v));
	FUZZ_ASSERT(len >= 1 && len < PATH_MAX_VIRTUAL);
	FUZZ_ASSERT(v[0] == '/');
	FUZZ_ASSERT(strpbrk(v, "\r\n") == NULL);
	if (len == 1)
		return;
	FUZZ_ASSERT(v[len - 1] != '/');
	FUZZ_ASSERT(strstr(v, "//") == NULL);
	FUZZ_ASSERT(strstr(v, "/./") == NULL && strstr(v, "/../") == NULL);
	FUZZ_ASSERT(strcmp(v + len - 2, "/.") != 0);
	FUZZ_ASSERT(len < 3 || strcmp(v + len - 3, "/..") != 0);
}

/* Reference: push/pop components of cwd then arg on a stack of (start,
 * length) pairs, then join.  Writes into ref (size cap); returns the
 * length, or (size_t)-1 if it does not fit. */
static size_t
ref_resolve(const char *cwd, const char *arg, char *ref, size_t cap)
{
	const char *parts[2];
	const char **comp;
	size_t *clen, nc = 0, o = 0, total;

	if (cwd[0] != '/')
		cwd = "/";
	if (arg[0] == '/')
		cwd = "/";
	else if (arg[0] == '~' && (arg[1] == '\0' || arg[1] == '/')) {
		cwd = "/";
		arg++;
	}
	parts[0] = cwd;
	parts[1] = arg;
	total = strlen(cwd) + strlen(arg) + 1;
	comp = malloc(total * sizeof *comp);
	clen = malloc(total * sizeof *clen);
	if (comp == NULL || clen == NULL)
		abort();
	for (int k = 0; k < 2; k++) {
		const char *s = parts[k];

		while (*s != '\0') {
			size_t n = strcspn(s, "/");

			if (n == 0) {
				s++;
				continue;
			}
			if (n == 2 && s[0] == '.' && s[1] == '.') {
				if (nc > 0)
					nc--;
			} else if (!(n == 1 && s[0] == '.')) {
				comp[nc] = s;
				clen[nc++] = n;
			}
			s += n;
		}
	}
	for (size_t i = 0; i < nc; i++) {
		if (o + 1 + clen[i] >= cap) {
			o = (size_t)-1;
			goto out;
		}
		ref[o++] = '/';
		memcpy(ref + o, comp[i], clen[i]);
		o += clen[i];
	}
	if (o == 0)
		ref[o++] = '/';
	ref[o] = '\0';
out:
	free(comp);
	free(clen);
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *nul;
	size_t n = size, rl;
	struct buf out = BUF_INIT(SIZE_MAX), again = BUF_INIT(SIZE_MAX);
	char *cwd, *arg, *ref;
	int r, crlf;

	if (fuzz_take(&p, &n) & 1 && (nul = memchr(p, '\0', n)) != NULL) {
		cwd = fuzz_strndup(p, (size_t)(nul - p));
		arg = fuzz_strndup(nul + 1, n - (size_t)(nul - p) - 1);
	} else {
		cwd = fuzz_strndup((const uint8_t *)"/", 1);
		arg = fuzz_strndup(p, n);
	}
	/* A cwd that is not absolute is ignored (taken as "/"). */
	crlf = (cwd[0] == '/' && strpbrk(cwd, "\r\n") != NULL) ||
	    strpbrk(arg, "\r\n") != NULL;
	ref = malloc(PATH_MAX_VIRTUAL + 1);
	if (ref == NULL)
		abort();
	rl = ref_resolve(cwd, arg, ref, PATH_MAX_VIRTUAL);

	r = path_resolve(cwd, arg, &out);
	if (strlen(cwd) > 4 * PATH_MAX_VIRTUAL || strlen(arg) > 4 * PATH_MAX_VIRTUAL)
		goto done;	/* refused up front; nothing to compare */
	if (crlf) {
		FUZZ_ASSERT(r == -1);
		goto done;
	}
	/* SECURITY: the only other failure is a result over the cap. */
	FUZZ_ASSERT((r == 0) == (rl != (size_t)-1));
	if (r < 0)
		goto done;
	check_shape(buf_cstr(&out), out.len);
	FUZZ_ASSERT(out.len == rl && strcmp(buf_cstr(&out), ref) == 0);

	/* Idempotent, and an absolute argument ignores the cwd. */
	FUZZ_ASSERT(path_resolve("/", buf_cstr(&out), &again) == 0);
	FUZZ_ASSERT(strcmp(buf_cstr(&again), buf_cstr(&out)) == 0);
	FUZZ_ASSERT(path_resolve(cwd, buf_cstr(&out), &again) == 0);
	FUZZ_ASSERT(strcmp(buf_cstr(&again), buf_cstr(&out)) == 0);
	FUZZ_ASSERT(path_resolve(buf_cstr(&out), ".", &again) == 0);
	FUZZ_ASSERT(strcmp(buf_cstr(&again), buf_cstr(&out)) == 0);
	/* ".." from anywhere stays inside the root. */
	FUZZ_ASSERT(path_resolve(buf_cstr(&out), "..", &again) == 0);
	check_shape(buf_cstr(&again), again.len);
	FUZZ_ASSERT(again.len <= out.len);
	FUZZ_ASSERT(strncmp(buf_cstr(&out), buf_cstr(&again), again.len) == 0);

	if (out.len > 1) {
		const char *base = path_basename(buf_cstr(&out));

		FUZZ_ASSERT(base > buf_cstr(&out) && base[-1] == '/');
		FUZZ_ASSERT(*base != '\0' && strchr(base, '/') == NULL);
		FUZZ_ASSERT(strcmp(base, ".") != 0 && strcmp(base, "..") != 0);
	} else {
		FUZZ_ASSERT(strcmp(path_basename(buf_cstr(&out)), "/") == 0);
	}
done:
	(void)path_is_plain_name(arg);
	buf_free(&out);
	buf_free(&again);
	free(ref);
	free(cwd);
	free(arg);
	return 0;
}
