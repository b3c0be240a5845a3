#!/usr/bin/env bats
# man.bats - the manual pages are linted, say what --help says, and every
# command in their EXAMPLES runs and prints what the page shows.

load lib

MANDIR="$SLUICE_SRCDIR/man"

# The rendered text of a page, without bold, underline or hyphenation.
render() {
	groff -mandoc -Tascii -P-cbou -rHY=0 "$1" 2>/dev/null
}

# The long options named in a page's OPTIONS section, one per line, sorted.
man_options() {
	render "$1" | awk '/^OPTIONS/ { on = 1; next } /^[A-Z]/ { on = 0 } on' |
	    grep -oE -- '(^|[^[:alnum:]-])--[a-z][a-z-]*' | grep -oE -- '--[a-z-]+' |
	    sort -u
}

help_options() {
	"$1" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u
}

@test "every man page passes groff -ww without a warning" {
	for page in "$MANDIR"/*.[157]; do
		run groff -ww -z -mandoc "$page"
		[ "$status" -eq 0 ] || fail "$page: groff exit $status"
		[ -z "$output" ] || fail "$page: $output"
	done
}

# The tools that were built: every sluice-* program next to sluice.
tools() {
	for t in "$SLUICE_BUILDDIR"/sluice-*; do
		[ -x "$t" ] && [ -f "$t" ] && basename "$t"
	done
}

@test "every tool has a man page and its --help lists the same options" {
	[ -n "$(tools)" ] || fail "no tools found in $SLUICE_BUILDDIR"
	for tool in $(tools); do
		page="$MANDIR/$tool.1"
		[ -f "$page" ] || fail "no $page"
		diff <(help_options "$tool") <(man_options "$page") ||
		    fail "$tool: options in --help (<) and $page (>) differ"
	done
}

@test "each SYNOPSIS is the usage line of --help" {
	for tool in $(tools); do
		want=$("$tool" --help | sed -n 's/^usage: //p')
		got=$(render "$MANDIR/$tool.1" |
		    awk '/^SYNOPSIS/ { on = 1; next } /^[A-Z]/ { on = 0 } on' |
		    tr -s ' \n' '  ' | sed 's/^ *//; s/ *$//')
		[ "$want" = "$got" ] || fail "$tool: --help says '$want', SYNOPSIS '$got'"
	done
}

@test "every tool's page and --help give the whole exit status table" {
	for page in "$MANDIR/sluice.7" $(tools | sed "s|.*|$MANDIR/&.1|"); do
		for code in 0 1 64 65 66 69 70 73 74 78; do
			render "$page" | awk '/^EXIT STATUS/ { on = 1; next } /^[A-Z]/ { on = 0 } on' |
			    grep -Eq "^ +$code +[a-z]" ||
			    fail "$page: EXIT STATUS lacks $code"
		done
	done
	for tool in $(tools); do
		help=$("$tool" --help | tr '\n' ' ')
		for code in 0 1 64 65 66 69 70 73/74 78; do
			[[ "$help" == *" $code "* ]] || fail "$tool --help lacks $code"
		done
	done
}

# Extracts the EXAMPLES literal blocks of a page as shell-ready text: one
# block per NUL-separated chunk, mdoc escapes undone.
example_blocks() {
	awk '
	/^\.Sh / { ex = ($2 == "EXAMPLES") }
	ex && /^\.Bd -literal/ { inb = 1; block = ""; next }
	ex && inb && /^\.Ed/ { inb = 0; printf "%s%c", block, 0; next }
	ex && inb { block = block $0 "\n" }
	' "$1" | sed -e 's/\\e/\\/g' -e 's/\\(dq/"/g' -e 's/\\&//g'
}

# Runs one block: "$ cmd" lines are commands, the lines after a command are
# its expected output (none: it must just succeed).  Returns 1 if any
# command failed or printed something else; says which on stderr.
run_block() {
	local block=$1 cmd="" expect="" bad=0
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		'$ '*)
			if [ -n "$cmd" ]; then
				check_command "$cmd" "$expect" || bad=1
			fi
			cmd=${line#\$ }
			expect=""
			;;
		*)
			[ -z "$cmd" ] || expect="$expect$line"$'\n'
			;;
		esac
	done <<<"$block"
	if [ -n "$cmd" ]; then
		check_command "$cmd" "$expect" || bad=1
	fi
	return $bad
}

check_command() {
	local got rc
	got=$(env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS bash -c "$1" 2>"$BATS_TEST_TMPDIR/example.err" | tr -d '\r'; exit "${PIPESTATUS[0]}")
	rc=$?
	if [ -z "$2" ]; then
		if [ "$rc" -ne 0 ]; then
			echo "example failed ($rc): $1" >&2
			cat "$BATS_TEST_TMPDIR/example.err" >&2
			return 1
		fi
	elif [ "$got" != "$(printf '%s' "$2")" ]; then
		printf 'example: %s\nexpected:\n%sgot:\n%s\n' "$1" "$2" "$got" >&2
		return 1
	fi
	return 0
}

run_examples() {
	local page=$1 blocks=0 bad=0
	cp -R "$FIXTURES/man/." "$BATS_TEST_TMPDIR/"
	while IFS= read -r -d '' block; do
		case $block in
		*'$ '*) ;;
		*) continue ;;
		esac
		run_block "$block" || bad=1
		blocks=$((blocks + 1))
	done < <(example_blocks "$page")
	[ "$blocks" -gt 0 ] || fail "$page has no runnable examples"
	[ "$bad" -eq 0 ] || fail "$page: an example does not do what the page shows"
}

@test "EXAMPLES of sluice-ingest(1) run as shown" {
	run_examples "$MANDIR/sluice-ingest.1"
}

@test "EXAMPLES of sluice-validate(1) run as shown" {
	run_examples "$MANDIR/sluice-validate.1"
}

@test "EXAMPLES of sluice-contract(5) run as shown" {
	run_examples "$MANDIR/sluice-contract.5"
}

@test "EXAMPLES of sluice-tag-lineage(1) run as shown" {
	run_examples "$MANDIR/sluice-tag-lineage.1"
}

@test "EXAMPLES of sluice-transform(1) run as shown" {
	run_examples "$MANDIR/sluice-transform.1"
}

@test "EXAMPLES of sluice-drift(1) run as shown" {
	run_examples "$MANDIR/sluice-drift.1"
}

@test "EXAMPLES of sluice(1) run as shown" {
	run_examples "$MANDIR/sluice.1"
}

@test "EXAMPLES of sluice-stream(5) run as shown" {
	run_examples "$MANDIR/sluice-stream.5"
}

@test "EXAMPLES of sluice(7) run as shown" {
	run_examples "$MANDIR/sluice.7"
}
