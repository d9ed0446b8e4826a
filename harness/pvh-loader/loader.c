// SPDX-License-Identifier: GPL-2.0
/*
 * A PVH boot loader for the harness, booted by QEMU's own PVH loader
 * (qemu -kernel pvh-loader -initrd PACK -append "case=NAME -- CMDLINE").
 * It loads the kernel ELF from PACK at its physical addresses, builds a
 * start info of its own from the one QEMU gave it, spoils it as case NAME
 * says, and enters the kernel's XEN_ELFNOTE_PHYS32_ENTRY with %ebx
 * pointing at it. QEMU and Xen only ever build good start infos; this is
 * how the kernel meets bad ones for real.
 *
 * Case "reloc" loads the kernel 64 MiB above its link address, as its
 * XEN_ELFNOTE_PHYS32_RELOC note allows; "reloc-misaligned" 1 MiB above,
 * "reloc-below" 2 MiB below and "reloc-above" ending past the note's
 * maximum, which the note does not allow. "server" hands over a memory
 * map shaped like a two-socket server's, with the oddities the ABI
 * allows; "no-modules" and "empty-module" hand over no initramfs.
 *
 * PACK: "XPL1", then u32 offset and length of the kernel ELF, then of the
 * initramfs. Runs in 32-bit flat mode, paging off, as PVH guests start.
 */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

/* Xen's public start_info.h: the layout is ABI. */
struct hvm_start_info {
	u32 magic, version, flags, nr_modules;
	u64 modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	u32 memmap_entries, reserved;
};

struct hvm_modlist_entry {
	u64 paddr, size, cmdline_paddr, reserved;
};

struct hvm_memmap_table_entry {
	u64 addr, size;
	u32 type, reserved;
};

#define HVM_START_MAGIC		0x336ec578
#define XEN_ELFNOTE_PHYS32_ENTRY	18
#define XEN_ELFNOTE_PHYS32_RELOC	19	/* align, min, max (u32 each) */

struct elf64_hdr {
	u8 ident[16];
	u16 type, machine;
	u32 version;
	u64 entry, phoff, shoff;
	u32 flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	u32 type, flags;
	u64 offset, vaddr, paddr, filesz, memsz, align;
};

#define PT_LOAD	1
#define PT_NOTE	4

/* Where the loader puts what it builds: low RAM, below QEMU's option ROM. */
#define NEW_SI		0x7000
#define NEW_MEMMAP	0x7100
#define NEW_MODLIST	0x7800
#define NEW_CMDLINE	0x7900
#define MSR_GS_BASE	0xc0000101
#define POISON_GS_BASE	0x00007ffffff00000ULL	/* canonical, above 4 GiB: unmapped */
#define LONG_MEMMAP	0x60000		/* the server's map: room for 5000 entries */
#define LONG_MEMMAP_END	0x80000

asm(".pushsection .note.Xen, \"a\", @note\n"
    "	.balign 4\n"
    "	.long 4, 4, 18\n"		/* namesz, descsz, PHYS32_ENTRY */
    "	.asciz \"Xen\"\n"
    "	.balign 4\n"
    "	.long _start\n"
    ".popsection\n"
    ".text\n"
    ".globl _start\n"
    "_start:\n"
    "	movl $stack_top, %esp\n"
    "	pushl %ebx\n"
    "	call loader_main\n"
    "1:	hlt\n"
    "	jmp 1b\n");

static u8 stack[8192] __attribute__((aligned(16), used));
asm(".globl stack_top\n.set stack_top, stack + 8192\n");

static void outb(u8 v, u16 port)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static void say(const char *s)
{
	while (*s)
		outb(*s++, 0xe9);
}

static void __attribute__((noreturn)) fail(const char *why)
{
	say("pvh-loader: ");
	say(why);
	say("\n");
	for (;;)
		asm volatile("cli; hlt");
}

