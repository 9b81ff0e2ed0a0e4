/* Public map and program functions: argument checks that need no Go, then
 * a forward to the Go control path (capi/maps.go, capi/prog.go). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"
#include "_cgo_export.h"

enum { ELEM_UPDATE, ELEM_LOOKUP, ELEM_DELETE, ELEM_LOOKUP_AND_DELETE, ELEM_NEXT_KEY };
enum { BATCH_UPDATE, BATCH_DELETE, BATCH_LOOKUP };
enum { TYPED_XSK_CLEAR, TYPED_CPU_SET, TYPED_DEV_SET, TYPED_XSK_SET };
enum { QUEUE_PUSH, QUEUE_PEEK, QUEUE_POP };

int xdpkit_map_create(uint32_t type, uint32_t key_size, uint32_t value_size,
		      uint32_t max_entries, uint32_t flags, const char *name)
{
	FORK_GUARD();
	return xdpkitGoMapCreate(type, key_size, value_size, max_entries, flags, (char *)name);
}

int xdpkit_map_open_pinned(const char *path)
{
	FORK_GUARD();
	if (!path)
		return xdpkit__fail(EINVAL, "xdpkit_map_open_pinned: path is NULL");
	return xdpkitGoMapOpen((char *)path, 0);
}

int xdpkit_map_open_id(uint32_t id)
{
	FORK_GUARD();
	return xdpkitGoMapOpen(NULL, id);
}

int xdpkit_map_pin(int fd, const char *path)
{
	FORK_GUARD();
	if (!path)
		return xdpkit__fail(EINVAL, "xdpkit_map_pin: path is NULL");
	return xdpkitGoMapPin(fd, (char *)path);
}

int xdpkit_map_unpin(const char *path)
{
	FORK_GUARD();
	if (!path)
		return xdpkit__fail(EINVAL, "xdpkit_map_unpin: path is NULL");
	if (unlink(path) < 0)
		return xdpkit__fail(errno, "xdpkit_map_unpin: %s: %s", path, strerror(errno));
	return 0;
}

int xdpkit_map_close(int fd)
{
	FORK_GUARD();
	return xdpkitGoMapClose(fd);
}

int xdpkit_map_info(int fd, struct xdpkit_map_info *info)
{
	struct xdpkit_map_info out;
	size_t sz;
	int err;

	FORK_GUARD();
	if (!info)
		return xdpkit__fail(EINVAL, "xdpkit_map_info: info is NULL");
	sz = info->sz;
	if (sz < offsetof(struct xdpkit_map_info, type) + sizeof(uint32_t))
		return xdpkit__fail(EINVAL, "xdpkit_map_info: info->sz %zu is too small (set it to sizeof)", sz);
	memset(&out, 0, sizeof(out));
	err = xdpkitGoMapInfo(fd, &out);
	if (err < 0)
		return err;
	out.sz = sz < sizeof(out) ? sz : sizeof(out);
	memcpy(info, &out, out.sz);
	return 0;
}

int xdpkit_map_update(int fd, const void *key, uint32_t key_size,
		      const void *value, uint32_t value_size, uint64_t flags)
{
	FORK_GUARD();
	return xdpkitGoMapElem(ELEM_UPDATE, fd, (void *)key, key_size, (void *)value, value_size, flags);
}

int xdpkit_map_lookup(int fd, const void *key, uint32_t key_size, void *value, uint32_t value_size)
{
	FORK_GUARD();
	return xdpkitGoMapElem(ELEM_LOOKUP, fd, (void *)key, key_size, value, value_size, 0);
}

int xdpkit_map_delete(int fd, const void *key, uint32_t key_size)
{
	FORK_GUARD();
	return xdpkitGoMapElem(ELEM_DELETE, fd, (void *)key, key_size, NULL, 0, 0);
}

int xdpkit_map_lookup_and_delete(int fd, const void *key, uint32_t key_size,
				 void *value, uint32_t value_size)
{
	FORK_GUARD();
	return xdpkitGoMapElem(ELEM_LOOKUP_AND_DELETE, fd, (void *)key, key_size, value, value_size, 0);
}

int xdpkit_map_next_key(int fd, const void *key, void *next, uint32_t key_size)
{
	FORK_GUARD();
	if (!next)
		return xdpkit__fail(EINVAL, "xdpkit_map_next_key: next is NULL");
	return xdpkitGoMapElem(ELEM_NEXT_KEY, fd, (void *)key, key_size, next, key_size, 0);
}

int xdpkit_map_update_batch(int fd, const void *keys, const void *values, uint32_t count,
			    uint32_t key_size, uint32_t value_size, uint64_t flags)
{
	FORK_GUARD();
	return xdpkitGoMapBatch(BATCH_UPDATE, fd, NULL, (void *)keys, (void *)values, count,
				key_size, value_size, flags);
}

int xdpkit_map_delete_batch(int fd, const void *keys, uint32_t count, uint32_t key_size)
{
	FORK_GUARD();
	return xdpkitGoMapBatch(BATCH_DELETE, fd, NULL, (void *)keys, NULL, count, key_size, 0, 0);
}

int xdpkit_map_lookup_batch(int fd, struct xdpkit_map_cursor *cursor, void *keys, void *values,
			    uint32_t count, uint32_t key_size, uint32_t value_size)
{
	FORK_GUARD();
	return xdpkitGoMapBatch(BATCH_LOOKUP, fd, cursor, keys, values, count, key_size, value_size, 0);
}

int xdpkit_xskmap_set(int fd, uint32_t queue, struct xdpkit_socket *sock)
{
	FORK_GUARD();
	CHECK_SOCK(sock);
	return xdpkitGoMapTypedSet(TYPED_XSK_SET, fd, queue, 0, sock->fd);
}

int xdpkit_xskmap_clear(int fd, uint32_t queue)
{
	FORK_GUARD();
	return xdpkitGoMapTypedSet(TYPED_XSK_CLEAR, fd, queue, 0, 0);
}

int xdpkit_cpumap_set(int fd, uint32_t cpu, uint32_t qsize, int prog_fd)
{
	FORK_GUARD();
	return xdpkitGoMapTypedSet(TYPED_CPU_SET, fd, cpu, qsize, prog_fd);
}

int xdpkit_cpumap_get(int fd, uint32_t cpu, uint32_t *qsize, uint32_t *prog_id)
{
	FORK_GUARD();
	return xdpkitGoMapTypedGet(0, fd, cpu, qsize, prog_id);
}

int xdpkit_devmap_set(int fd, uint32_t key, uint32_t ifindex, int prog_fd)
{
	FORK_GUARD();
	return xdpkitGoMapTypedSet(TYPED_DEV_SET, fd, key, ifindex, prog_fd);
}

int xdpkit_devmap_get(int fd, uint32_t key, uint32_t *ifindex, uint32_t *prog_id)
{
	FORK_GUARD();
	return xdpkitGoMapTypedGet(1, fd, key, ifindex, prog_id);
}

int xdpkit_queue_push(int fd, const void *value, uint32_t value_size, uint64_t flags)
{
	FORK_GUARD();
	return xdpkitGoQueue(QUEUE_PUSH, fd, (void *)value, value_size, flags);
}

int xdpkit_queue_peek(int fd, void *value, uint32_t value_size)
{
	FORK_GUARD();
	return xdpkitGoQueue(QUEUE_PEEK, fd, value, value_size, 0);
}

int xdpkit_queue_pop(int fd, void *value, uint32_t value_size)
{
	FORK_GUARD();
	return xdpkitGoQueue(QUEUE_POP, fd, value, value_size, 0);
}

int xdpkit_socket_update_xskmap(struct xdpkit_socket *sock, int map_fd)
{
	FORK_GUARD();
	CHECK_SOCK(sock);
	return xdpkitGoSocketUseXSKMap(sock, map_fd);
}

int xdpkit_prog_load_file(struct xdpkit_prog **out, const char *path, const char *name)
{
	FORK_GUARD();
	return xdpkitGoProgLoad(out, (char *)path, (char *)name, -1);
}

int xdpkit_prog_load_default(struct xdpkit_prog **out, uint32_t max_queues)
{
	FORK_GUARD();
	return xdpkitGoProgLoad(out, NULL, NULL, max_queues);
}

int xdpkit_prog_fd(struct xdpkit_prog *prog)
{
	FORK_GUARD();
	return xdpkitGoProgInfo(prog, 0);
}

int xdpkit_prog_id(struct xdpkit_prog *prog)
{
	FORK_GUARD();
	return xdpkitGoProgInfo(prog, 1);
}

int xdpkit_prog_map_fd(struct xdpkit_prog *prog, const char *name)
{
	FORK_GUARD();
	return xdpkitGoProgMapFD(prog, (char *)name);
}

int xdpkit_prog_attach(struct xdpkit_prog *prog, const char *ifname, uint32_t xdp_flags,
		       struct xdpkit_link **out)
{
	FORK_GUARD();
	return xdpkitGoProgAttach(prog, (char *)ifname, xdp_flags, out);
}

int xdpkit_link_mode(struct xdpkit_link *link)
{
	FORK_GUARD();
	return xdpkitGoLink(link, 0);
}

int xdpkit_link_detach(struct xdpkit_link *link)
{
	FORK_GUARD();
	return xdpkitGoLink(link, 1);
}

int xdpkit_prog_delete(struct xdpkit_prog *prog)
{
	FORK_GUARD();
	return xdpkitGoProgDelete(prog);
}
