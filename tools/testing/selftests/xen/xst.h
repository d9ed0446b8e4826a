/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the xen selftests share: reading small sysfs and proc files, and the
 * launcher's xst.* claims on the kernel command line.
 */
#ifndef XEN_SELFTEST_XST_H
#define XEN_SELFTEST_XST_H

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Read a small text file, without trailing whitespace: its length or -errno. */
static inline int read_text(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return n;
}

/* Does the kernel command line contain the word @word? */
static inline bool cmdline_has(const char *word)
{
	char buf[4096] = "", *p;
	size_t n = strlen(word);
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	for (p = strstr(buf, word); p; p = strstr(p + 1, word))
		if ((p == buf || p[-1] == ' ') && (!p[n] || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

/* The value of @key ("xst.foo=") on the kernel command line, or "". */
static inline const char *cmdline_value(const char *key, char *val, size_t len)
{
	char buf[4096] = "", *p;
	FILE *f = fopen("/proc/cmdline", "r");

	val[0] = '\0';
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	for (p = strstr(buf, key); p; p = strstr(p + 1, key)) {
		if (p != buf && p[-1] != ' ')
			continue;
		p += strlen(key);
		snprintf(val, len, "%.*s", (int)strcspn(p, "\n "), p);
		break;
	}
	return val;
}

#endif
