package merge

import (
	"fmt"
	"strings"
	"testing"
)

var testLabels = Labels{User: "yours", Generated: "nextmsa"}

// conflictText builds the expected conflict block with testLabels.
func conflictText(user, generated string) string {
	return "<<<<<<< yours\n" + user + "=======\n" + generated + ">>>>>>> nextmsa\n"
}

var mergeCases = []struct {
	name                  string
	base, user, generated string
	want                  string
	conflicts             int
}{
	{
		name: "nothing changed",
		base: "a\nb\nc\n", user: "a\nb\nc\n", generated: "a\nb\nc\n",
		want: "a\nb\nc\n",
	},
	{
		name: "only the user changed",
		base: "a\nb\nc\n", user: "a\nB\nc\n", generated: "a\nb\nc\n",
		want: "a\nB\nc\n",
	},
	{
		name: "only the generator changed",
		base: "a\nb\nc\n", user: "a\nb\nc\n", generated: "a\nb\nc\nd\n",
		want: "a\nb\nc\nd\n",
	},
	{
		name: "changes far apart both apply",
		base: "1\n2\n3\n4\n5\n6\n7\n", user: "one\n2\n3\n4\n5\n6\n7\n", generated: "1\n2\n3\n4\n5\n6\nseven\n",
		want: "one\n2\n3\n4\n5\n6\nseven\n",
	},
	{
		name: "one untouched line between changes is enough",
		base: "1\n2\n3\n", user: "one\n2\n3\n", generated: "1\n2\nthree\n",
		want: "one\n2\nthree\n",
	},
	{
		name: "changes to adjacent lines conflict, as in git",
		base: "1\n2\n3\n4\n", user: "1\nTWO\n3\n4\n", generated: "1\n2\nTHREE\n4\n",
		want:      "1\n" + conflictText("TWO\n3\n", "2\nTHREE\n") + "4\n",
		conflicts: 1,
	},
	{
		name: "same change on both sides is taken once",
		base: "a\nb\nc\n", user: "a\nB\nc\nd\n", generated: "a\nB\nc\nd\n",
		want: "a\nB\nc\nd\n",
	},
	{
		name: "same insertion at one place is taken once",
		base: "a\nc\n", user: "a\nb\nc\n", generated: "a\nb\nc\n",
		want: "a\nb\nc\n",
	},
	{
		name: "different insertions at one place conflict",
		base: "a\nc\n", user: "a\nmine\nc\n", generated: "a\ntheirs\nc\n",
		want:      "a\n" + conflictText("mine\n", "theirs\n") + "c\n",
		conflicts: 1,
	},
	{
		name: "overlapping changes keep only the lines that differ in the conflict",
		base: "x\na\nb\nc\ny\n", user: "x\nA\nb\nc1\ny\n", generated: "x\nA\nb\nc2\ny\n",
		want:      "x\nA\nb\n" + conflictText("c1\n", "c2\n") + "y\n",
		conflicts: 1,
	},
	{
		name: "user deleted a block the generator changed",
		base: "a\nb\nc\nd\n", user: "a\nd\n", generated: "a\nb\nC\nd\n",
		want:      "a\n" + conflictText("", "b\nC\n") + "d\n",
		conflicts: 1,
	},
	{
		name: "generator deleted a block the user changed",
		base: "a\nb\nc\nd\n", user: "a\nB\nc\nd\n", generated: "a\nd\n",
		want:      "a\n" + conflictText("B\nc\n", "") + "d\n",
		conflicts: 1,
	},
	{
		name: "both deleted the same block",
		base: "a\nb\nc\nd\n", user: "a\nd\n", generated: "a\nd\n",
		want: "a\nd\n",
	},
	{
		name: "no newline at the end, user appends a line",
		base: "a\nb\nc", user: "a\nb\nc\nd", generated: "A\nb\nc",
		want: "A\nb\nc\nd",
	},
	{
		name: "adding the final newline is a change of the last line",
		base: "a\nb\nc", user: "a\nb\nc\n", generated: "a\nb\nC",
		want:      "a\nb\n" + conflictText("c\n", "C\n"),
		conflicts: 1,
	},
	{
		name: "CRLF lines are kept as they are",
		base: "a\r\nb\r\nc\r\nd\r\n", user: "A\r\nb\r\nc\r\nd\r\n", generated: "a\r\nb\r\nc\r\nD\r\n",
		want: "A\r\nb\r\nc\r\nD\r\n",
	},
	{
		name: "CRLF conflict markers end in CRLF",
		base: "a\r\nb\r\nc\r\n", user: "a\r\nB\r\nc\r\n", generated: "a\r\nX\r\nc\r\n",
		want:      "a\r\n<<<<<<< yours\r\nB\r\n=======\r\nX\r\n>>>>>>> nextmsa\r\nc\r\n",
		conflicts: 1,
	},
	{
		name: "a line turned from LF to CRLF is a change",
		base: "a\nb\nc\n", user: "a\r\nb\nc\n", generated: "a\nb\nC\n",
		want: "a\r\nb\nC\n",
	},
	{
		name: "empty files",
		want: "",
	},
	{
		name: "user emptied the file the generator left alone",
		base: "a\nb\n", user: "", generated: "a\nb\n",
		want: "",
	},
	{
		name: "user emptied the file the generator changed",
		base: "a\nb\n", user: "", generated: "a\nB\n",
		want:      conflictText("", "a\nB\n"),
		conflicts: 1,
	},
	{
		name: "base empty, both added the same",
		base: "", user: "x\ny\n", generated: "x\ny\n",
		want: "x\ny\n",
	},
	{
		name: "base empty, both added different files sharing a middle line",
		base: "", user: "a\nshared\nb\n", generated: "c\nshared\nd\n",
		want:      conflictText("a\nshared\nb\n", "c\nshared\nd\n"),
		conflicts: 1,
	},
	{
		name: "base empty, sides differ only at the end",
		base: "", user: "package x\n\nfunc A() {}\n", generated: "package x\n\nfunc B() {}\n",
		want:      "package x\n\n" + conflictText("func A() {}\n", "func B() {}\n"),
		conflicts: 1,
	},
	{
		name: "conflicts close together become one",
		base: "1\n2\n3\n4\n5\n6\n", user: "1\nU2\n3\n4\nU5\n6\n", generated: "1\nG2\n3\n4\nG5\n6\n",
		want:      "1\n" + conflictText("U2\n3\n4\nU5\n", "G2\n3\n4\nG5\n") + "6\n",
		conflicts: 1,
	},
	{
		name: "conflicts apart by more than three lines with letters stay two",
		base: "1\n2\n3\n4\n5\n6\n7\n8\n", user: "1\nU2\nb\n3\n4\n5\n6\nU7\nb\n8\n", generated: "1\nG2\nb\n3\n4\n5\n6\nG7\nb\n8\n",
		want:      "1\n" + conflictText("U2\n", "G2\n") + "b\n3\n4\n5\n6\n" + conflictText("U7\n", "G7\n") + "b\n8\n",
		conflicts: 2,
	},
	{
		// git leaves frequent lines out of the alignment when they sit among rewritten ones,
		// so the user's rewrite is one change, and the generator's edit inside it conflicts.
		name:      "lines frequent elsewhere do not split a rewritten block",
		base:      frequentPrefix + block("y", "end") + "tail\n",
		user:      frequentPrefix + block("x", "end") + "tail\n",
		generated: frequentPrefix + block("y", "END") + "tail\n",
		want:      frequentPrefix + conflictText(block("x", "end"), block("y", "END")) + "tail\n",
		conflicts: 1,
	},
	{
		name: "a conflict at the end without newline gets one before the marker",
		base: "a\nb", user: "a\nB", generated: "a\nX",
		want:      "a\n" + conflictText("B\n", "X\n"),
		conflicts: 1,
	},
}

