/* The registry of live handles: an open-addressing set of pointers under a
 * mutex. Lookups are a hash and a probe or two. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include "internal.h"

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static uintptr_t *reg_slots; /* 0 empty, 1 deleted, else a handle */
static size_t reg_cap, reg_used;

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

static int reg_grow(void)
{
	size_t old_cap = reg_cap, i;
	uintptr_t *old = reg_slots;

	reg_cap = old_cap ? old_cap * 2 : 64;
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
		reg_slots[reg_find((uintptr_t)h)] = (uintptr_t)h;
		reg_used++;
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

	if (!h)
		return xdpkit__fail(EINVAL, "%s: %s handle is NULL", fn, kind);
	if (!xdpkit__registry_has(h) || *(const uint32_t *)h != magic)
		return xdpkit__fail(EBADF, "%s: %p is not a live %s handle (closed or invalid)", fn, h, kind);
	return 0;
}
