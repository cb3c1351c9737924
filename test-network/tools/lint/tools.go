//go:build tools

// Package tools pins golangci-lint in a module of its own, so that its many
// dependencies never enter the GovLedger module's go.mod and `make lint`
// runs exactly the pinned version on every machine.
package tools

import (
	_ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
)