const frequentPrefix = "end\nend\nend\nend\nend\nsep\n"

// block is sixteen lines named prefix1 to prefix16 with four "end" lines after the eighth,
// the second of them replaced by second.
func block(prefix, second string) string {
	var b strings.Builder
	for i := 1; i <= 16; i++ {
		fmt.Fprintf(&b, "%s%d\n", prefix, i)
		if i == 8 {
			b.WriteString("end\n" + second + "\nend\nend\n")
		}
	}
	return b.String()
}

func TestMerge(t *testing.T) {
	for _, tc := range mergeCases {
		t.Run(tc.name, func(t *testing.T) {
			got, conflicts := Merge([]byte(tc.base), []byte(tc.user), []byte(tc.generated), testLabels)
			if string(got) != tc.want || conflicts != tc.conflicts {
				t.Errorf("Merge = %d conflicts\n%s\nwant %d conflicts\n%s", conflicts, show(got), tc.conflicts, show([]byte(tc.want)))
			}
		})
	}
}

func TestMergeUnlabelledMarkersAreBare(t *testing.T) {
	got, _ := Merge([]byte("a\n"), []byte("b\n"), []byte("c\n"), Labels{})
	if want := "<<<<<<<\nb\n=======\nc\n>>>>>>>\n"; string(got) != want {
		t.Errorf("Merge = %q, want %q", got, want)
	}
}

// show makes line ends visible in failure messages.
func show(b []byte) string {
	return strings.NewReplacer("\r", `\r`, "\n", "⏎\n").Replace(string(b))
}
