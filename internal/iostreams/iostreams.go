// Package iostreams bundles a command's input and outputs with what it may do with them:
// whether they are terminals, and so whether it may prompt.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams is the I/O bundle every command gets; tests build one with Test.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY bool
	Getenv              func(string) string
}

// System wires the process's own streams and environment.
func System() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		stdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		Getenv:    os.Getenv,
	}
}

// Test returns streams backed by buffers, no terminals, and an empty environment.
func Test() (ios *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, Getenv: func(string) string { return "" }}, in, out, errOut
}

// SetTTY pretends stdin and stdout are terminals (tests of the prompt path).
func (s *IOStreams) SetTTY(tty bool) { s.stdinTTY, s.stdoutTTY = tty, tty }

// CanPrompt is true only for a person at a terminal: both ends are terminals and CI is not
// set. Callers add their own --yes check.
func (s *IOStreams) CanPrompt() bool {
	return s.stdinTTY && s.stdoutTTY && s.Getenv("CI") == ""
}

// Accessible reports ACCESSIBLE=1 style requests for screen-reader friendly prompts.
func (s *IOStreams) Accessible() bool {
	v := s.Getenv("ACCESSIBLE")
	return v != "" && v != "0" && v != "false"
}
