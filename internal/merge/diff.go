package merge

import "math"

// hunk is one change of a two-way diff: base lines [base, base+baseLen) became
// side lines [side, side+sideLen).
type hunk struct {
	base, baseLen int
	side, sideLen int
}

// changes marks which lines of one file a diff changed. It has a false sentinel before
// the first line and after the last, which the group sliding in compact.go relies on.
type changes []bool

func newChanges(n int) changes            { return make(changes, n+2) }
func (c changes) at(i int) bool           { return c[i+1] }
func (c changes) set(i int, changed bool) { c[i+1] = changed }
func (c changes) len() int                { return len(c) - 2 }

// diffLines returns the hunks that turn a into b, the way git's xdiff does with its default
// Myers algorithm: trim the common ends, leave out lines that cannot or should not anchor the
// alignment, find a shortest edit script on the rest, then slide each change to git's
// canonical place. Matching git's choice among equally short scripts matters: a merge is
// only clean if both sides' hunks fall where git puts them.
func diffLines(a, b []int) []hunk {
	ca, cb := newChanges(len(a)), newChanges(len(b))
	ra, rb := reduce(a, b, ca, cb)
	m := myers{a: ra, b: rb, ca: ca, cb: cb}
	m.compare(0, len(ra.ids), 0, len(rb.ids))
	compact(a, ca, cb)
	compact(b, cb, ca)
	return hunks(ca, cb)
}

// reduced is the part of a file the shortest-edit search looks at: ids[k] is line at[k].
type reduced struct {
	ids []int
	at  []int
}

// reduce trims the common prefix and suffix of a and b and drops, from what is left, the
// lines the search needs not see, marking them changed: lines absent from the other file,
// and lines so frequent in the other file that matching them would only align noise
// (blank lines, lone braces) when they sit among unmatched lines. This mirrors git, whose
// results depend on it.
func reduce(a, b []int, ca, cb changes) (reduced, reduced) {
	start := 0
	for start < len(a) && start < len(b) && a[start] == b[start] {
		start++
	}
	endA, endB := len(a), len(b)
	for endA > start && endB > start && a[endA-1] == b[endB-1] {
		endA--
		endB--
	}
	inA, inB := countIDs(a, b), countIDs(b, a)
	return keep(a, start, endA, inB, ca), keep(b, start, endB, inA, cb)
}

// countIDs counts how often each line of x occurs in x; the ids of both files index it.
func countIDs(x, other []int) []int {
	n := 0
	for _, id := range x {
		n = max(n, id+1)
	}
	for _, id := range other {
		n = max(n, id+1)
	}
	counts := make([]int, n)
	for _, id := range x {
		counts[id]++
	}
	return counts
}

// Line kinds for keep: a line with no match in the other file, with a few, or with many.
const (
	unmatched = iota
	matched
	frequent
)

// simscanWindow bounds how far keep looks around a frequent line, as git does.
const simscanWindow = 100

func keep(x []int, start, end int, inOther []int, c changes) reduced {
	limit := min(bogoSqrt(len(x)), 1024)
	kind := make([]int, len(x))
	for i := start; i < end; i++ {
		switch n := inOther[x[i]]; {
		case n == 0:
			kind[i] = unmatched
		case n >= limit:
			kind[i] = frequent
		default:
			kind[i] = matched
		}
	}
	var r reduced
	for i := start; i < end; i++ {
		if kind[i] == matched || kind[i] == frequent && !amongUnmatched(kind, i, start, end-1) {
			r.ids = append(r.ids, x[i])
			r.at = append(r.at, i)
		} else {
			c.set(i, true)
		}
	}
	return r
}

// amongUnmatched reports whether the frequent line i sits in a run of unmatched and frequent
// lines with unmatched lines on both sides, and few enough frequent ones in the run that it
// is noise there rather than structure.
func amongUnmatched(kind []int, i, first, last int) bool {
	first = max(first, i-simscanWindow)
	last = min(last, i+simscanWindow)
	before, frequentRun := run(kind, i, first, -1)
	if before == 0 {
		return false
	}
	after, frequentAfter := run(kind, i, last, +1)
	if after == 0 {
		return false
	}
	frequentRun += frequentAfter + 2 // line i counts once per side, as in git
	return frequentRun*4 < frequentRun+before+after
}

// run walks from line i towards limit (step ±1) while lines are unmatched or frequent, and
// counts each kind.
func run(kind []int, i, limit, step int) (unmatchedN, frequentN int) {
	for j := i + step; (step < 0 && j >= limit) || (step > 0 && j <= limit); j += step {
		switch kind[j] {
		case unmatched:
			unmatchedN++
		case frequent:
			frequentN++
		default:
			return unmatchedN, frequentN
		}
	}
	return unmatchedN, frequentN
}

