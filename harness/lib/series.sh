# Base unpack and series assembly. Source after common.sh.
# shellcheck shell=bash
#
# $LINUX is a git repository. Tag "base" is the pristine Debian tarball; branch
# "series" is one commit per entry of series/series, built with plumbing from
# the files of this repo, so the working tree is touched only where the series
# changed and make rebuilds only that.

# The linux-source-6.1 the series was last rebased on (Debian's security
# updates bring new ones; a machine without them has an older one).
SERIES_BASE_VERSION=6.1.192-3

# Why a patch may not apply: another linux-source-6.1 than the series'.
base_version_hint() {
	local have
	have=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null)
	[ "$have" = "$SERIES_BASE_VERSION" ] && return 0
	printf ' (linux-source-6.1 %s; the series is made for %s: is bookworm-security in apt'"'"'s sources?)' \
		"${have:-missing}" "$SERIES_BASE_VERSION"
}

base_stamp() {
	printf '%s %s\n' "$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null)" \
		"$(stat -c '%s:%Y' "$BASE_TARBALL")"
}

# Unpack the base once; again only when the tarball changed.
ensure_base() {
	local want
	[ -r "$BASE_TARBALL" ] || die "$BASE_TARBALL is missing: run harness/setup"
	want=$(base_stamp)
	if [ -f "$OUT/base.stamp" ] && [ "$(cat "$OUT/base.stamp")" = "$want" ] &&
	   linux_git rev-parse -q --verify refs/tags/base >/dev/null; then
		return 0
	fi
	stage "unpacking base ($want)"
	rm -rf "$LINUX" "$KBUILD" "$OUT/base.stamp"
	mkdir -p "$LINUX"
	tar -xJf "$BASE_TARBALL" -C "$LINUX" --strip-components=1
	linux_git init -q
	linux_git config gc.auto 0
	linux_git add -A -f .
	GIT_AUTHOR_NAME=Debian GIT_AUTHOR_EMAIL=debian-kernel@lists.debian.org \
	GIT_COMMITTER_NAME=Debian GIT_COMMITTER_EMAIL=debian-kernel@lists.debian.org \
	GIT_AUTHOR_DATE=$XS_DATE GIT_COMMITTER_DATE=$XS_DATE \
		linux_git commit -q -m "Linux $(make -s -C "$LINUX" kernelversion) (Debian linux-source-6.1 ${want%% *})"
	linux_git tag -f base >/dev/null
	echo "$want" >"$OUT/base.stamp"
}

# Files of this repo at kernel paths: tracked, or new and not ignored.
overlay_files() {
	local d
	for d in $KERNEL_DIRS; do
		[ -d "$ROOT/$d" ] || continue
		git -C "$ROOT" ls-files -co --exclude-standard -- "$d"
	done | sort -u
}

# Print the named part of a series patch file: subject, body, overlays, diff.
patch_part() {
	awk -v want="$1" '
		BEGIN { part = "hdr" }
		part == "hdr" && /^$/ { part = "body"; next }
		part == "hdr" && /^Subject: / { if (want == "subject") print substr($0, 10); next }
		part == "hdr" { next }
		part == "body" && /^---$/ { part = "meta"; next }
		part == "body" { if (want == "body") print; next }
		part == "meta" && /^diff --git / { part = "diff" }
		part == "meta" && /^Overlay: / { if (want == "overlay") print substr($0, 10); next }
		part == "diff" { if (want == "diff") print }
	' "$2"
}

series_names() {
	grep -v -e '^#' -e '^[[:space:]]*$' "$ROOT/series/series"
}

