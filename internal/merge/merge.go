// Package merge is a line-based three-way text merge that behaves like `git merge-file`
// (default conflict style): the same clean results, the same conflicts, the same markers.
//
// nextmsa uses it to carry a user's edits over when a command re-renders a file: base is what
// nextmsa generated for the old options, user is the file on disk, generated is what nextmsa
// generates now. Regions only one side changed take that side; regions both changed the same
// way are taken once; anything else, including changes that merely touch (adjacent lines, or
// two insertions at one place), is a conflict:
//
//	<<<<<<< user label
//	the user's lines
//	=======
//	the generated lines
//	>>>>>>> generated label
//
// Lines are compared byte for byte with their end of line, so CRLF lines are kept as they
// are, and a last line without a newline differs from the same line with one. As in git,
// a conflict side that ends the file without a newline gets one before the next marker, and
// markers end in CRLF when the surrounding lines do.
//
// The line diff underneath is written here rather than imported. Of the Go diff libraries the
// module proxy serves, go-udiff's lcs (a copy of x/tools' internal diff) stops searching for a
// shortest script after a fixed number of differences, sergi/go-diff works on characters
// under a time limit, and go-difflib matches like Python's difflib, which is not a shortest
// script at all. Agreeing with git needs more than a shortest edit script anyway: git's
// choice among equally short ones (which lines it leaves out of the search, where it slides
// each change) decides whether two edits touch. diff.go and
// compact.go reproduce those choices (without git's shortcuts for huge differences, where
// git gives up on a shortest script and this package does not); differential_test.go checks
// the whole against the git binary on thousands of random edits of the project's templates.
//
// Only git's default conflict style is written; the diff3 style, which also shows the base
// lines, is not offered.
package merge

import "bytes"

// Labels are written after the conflict markers: "<<<<<<< User" and ">>>>>>> Generated",
// like the -L options of git merge-file. An empty label leaves its marker bare, where git
// would leave a trailing space.
type Labels struct {
	User      string
	Generated string
}

// Merge merges the user's and the generated changes to base and returns the merged text with
// the number of conflicts marked in it; zero means the merge is clean. It gives what
// `git merge-file -p -L User -L base -L Generated user base generated` prints: in a
// conflict the user's lines come first.
func Merge(base, user, generated []byte, labels Labels) (merged []byte, conflicts int) {
	b, u, g := splitLines(base), splitLines(user), splitLines(generated)
	in := make(interner, len(b)+len(u)+len(g))
	bIDs, uIDs, gIDs := in.ids(b), in.ids(u), in.ids(g)
	userHunks, genHunks := diffLines(bIDs, uIDs), diffLines(bIDs, gIDs)
	// One side kept base: the other side is the answer, bytes and all.
	if len(userHunks) == 0 {
		return bytes.Clone(generated), 0
	}
	if len(genHunks) == 0 {
		return bytes.Clone(user), 0
	}
	m := merger{base: b, user: u, gen: g, userIDs: uIDs, genIDs: gIDs}
	regions := m.align(userHunks, genHunks, len(u)-len(b), len(g)-len(b))
	regions = m.refine(regions)
	regions = m.joinNearConflicts(regions)
	return m.write(regions, labels)
}

// How a region of the result is made.
type source int

const (
	conflict  source = iota
	fromUser         // only the user changed it: the user's lines are already in place
	fromGen          // only the generated side changed it: take the generated lines
	identical        // both made the same change: the user's lines stand for both
)

// region is a stretch both sides may have changed, in the coordinates of the user's lines
// [user, user+userLen) and of the generated lines [gen, gen+genLen). Between regions the
// result copies the user's lines, which there equal base and the generated ones.
type region struct {
	source        source
	user, userLen int
	gen, genLen   int
}

type merger struct {
	base, user, gen [][]byte
	userIDs, genIDs []int
}

// align walks both diffs against base in order. A change one side made that neither
// overlaps nor touches the other side's changes is taken from that side; changes that
// overlap or touch become one conflict, unless they are the same change of the same base
// lines. userGrowth and genGrowth (lines added minus removed) place changes after the
// other diff's last hunk.
func (m *merger) align(us, gs []hunk, userGrowth, genGrowth int) []region {
	var out []region
	add := func(src source, u, uLen, g, gLen int) {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if u <= last.user+last.userLen || g <= last.gen+last.genLen {
				if src != last.source {
					last.source = conflict
				}
				last.userLen = u + uLen - last.user
				last.genLen = g + gLen - last.gen
				return
			}
		}
		out = append(out, region{src, u, uLen, g, gLen})
	}
	for len(us) > 0 && len(gs) > 0 {
		u, g := us[0], gs[0]
		switch {
		case u.base+u.baseLen < g.base:
			add(fromUser, u.side, u.sideLen, g.side-g.base+u.base, u.baseLen)
			us = us[1:]
			continue
		case g.base+g.baseLen < u.base:
			add(fromGen, u.side-u.base+g.base, g.baseLen, g.side, g.sideLen)
			gs = gs[1:]
			continue
		}
		if u.base != g.base || u.baseLen != g.baseLen || !m.sameLines(u.side, g.side, u.sideLen, g.sideLen) {
			// Widen each side's stretch to the base lines the other side's change covers.
			uStart, gStart := u.side, g.side
			if d := u.base - g.base; d > 0 {
				uStart -= d
			} else {
				gStart += d
			}
			uEnd, gEnd := u.side+u.sideLen, g.side+g.sideLen
			if d := u.base + u.baseLen - g.base - g.baseLen; d < 0 {
				uEnd -= d
			} else {
				gEnd += d
			}
			add(conflict, uStart, uEnd-uStart, gStart, gEnd-gStart)
		}
		uEnd, gEnd := u.base+u.baseLen, g.base+g.baseLen
		if uEnd <= gEnd {
			us = us[1:]
		}
		if gEnd <= uEnd {
			gs = gs[1:]
		}
	}
	for _, u := range us {
		add(fromUser, u.side, u.sideLen, u.base+genGrowth, u.baseLen)
	}
	for _, g := range gs {
		add(fromGen, g.base+userGrowth, g.baseLen, g.side, g.sideLen)
	}
	return out
}