// bogoSqrt is git's rough square root: the power of two with about half the bits of n.
func bogoSqrt(n int) int {
	i := 1
	for ; n > 0; n >>= 2 {
		i <<= 1
	}
	return i
}

// myers finds a shortest edit script between two reduced files by Myers' divide and
// conquer: find the middle of an optimal path, then solve both halves. It uses linear
// space. Unlike git it never trades optimality for speed; git does so only once a search
// passes 256 differences, far beyond the edits a re-render and a user make to one file.
type myers struct {
	a, b       reduced
	ca, cb     changes
	fwd, bwd   []int // furthest x per diagonal k = x - y, offset by len(b.ids)+1
	diagOffset int
}

func (m *myers) compare(aLo, aHi, bLo, bHi int) {
	a, b := m.a.ids, m.b.ids
	for aLo < aHi && bLo < bHi && a[aLo] == b[bLo] {
		aLo++
		bLo++
	}
	for aLo < aHi && bLo < bHi && a[aHi-1] == b[bHi-1] {
		aHi--
		bHi--
	}
	switch {
	case aLo == aHi:
		for ; bLo < bHi; bLo++ {
			m.cb.set(m.b.at[bLo], true)
		}
	case bLo == bHi:
		for ; aLo < aHi; aLo++ {
			m.ca.set(m.a.at[aLo], true)
		}
	default:
		x, y := m.middle(aLo, aHi, bLo, bHi)
		m.compare(aLo, x, bLo, y)
		m.compare(x, aHi, y, bHi)
	}
}

// middle returns a point of an optimal path through the box, found where the forward and
// the backward search meet. Both halves it leaves are strictly smaller than the box.
func (m *myers) middle(aLo, aHi, bLo, bHi int) (int, int) {
	if m.fwd == nil {
		n := len(m.a.ids) + len(m.b.ids) + 3
		m.fwd, m.bwd = make([]int, n), make([]int, n)
		m.diagOffset = len(m.b.ids) + 1
	}
	a, b, off := m.a.ids, m.b.ids, m.diagOffset
	fwd := func(k int) *int { return &m.fwd[k+off] }
	bwd := func(k int) *int { return &m.bwd[k+off] }

	kMin, kMax := aLo-bHi, aHi-bLo
	fMid, bMid := aLo-bLo, aHi-bHi
	odd := (fMid-bMid)&1 != 0
	fMin, fMax, bMin, bMax := fMid, fMid, bMid, bMid
	*fwd(fMid), *bwd(bMid) = aLo, aHi
	for {
		// Widen the forward diagonals by one each way, or narrow them at the box's edge;
		// the new outer diagonal starts unreachable.
		if fMin > kMin {
			fMin--
			*fwd(fMin - 1) = -1
		} else {
			fMin++
		}
		if fMax < kMax {
			fMax++
			*fwd(fMax + 1) = -1
		} else {
			fMax--
		}
		for k := fMax; k >= fMin; k -= 2 {
			x := *fwd(k + 1)
			if *fwd(k - 1) >= x {
				x = *fwd(k - 1) + 1
			}
			y := x - k
			for x < aHi && y < bHi && a[x] == b[y] {
				x++
				y++
			}
			*fwd(k) = x
			if odd && bMin <= k && k <= bMax && *bwd(k) <= x {
				return x, y
			}
		}

		if bMin > kMin {
			bMin--
			*bwd(bMin - 1) = math.MaxInt
		} else {
			bMin++
		}
		if bMax < kMax {
			bMax++
			*bwd(bMax + 1) = math.MaxInt
		} else {
			bMax--
		}
		for k := bMax; k >= bMin; k -= 2 {
			x := *bwd(k + 1) - 1
			if *bwd(k - 1) < *bwd(k + 1) {
				x = *bwd(k - 1)
			}
			y := x - k
			for x > aLo && y > bLo && a[x-1] == b[y-1] {
				x--
				y--
			}
			*bwd(k) = x
			if !odd && fMin <= k && k <= fMax && x <= *fwd(k) {
				return x, y
			}
		}
	}
}

// hunks reads the change marks of both files in step: between two hunks the files share
// their unchanged lines one for one.
func hunks(ca, cb changes) []hunk {
	var out []hunk
	i, j := 0, 0
	for i < ca.len() || j < cb.len() {
		if !ca.at(i) && !cb.at(j) {
			i++
			j++
			continue
		}
		h := hunk{base: i, side: j}
		for i < ca.len() && ca.at(i) {
			i++
		}
		for j < cb.len() && cb.at(j) {
			j++
		}
		h.baseLen, h.sideLen = i-h.base, j-h.side
		out = append(out, h)
	}
	return out
}
