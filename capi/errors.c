/* Error reporting: a thread-local message for the last failure, errno
 * texts, the version, and the config-struct size checks. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"

static __thread char err_msg[1024];

int xdpkit__fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	va_end(ap);
	return err < 0 ? err : -err;
}

void xdpkit__set_error(const char *msg, size_t len)
{
	if (len >= sizeof(err_msg))
		len = sizeof(err_msg) - 1;
	memcpy(err_msg, msg, len);
	err_msg[len] = '\0';
}

void xdpkit__clear_error(void)
{
	err_msg[0] = '\0';
}

int xdpkit_version(void)
{
	return XDPKIT_VERSION;
}

const char *xdpkit_strerror(int err)
{
	return strerror(err < 0 ? -err : err);
}

const char *xdpkit_last_error(void)
{
	return err_msg;
}

int xdpkit_errmsg(char *buf, size_t len)
{
	size_t n = strlen(err_msg);

	if (!buf)
		return len ? -EINVAL : (int)n;
	if (len == 0)
		return -ERANGE;
	if (n >= len) {
		memcpy(buf, err_msg, len - 1);
		buf[len - 1] = '\0';
		return -ERANGE;
	}
	memcpy(buf, err_msg, n + 1);
	return (int)n;
}

int xdpkit__copy_opts(void *dst, size_t dst_size, const void *src, const char *type)
{
	size_t sz = *(const size_t *)src, i;

	memset(dst, 0, dst_size);
	if (sz < sizeof(size_t))
		return xdpkit__fail(EINVAL, "struct %s: sz %zu is too small (set it to sizeof)", type, sz);
	for (i = dst_size; i < sz; i++) {
		if (((const unsigned char *)src)[i])
			return xdpkit__fail(EINVAL, "struct %s: sz %zu is larger than this library knows (%zu) and the extra fields are not zero",
					    type, sz, dst_size);
	}
	memcpy(dst, src, sz < dst_size ? sz : dst_size);
	*(size_t *)dst = dst_size;
	return 0;
}
