/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /init of the 32-bit kernel's initramfs (harness/modes/pvh-i386): no
 * 32-bit C library is installed, so it is a few i386 system calls. It
 * says it runs and on which machine (uname's machine field), then powers
 * off.
 */
	.equ	NR_write, 4
	.equ	NR_reboot, 88
	.equ	NR_uname, 122
	.equ	UTS_FIELD, 65		/* struct new_utsname: six fields of 65 bytes */
	.equ	UTS_MACHINE, 4 * UTS_FIELD

	.code32
	.globl	_start
	.text
_start:
	movl	$NR_uname, %eax
	movl	$uts, %ebx
	int	$0x80
	testl	%eax, %eax
	jnz	1f
	movl	$hello, %ecx
	movl	$(hello_end - hello), %edx
	call	say
	movl	$(uts + UTS_MACHINE), %ecx
	movl	%ecx, %edi		/* the field's length: up to its NUL */
	movl	$UTS_FIELD, %edx
2:	cmpb	$0, (%edi)
	je	3f
	incl	%edi
	decl	%edx
	jnz	2b
3:	movl	%edi, %edx
	subl	%ecx, %edx
	call	say
	movl	$newline, %ecx
	movl	$1, %edx
	call	say
1:	movl	$NR_reboot, %eax
	movl	$0xfee1dead, %ebx	/* LINUX_REBOOT_MAGIC1 */
	movl	$0x28121969, %ecx	/* LINUX_REBOOT_MAGIC2 */
	movl	$0x4321fedc, %edx	/* LINUX_REBOOT_CMD_POWER_OFF */
	int	$0x80
4:	jmp	4b

/* say: write(1, %ecx, %edx) */
say:
	movl	$NR_write, %eax
	movl	$1, %ebx
	int	$0x80
	ret

	.data
hello:	.ascii	"XST-I386 init runs on "
hello_end:
newline: .ascii	"\n"
	.bss
uts:	.skip	6 * UTS_FIELD