# Build refs/heads/series from base plus every patch in series/series.
assemble_series() {
	local idx=$OUT/series.index parent name f subj commit tree path diff
	local all_files file hit
	local -A claimed=()
	local -a mine
	all_files=$(overlay_files)
	parent=$(linux_git rev-parse refs/tags/base)
	rm -f "$idx"
	export GIT_INDEX_FILE=$idx
	linux_git read-tree "$parent"
	for name in $(series_names); do
		f=$ROOT/series/$name
		[ -f "$f" ] || die "series/series names $name, which does not exist"
		subj=$(patch_part subject "$f")
		[ -n "$subj" ] || die "$name has no Subject: line"
		diff=$(patch_part diff "$f")
		if [ -n "$diff" ]; then
			linux_git apply --cached --whitespace=error-all - <<<"$diff" ||
				die "$name does not apply to the base$(base_version_hint)"
		fi
		mine=()
		for path in $(patch_part overlay "$f"); do
			hit=0
			for file in $all_files; do
				case $file in
				"$path" | "${path%/}"/*) ;;
				*) continue ;;
				esac
				hit=1
				[ -z "${claimed[$file]:-}" ] ||
					die "$file is claimed by two patches: ${claimed[$file]} and $name"
				claimed[$file]=$name
				mine+=("$file")
			done
			[ $hit = 1 ] || die "$name: Overlay $path matches no file"
		done
		# One git for all of the patch's files: a git per file made this
		# the slowest part of every build that changed nothing.
		if [ ${#mine[@]} -gt 0 ]; then
			paste <(for file in "${mine[@]}"; do
					if [ -x "$ROOT/$file" ]; then echo 100755; else echo 100644; fi
				done) \
				<(printf "$ROOT/%s\n" "${mine[@]}" |
					GIT_DIR=$LINUX/.git git hash-object -w --stdin-paths) \
				<(printf '%s\n' "${mine[@]}") |
				awk -F '\t' '{ printf "%s %s\t%s\n", $1, $2, $3 }' |
				linux_git update-index --add --index-info ||
				die "$name: could not add its files"
		fi
		tree=$(linux_git write-tree)
		commit=$( { echo "$subj"; echo; patch_part body "$f"; } |
			GIT_AUTHOR_NAME=$XS_AUTHOR_NAME GIT_AUTHOR_EMAIL=$XS_AUTHOR_EMAIL \
			GIT_COMMITTER_NAME=$XS_AUTHOR_NAME GIT_COMMITTER_EMAIL=$XS_AUTHOR_EMAIL \
			GIT_AUTHOR_DATE=$XS_DATE GIT_COMMITTER_DATE=$XS_DATE \
			linux_git commit-tree "$tree" -p "$parent")
		parent=$commit
	done
	unset GIT_INDEX_FILE
	local stray
	stray=$(for file in $all_files; do [ -n "${claimed[$file]:-}" ] || echo "$file"; done)
	[ -z "$stray" ] || die "not in any patch of series/series (add an Overlay: line):
$stray"
	linux_git update-ref refs/heads/series "$parent"
}

# Make the working tree of $LINUX the series; git rewrites only changed files.
checkout_series() {
	linux_git checkout -q -f --detach refs/heads/series
	linux_git clean -q -f -d -x -e .git >/dev/null
}

# Findings in a file the series adds count wherever they are; in a base file
# it edits, only on the lines it added (the base's own are not ours to fix).
ours() { # FILE RAWLOG -> the findings that are the series'
	local f=$1 raw=$2 lines
	if linux_git cat-file -e "refs/tags/base:$f" 2>/dev/null; then
		lines=$(linux_git diff -U0 refs/tags/base refs/heads/series -- "$f" |
			sed -n 's/^@@ -[0-9,]* +\([0-9]*\)\(,\([0-9]*\)\)\{0,1\} @@.*/\1 \3/p' |
			awk '{ n = ($2 == "") ? 1 : $2; for (i = 0; i < n; i++) print $1 + i }')
		grep -E "$f:[0-9]+" "$raw" | while IFS= read -r line; do
			l=$(echo "$line" | sed -n "s|.*$f:\([0-9]*\).*|\1|p")
			grep -qx "$l" <<<"$lines" && echo "$line"
		done
	else
		grep -E "$f:" "$raw"
	fi
	return 0
}