static void copy(void *dst, const void *src, u32 n)
{
	u8 *d = dst;
	const u8 *s = src;

	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
}

static void zero(void *dst, u32 n)
{
	u8 *d = dst;

	while (n--)
		*d++ = 0;
}

static int starts(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}

static void *ptr(u64 pa)
{
	if (pa >> 32)
		fail("address above 4 GiB");
	return (void *)(u32)pa;
}

#define RELOC_SHIFT	0x4000000

/*
 * Load the kernel ELF @shift bytes away from its link address (0, or
 * RELOC_SHIFT for the case the note allows, which is checked against it);
 * returns its PVH entry, sets *lo and *hi to where it now lies.
 */
static u32 load_kernel(const u8 *elf, u32 len, long long shift, u64 *lo, u64 *hi)
{
	const struct elf64_hdr *eh = (const void *)elf;
	u32 entry = 0, i;
	const u32 *note = 0;

	if (len < sizeof(*eh) || !starts((const char *)eh->ident, "\177ELF") || eh->ident[4] != 2)
		fail("module 0 holds no 64-bit ELF");
	*lo = ~0ULL;
	*hi = 0;
	for (i = 0; i < eh->phnum; i++) {
		const struct elf64_phdr *ph = (const void *)(elf + eh->phoff + i * eh->phentsize);

		if (ph->type == PT_LOAD) {
			*lo = ph->paddr < *lo ? ph->paddr : *lo;
			*hi = ph->paddr + ph->memsz > *hi ? ph->paddr + ph->memsz : *hi;
		} else if (ph->type == PT_NOTE) {
			u32 off = 0;

			while (off + 12 <= ph->filesz) {
				const u32 *n = (const void *)(elf + ph->offset + off);
				u32 name = (n[0] + 3) & ~3, desc = (n[1] + 3) & ~3;

				const void *d = (const u8 *)(n + 3) + name;

				if (starts((const char *)(n + 3), "Xen") &&
				    n[2] == XEN_ELFNOTE_PHYS32_ENTRY)
					entry = *(const u32 *)d;
				if (starts((const char *)(n + 3), "Xen") &&
				    n[2] == XEN_ELFNOTE_PHYS32_RELOC)
					note = d;
				off += 12 + name + desc;
			}
		}
	}
	if (!entry)
		fail("the kernel has no XEN_ELFNOTE_PHYS32_ENTRY");
	/* The note: alignment, lowest first byte, highest last byte. */
	if (shift == RELOC_SHIFT) {
		if (!note)
			fail("the kernel has no XEN_ELFNOTE_PHYS32_RELOC");
		if ((u32)shift % note[0] || *lo + shift < note[1] || *hi - 1 + shift > note[2])
			fail("the kernel's PHYS32_RELOC note does not allow +64 MiB");
	}
	for (i = 0; i < eh->phnum; i++) {
		const struct elf64_phdr *ph = (const void *)(elf + eh->phoff + i * eh->phentsize);

		if (ph->type != PT_LOAD)
			continue;
		copy(ptr(ph->paddr + shift), elf + ph->offset, ph->filesz);
		zero((u8 *)ptr(ph->paddr + shift) + ph->filesz, ph->memsz - ph->filesz);
	}
	*lo += shift;
	*hi += shift;
	return entry + shift;
}

static void add(struct hvm_memmap_table_entry *map, u32 *n, u64 addr, u64 size, u32 type)
{
	map[*n].addr = addr;
	map[*n].size = size;
	map[*n].type = type;
	map[*n].reserved = 0;
	(*n)++;
}

#define MIB		0x100000ULL
#define SERVER_WINDOW	((SERVER_PAIRS + 28) * MIB)	/* the pairs, then 28 MiB */
#define SERVER_PAIRS	64		/* RAM 960 KiB, then 64 KiB of firmware's */
#define SERVER_HIGH	0x7000000000ULL	/* 448 GiB: a run of reserved ranges */

