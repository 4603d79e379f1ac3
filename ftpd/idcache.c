/* idcache.c: the uid/gid -> name tables behind LIST's owner and group
 * columns (see idcache.h for why they are built up front). */
#include "config.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idcache.h"

#define IDNAME_MAX 32		/* longer names are shown as numbers */

struct identry {
	unsigned id;
	char name[IDNAME_MAX];
};

struct idtab {
	struct identry *e;
	size_t n, cap;
	int sorted;
};

static struct idtab s_users, s_groups;

static void
idtab_add(struct idtab *t, unsigned id, const char *name)
{
	struct identry *ne;

	if (name == NULL || strlen(name) >= IDNAME_MAX || t->n >= IDCACHE_MAX)
		return;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;

		ne = realloc(t->e, cap * sizeof *ne);
		if (ne == NULL)
			return;
		t->e = ne;
		t->cap = cap;
	}
	t->e[t->n].id = id;
	snprintf(t->e[t->n].name, sizeof t->e[t->n].name, "%s", name);
	t->n++;
	t->sorted = 0;
}

static int
identry_cmp(const void *a, const void *b)
{
	const struct identry *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static const char *
idtab_find(struct idtab *t, unsigned id, char *tmp, size_t n)
{
	struct identry key = { .id = id }, *hit;

	if (!t->sorted && t->n > 0) {
		qsort(t->e, t->n, sizeof *t->e, identry_cmp);
		t->sorted = 1;
	}
	hit = t->n ? bsearch(&key, t->e, t->n, sizeof *t->e, identry_cmp) : NULL;
	if (hit != NULL)
		return hit->name;
	snprintf(tmp, n, "%u", id);
	return tmp;
}

void
idcache_build(void)
{
	struct passwd *pw;
	struct group *gr;

	free(s_users.e);
	free(s_groups.e);
	memset(&s_users, 0, sizeof s_users);
	memset(&s_groups, 0, sizeof s_groups);
	setpwent();
	while ((pw = getpwent()) != NULL && s_users.n < IDCACHE_MAX)
		idtab_add(&s_users, pw->pw_uid, pw->pw_name);
	endpwent();
	setgrent();
	while ((gr = getgrent()) != NULL && s_groups.n < IDCACHE_MAX)
		idtab_add(&s_groups, gr->gr_gid, gr->gr_name);
	endgrent();
	/* Sort now, in the parent, so forked sessions share the pages. */
	if (s_users.n) {
		qsort(s_users.e, s_users.n, sizeof *s_users.e, identry_cmp);
		s_users.sorted = 1;
	}
	if (s_groups.n) {
		qsort(s_groups.e, s_groups.n, sizeof *s_groups.e, identry_cmp);
		s_groups.sorted = 1;
	}
}

void
idcache_add_user(uid_t uid, const char *name)
{
	idtab_add(&s_users, uid, name);
}

void
idcache_add_group(gid_t gid, const char *name)
{
	idtab_add(&s_groups, gid, name);
}

const char *
idcache_user(uid_t uid, char *tmp, size_t n)
{
	return idtab_find(&s_users, uid, tmp, n);
}

const char *
idcache_group(gid_t gid, char *tmp, size_t n)
{
	return idtab_find(&s_groups, gid, tmp, n);
}
