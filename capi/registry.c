/* The registry of live handles: an open-addressing set of pointers under a
 * mutex. Lookups are a hash and a probe or two. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include "internal.h"

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static uintptr_t *reg_slots; /* 0 empty, 1 deleted, else a handle */
static size_t reg_cap, reg_used; /* reg_used: slots not empty (handles + deleted) */

#define REG_DELETED ((uintptr_t)1)

static size_t reg_hash(uintptr_t p)
{
	p ^= p >> 17;
	p *= 0xed5ad4bbU;
	p ^= p >> 11;
	return (size_t)p;
}

static size_t reg_find(uintptr_t p)
{
	size_t mask = reg_cap - 1, i = reg_hash(p) & mask;

	while (reg_slots[i] != 0 && reg_slots[i] != p)
		i = (i + 1) & mask;
	return i;
}

/* The slot to store p in: p's own, else the first deleted slot on its
 * probe path (so churn with reused addresses does not grow the chain),
 * else the empty slot that ends the path. */
static size_t reg_insert_slot(uintptr_t p)
{
	size_t mask = reg_cap - 1, i = reg_hash(p) & mask, del = (size_t)-1;

	while (reg_slots[i] != 0 && reg_slots[i] != p) {
		if (reg_slots[i] == REG_DELETED && del == (size_t)-1)
			del = i;
		i = (i + 1) & mask;
	}
	return reg_slots[i] == p || del == (size_t)-1 ? i : del;
}

/* Rehashes without the deleted slots, doubling the table only while live
 * handles fill more than a quarter of it. */
static int reg_grow(void)
{
	size_t old_cap = reg_cap, live = 0, i;
	uintptr_t *old = reg_slots;

	for (i = 0; i < old_cap; i++)
		live += old[i] > REG_DELETED;
	reg_cap = old_cap ? old_cap : 64;
	while ((live + 1) * 4 > reg_cap)
		reg_cap *= 2;
	reg_slots = calloc(reg_cap, sizeof(*reg_slots));
	if (!reg_slots) {
		reg_slots = old;
		reg_cap = old_cap;
		return -ENOMEM;
	}
	reg_used = 0;
	for (i = 0; i < old_cap; i++) {
		if (old[i] > REG_DELETED) {
			reg_slots[reg_find(old[i])] = old[i];
			reg_used++;
		}
	}
	free(old);
	return 0;
}

int xdpkit__registry_add(void *h)
{
	int err = 0;

	pthread_mutex_lock(&reg_lock);
	if ((reg_used + 1) * 2 > reg_cap)
		err = reg_grow();
	if (!err) {
		size_t i = reg_insert_slot((uintptr_t)h);

		if (reg_slots[i] == 0)
			reg_used++;
		reg_slots[i] = (uintptr_t)h;
	}
	pthread_mutex_unlock(&reg_lock);
	return err;
}

int xdpkit__registry_remove(void *h)
{
	int found = 0;

	pthread_mutex_lock(&reg_lock);
	if (reg_cap) {
		size_t i = reg_find((uintptr_t)h);

		if (reg_slots[i] == (uintptr_t)h) {
			reg_slots[i] = REG_DELETED;
			found = 1;
		}
	}
	pthread_mutex_unlock(&reg_lock);
	return found;
}

/* The last REG_QUARANTINE freed handles, not yet given back to malloc. */
#define REG_QUARANTINE 1024
static void *reg_quarantine[REG_QUARANTINE];
static size_t reg_quarantine_next;

void xdpkit__handle_free(void *h)
{
	void *old;

	pthread_mutex_lock(&reg_lock);
	old = reg_quarantine[reg_quarantine_next];
	reg_quarantine[reg_quarantine_next] = h;
	reg_quarantine_next = (reg_quarantine_next + 1) % REG_QUARANTINE;
	pthread_mutex_unlock(&reg_lock);
	free(old);
}

int xdpkit__registry_has(const void *h)
{
	int found = 0;

	pthread_mutex_lock(&reg_lock);
	if (reg_cap)
		found = reg_slots[reg_find((uintptr_t)h)] == (uintptr_t)h;
	pthread_mutex_unlock(&reg_lock);
	return found;
}

int xdpkit__check(const void *h, uint32_t magic, const char *fn)
{
	const char *kind = magic == XDPKIT_MAGIC_UMEM ? "umem" :
			   magic == XDPKIT_MAGIC_SOCK ? "socket" :
			   magic == XDPKIT_MAGIC_PROG ? "program" :
			   magic == XDPKIT_MAGIC_POOL ? "frame pool" : "link";

	if (__builtin_expect(xdpkit__forked, 0))
		return xdpkit__forked_fail(fn);
	if (!h)
		return xdpkit__fail(EINVAL, "%s: %s handle is NULL", fn, kind);
	if (!xdpkit__registry_has(h) || *(const uint32_t *)h != magic)
		return xdpkit__fail(EBADF, "%s: %p is not a live %s handle (closed or invalid)", fn, h, kind);
	return 0;
}