/*
 * QEMU's map in the shape of a two-socket server's: its RAM cut by many
 * small reserved, ACPI and NVS ranges, then persistent memory (7), legacy
 * PRAM (12) and soft-reserved (0xefffffff) ranges, and a run of reserved
 * ranges high up. All of it carved from one 92 MiB window of RAM QEMU
 * has, above the kernel and below the pack: 28 MiB stop being RAM. Then
 * what the ABI allows that real firmware rarely writes: entries of size 0,
 * a type no kernel knows and a nonzero reserved field.
 */
static u32 server_map(const struct hvm_start_info *qemu, struct hvm_memmap_table_entry *map,
		      u64 above, u64 below)
{
	static const u32 firmware[] = { 2, 3, 4, 2 };
	const struct hvm_memmap_table_entry *q = ptr(qemu->memmap_paddr);
	u64 w = (above + 2 * MIB - 1) & ~(2 * MIB - 1), a;
	u32 i, j, n = 0;

	if (w + SERVER_WINDOW > below)
		fail("no room between the kernel and the pack for the server's map");
	if (qemu->memmap_paddr < LONG_MEMMAP_END &&
	    qemu->memmap_paddr + qemu->memmap_entries * sizeof(*q) > LONG_MEMMAP)
		fail("QEMU's memory map lies where the server's goes");
	for (i = 0; i < qemu->memmap_entries; i++) {
		if (q[i].type != 1 || q[i].addr > w || q[i].addr + q[i].size < w + SERVER_WINDOW) {
			add(map, &n, q[i].addr, q[i].size, q[i].type);
			continue;
		}
		add(map, &n, q[i].addr, w - q[i].addr, 1);
		add(map, &n, 0, 0, 1);
		for (a = w, j = 0; j < SERVER_PAIRS; j++, a += MIB) {
			add(map, &n, a, MIB - 0x10000, 1);
			add(map, &n, a + MIB - 0x10000, 0x10000, firmware[j % 4]);
		}
		add(map, &n, a, 8 * MIB, 7);
		add(map, &n, a + 8 * MIB, 2 * MIB, 1);
		add(map, &n, a + 10 * MIB, 8 * MIB, 12);
		add(map, &n, a + 18 * MIB, 2 * MIB, 1);
		add(map, &n, a + 20 * MIB, 8 * MIB, 0xefffffff);
		a += 28 * MIB;
		if (a > q[i].addr + q[i].size)
			fail("the server's window ends past QEMU's RAM");
		add(map, &n, a, q[i].addr + q[i].size - a, 1);
		add(map, &n, 0, 0, 2);
	}
	for (j = 0; j < 16; j++)
		add(map, &n, SERVER_HIGH + j * 2 * MIB, MIB, 2);
	add(map, &n, SERVER_HIGH + 64 * MIB, MIB, 0x20);	/* unknown: kept reserved */
	add(map, &n, 0, 0, 0);
	map[0].reserved = 0xdead;
	return n;
}

