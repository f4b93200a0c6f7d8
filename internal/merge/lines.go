package merge

import "bytes"

// splitLines cuts text after every '\n'. Each line keeps its end of line ("\n" or "\r\n"),
// so two lines are equal only when their endings are too; the last line may have none.
func splitLines(text []byte) [][]byte {
	lines := make([][]byte, 0, bytes.Count(text, []byte{'\n'})+1)
	for len(text) > 0 {
		n := bytes.IndexByte(text, '\n') + 1
		if n == 0 {
			n = len(text)
		}
		lines = append(lines, text[:n])
		text = text[n:]
	}
	return lines
}

// interner gives every distinct line a small integer, so the diff compares ints.
type interner map[string]int

func (in interner) ids(lines [][]byte) []int {
	ids := make([]int, len(lines))
	for i, l := range lines {
		id, ok := in[string(l)]
		if !ok {
			id = len(in)
			in[string(l)] = id
		}
		ids[i] = id
	}
	return ids
}

// endsInCRLF reports whether line i ends in "\r\n", looking at the line before it when
// line i is the last one and has no end of line; ok is false when nothing tells.
func endsInCRLF(lines [][]byte, i int) (crlf, ok bool) {
	if len(lines) == 0 {
		return false, false
	}
	l := lines[i]
	if i == len(lines)-1 && !bytes.HasSuffix(l, []byte{'\n'}) {
		if i == 0 {
			return false, false
		}
		l = lines[i-1]
	}
	return bytes.HasSuffix(l, []byte("\r\n")), true
}

// hasAlnum reports whether any of the lines holds an ASCII letter or digit.
func hasAlnum(lines [][]byte) bool {
	for _, l := range lines {
		for _, c := range l {
			if '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
				return true
			}
		}
	}
	return false
}
