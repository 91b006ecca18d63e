/* map.h: a string -> integer hash map (open addressing), for in-input checks. */
#ifndef CRM_MAP_H
#define CRM_MAP_H

#include <stddef.h>

struct strmap {
	char **keys;
	long long *vals;
	size_t n, cap;
};
#define STRMAP_INIT { NULL, NULL, 0, 0 }

/* The value for KEY, or -1. */
long long map_get(const struct strmap *m, const char *key);
/* Set KEY (copied) to VAL unless present; returns the value now held. */
long long map_put(struct strmap *m, const char *key, long long val);
void map_free(struct strmap *m);

#endif