void loader_main(const struct hvm_start_info *qemu)
{
	const struct hvm_modlist_entry *qmod = ptr(qemu->modlist_paddr);
	struct hvm_start_info *si = (void *)NEW_SI;
	struct hvm_memmap_table_entry *map = (void *)NEW_MEMMAP;
	struct hvm_modlist_entry *mod = (void *)NEW_MODLIST;
	const char *cmd = ptr(qemu->cmdline_paddr), *kcmd = "", *c;
	char *newcmd = (char *)NEW_CMDLINE;
	const u32 *pack;
	long long shift = 0;
	u64 lo, hi;
	u32 entry, n;

	if (qemu->magic != HVM_START_MAGIC || qemu->nr_modules < 1 || !qemu->memmap_entries)
		fail("QEMU's start info lacks a module or a memory map");
	pack = ptr(qmod->paddr);
	if (pack[0] != 0x314c5058)	/* "XPL1" */
		fail("module 0 is not a pvh-loader pack");
	/* All but "reloc" place it where the note does not allow, on purpose. */
	if (starts(cmd, "case=reloc-misaligned"))
		shift = MIB;
	else if (starts(cmd, "case=reloc-below"))
		shift = -2 * (long long)MIB;
	else if (starts(cmd, "case=reloc-above"))	/* the last byte past 3 GiB */
		shift = 0xc0000000LL - 32 * MIB;
	else if (starts(cmd, "case=reloc"))
		shift = RELOC_SHIFT;
	entry = load_kernel((const u8 *)pack + pack[1], pack[2], shift, &lo, &hi);

	for (c = cmd; *c; c++)
		if (starts(c, " -- ")) {
			kcmd = c + 4;
			break;
		}
	for (n = 0; kcmd[n] && n < 0x6ff; n++)
		newcmd[n] = kcmd[n];
	newcmd[n] = '\0';

	zero(si, sizeof(*si));
	si->magic = HVM_START_MAGIC;
	si->version = 1;
	si->cmdline_paddr = NEW_CMDLINE;
	si->rsdp_paddr = qemu->rsdp_paddr;
	si->nr_modules = 1;
	si->modlist_paddr = NEW_MODLIST;
	zero(mod, sizeof(*mod));
	mod->paddr = qmod->paddr + pack[3];
	mod->size = pack[4];
	si->memmap_entries = qemu->memmap_entries;
	si->memmap_paddr = NEW_MEMMAP;
	copy(map, ptr(qemu->memmap_paddr), qemu->memmap_entries * sizeof(*map));

	/* The defects, one per case; "good" has none. */
	if (starts(cmd, "case=magic")) {
		si->magic ^= 1;
	} else if (starts(cmd, "case=si-on-kernel")) {
		/* Mid-image: nothing there runs before the check. */
		struct hvm_start_info *bad = ptr((lo + (hi - lo) / 2) & ~0xfffULL);

		copy(bad, si, sizeof(*si));
		si = bad;
	} else if (starts(cmd, "case=memmap-type")) {
		map[0].type = 99;
	} else if (starts(cmd, "case=no-ram")) {
		for (n = 0; n < si->memmap_entries; n++)
			map[n].type = map[n].type == 1 ? 2 : map[n].type;
	} else if (starts(cmd, "case=module-wraps")) {
		mod->paddr = ~0ULL - 0xfff;
		mod->size = 0x2000;
	} else if (starts(cmd, "case=cmdline-on-kernel")) {
		si->cmdline_paddr = hi - 0x1000;
	} else if (starts(cmd, "case=server")) {
		si->memmap_paddr = LONG_MEMMAP;
		si->memmap_entries = server_map(qemu, (void *)LONG_MEMMAP, hi, qmod->paddr);
		if (LONG_MEMMAP + si->memmap_entries * sizeof(*map) > LONG_MEMMAP_END)
			fail("the server's map outgrew its room");
	} else if (starts(cmd, "case=no-modules")) {
		si->nr_modules = 0;
		si->modlist_paddr = 0;
	} else if (starts(cmd, "case=empty-module")) {
		mod->size = 0;
	} else if (!starts(cmd, "case=good") && !starts(cmd, "case=reloc")) {
		fail("unknown case");
	}
	/*
	 * The PVH ABI leaves the GS base unspecified: leave it on memory the
	 * kernel's early page tables do not map, so C that reads a stack
	 * canary through it before the kernel sets its own faults.
	 */
	asm volatile("wrmsr" : : "c"(MSR_GS_BASE), "a"((u32)POISON_GS_BASE),
		     "d"((u32)(POISON_GS_BASE >> 32)));
	say("pvh-loader: entering the kernel\n");
	asm volatile("jmp *%0" : : "r"(entry), "b"(si) : "memory");
	for (;;)
		;
}
