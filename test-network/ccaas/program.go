package ccaas

import (
	"errors"
	"fmt"
	"io"
)

// Exit statuses of the builder programs. The peer only tells zero from
// non-zero; ExitUsage separates a miswired builder from a refused package
// for whoever runs a program by hand.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// programs maps each builder program to its arguments, as the peer passes
// them, and its step.
var programs = map[string]struct {
	params []string
	run    func(args []string) error
}{
	"detect": {
		params: []string{"CHAINCODE_SOURCE_DIR", "CHAINCODE_METADATA_DIR"},
		run:    func(args []string) error { return Detect(args[1]) },
	},
	"build": {
		params: []string{"CHAINCODE_SOURCE_DIR", "CHAINCODE_METADATA_DIR", "BUILD_OUTPUT_DIR"},
		run:    func(args []string) error { return Build(args[0], args[1], args[2]) },
	},
	"release": {
		params: []string{"BUILD_OUTPUT_DIR", "RELEASE_OUTPUT_DIR"},
		run:    func(args []string) error { return Release(args[0], args[1]) },
	},
}

// Main runs the builder program named program — "detect", "build" or
// "release", which the binary learns from the name it was started under —
// with the peer's arguments, writes any failure to stderr, and returns the
// exit status.
func Main(program string, args []string, stderr io.Writer) int {
	p, ok := programs[program]
	if !ok {
		_, _ = fmt.Fprintf(stderr, "ccaas-builder: started as %q; install it as bin/detect, bin/build and bin/release\n", program)
		return ExitUsage
	}
	if len(args) != len(p.params) {
		_, _ = fmt.Fprintf(stderr, "usage: %s", program)
		for _, param := range p.params {
			_, _ = fmt.Fprintf(stderr, " %s", param)
		}
		_, _ = fmt.Fprintln(stderr)
		return ExitUsage
	}
	for i, arg := range args {
		if arg == "" {
			_, _ = fmt.Fprintf(stderr, "%s: %s must not be empty\n", program, p.params[i])
			return ExitUsage
		}
	}
	err := p.run(args)
	if err == nil {
		return ExitOK
	}
	if !errors.Is(err, ErrNotDetected) {
		err = fmt.Errorf("%s failed: %w", program, err)
	}
	_, _ = fmt.Fprintln(stderr, err)
	return ExitFailure
}