func (m *merger) sameLines(u, g, uLen, gLen int) bool {
	if uLen != gLen {
		return false
	}
	for i := range uLen {
		if m.userIDs[u+i] != m.genIDs[g+i] {
			return false
		}
	}
	return true
}

// refine diffs the two sides of each conflict against each other, like git's "zealous"
// merge: lines both sides agree on leave the conflict, which may split it in several, and
// a conflict whose sides are equal is no conflict. A conflict with an empty side stays.
func (m *merger) refine(regions []region) []region {
	var out []region
	for _, r := range regions {
		if r.source != conflict || r.userLen == 0 || r.genLen == 0 {
			out = append(out, r)
			continue
		}
		hs := diffLines(m.userIDs[r.user:r.user+r.userLen], m.genIDs[r.gen:r.gen+r.genLen])
		if len(hs) == 0 {
			r.source = identical
			out = append(out, r)
			continue
		}
		for _, h := range hs {
			out = append(out, region{conflict, r.user + h.base, h.baseLen, r.gen + h.side, h.sideLen})
		}
	}
	return out
}

// joinNearConflicts makes one conflict of two that only three lines or fewer, or lines
// without a letter or digit (blank lines, braces), keep apart: one block is easier to
// resolve than two, and not longer.
func (m *merger) joinNearConflicts(regions []region) []region {
	var out []region
	for _, r := range regions {
		if n := len(out); n > 0 {
			last := &out[n-1]
			between := m.user[last.user+last.userLen : r.user]
			if last.source == conflict && r.source == conflict && (len(between) <= 3 || !hasAlnum(between)) {
				last.userLen = r.user + r.userLen - last.user
				last.genLen = r.gen + r.genLen - last.gen
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

func (m *merger) write(regions []region, labels Labels) ([]byte, int) {
	var out bytes.Buffer
	conflicts, next := 0, 0 // next is the first user line not yet written
	for _, r := range regions {
		if r.source == identical {
			continue // its user lines go out with the stretch before the next region
		}
		writeLines(&out, m.user[next:r.user])
		switch r.source {
		case fromUser:
			writeLines(&out, m.user[r.user:r.user+r.userLen])
		case fromGen:
			writeLines(&out, m.gen[r.gen:r.gen+r.genLen])
		case conflict:
			conflicts++
			eol := m.markerEOL(r)
			marker(&out, "<<<<<<<", labels.User, eol)
			writeSide(&out, m.user[r.user:r.user+r.userLen], eol)
			marker(&out, "=======", "", eol)
			writeSide(&out, m.gen[r.gen:r.gen+r.genLen], eol)
			marker(&out, ">>>>>>>", labels.Generated, eol)
		}
		next = r.user + r.userLen
	}
	writeLines(&out, m.user[next:])
	return out.Bytes(), conflicts
}

// markerEOL picks the markers' end of line as git does: CRLF only when neither the user's
// nor the generated line before the conflict (the first line, for a conflict at the top)
// ends in a bare LF, and base's first line ends in CRLF.
func (m *merger) markerEOL(r region) string {
	if crlf, known := endsInCRLF(m.user, max(r.user-1, 0)); known && !crlf {
		return "\n"
	}
	if crlf, known := endsInCRLF(m.gen, max(r.gen-1, 0)); known && !crlf {
		return "\n"
	}
	if crlf, _ := endsInCRLF(m.base, 0); crlf {
		return "\r\n"
	}
	return "\n"
}

func writeLines(out *bytes.Buffer, lines [][]byte) {
	for _, l := range lines {
		out.Write(l)
	}
}

// writeSide writes one side of a conflict; a last line without a newline gets one, so the
// next marker starts a line.
func writeSide(out *bytes.Buffer, lines [][]byte, eol string) {
	writeLines(out, lines)
	if n := len(lines); n > 0 && !bytes.HasSuffix(lines[n-1], []byte{'\n'}) {
		out.WriteString(eol)
	}
}

func marker(out *bytes.Buffer, sign, label, eol string) {
	out.WriteString(sign)
	if label != "" {
		out.WriteString(" " + label)
	}
	out.WriteString(eol)
}
