package merge

// group is a run [start, end) of changed lines in one file, possibly empty. The groups of
// the two files of a diff pair up in order: group k of one file faces group k of the other.
type group struct{ start, end int }

func firstGroup(c changes) group {
	g := group{}
	for c.at(g.end) {
		g.end++
	}
	return g
}

// next moves to the following group; false at the end of the file.
func (g *group) next(c changes) bool {
	if g.end == c.len() {
		return false
	}
	g.start = g.end + 1
	g.end = g.start
	for c.at(g.end) {
		g.end++
	}
	return true
}

// previous moves to the group before; false at the start of the file.
func (g *group) previous(c changes) bool {
	if g.start == 0 {
		return false
	}
	g.end = g.start - 1
	g.start = g.end
	for c.at(g.start - 1) {
		g.start--
	}
	return true
}

// slideDown shifts the group one line later, which is possible when the line after it
// equals its first line, absorbing any group it then touches.
func (g *group) slideDown(x []int, c changes) bool {
	if g.end >= len(x) || x[g.start] != x[g.end] {
		return false
	}
	c.set(g.start, false)
	c.set(g.end, true)
	g.start++
	g.end++
	for c.at(g.end) {
		g.end++
	}
	return true
}

// slideUp is slideDown the other way.
func (g *group) slideUp(x []int, c changes) bool {
	if g.start == 0 || x[g.start-1] != x[g.end-1] {
		return false
	}
	g.start--
	g.end--
	c.set(g.start, true)
	c.set(g.end, false)
	for c.at(g.start - 1) {
		g.start--
	}
	return true
}

// compact puts every change of x where git puts it. A run of changed lines can often move
// up or down (deleting one of two equal lines); git merges runs that meet while sliding,
// then puts the run as low as it goes, unless some position lines it up with a change in
// the other file, in which case it takes the lowest such position. other is the change
// marks of the other file, kept in step.
func compact(x []int, c, other changes) {
	g, o := firstGroup(c), firstGroup(other)
	for {
		if g.end != g.start {
			var earliestEnd, alignedEnd int
			for {
				size := g.end - g.start
				alignedEnd = -1
				for g.slideUp(x, c) {
					o.previous(other)
				}
				earliestEnd = g.end
				if o.end > o.start {
					alignedEnd = g.end
				}
				for g.slideDown(x, c) {
					o.next(other)
					if o.end > o.start {
						alignedEnd = g.end
					}
				}
				if size == g.end-g.start {
					break
				}
			}
			if g.end != earliestEnd && alignedEnd != -1 {
				for o.end == o.start {
					g.slideUp(x, c)
					o.previous(other)
				}
			}
		}
		if !g.next(c) {
			return
		}
		o.next(other)
	}
}
