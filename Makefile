# GovLedger. `make help` lists the targets.
SHELL := bash
GO    ?= go
STATE ?= $(CURDIR)/.state
GOVNET = $(GO) run ./test-network/cmd/govnet -state $(STATE)
UNIT_PKGS = ./...

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

.PHONY: fabric-binaries
fabric-binaries: ## build the pinned Fabric binaries into .cache/ (only when the pin changes)
	$(GO) run ./test-network/cmd/govnet binaries

.PHONY: run
run: ## the network plus one HTTP gateway per organisation (8080-8085), then how to call them
	$(GOVNET) run

.PHONY: network-up
network-up: ## bring the consortium up on 127.0.0.1 (idempotent)
	$(GOVNET) up

.PHONY: network-down
network-down: ## stop every process by its PID and remove the state folder
	$(GOVNET) down

.PHONY: network-stop
network-stop: ## stop every process, keep ledgers and keys for the next network-up
	$(GOVNET) stop

.PHONY: network-status
network-status: ## print each process, its address, health, RSS and block height
	$(GOVNET) status

.PHONY: deploy
deploy: ## rebuild and restart chaincode servers; install/approve/commit changed definitions
	$(GOVNET) deploy

.PHONY: fmt
fmt: ## gofmt every Go file
	gofmt -w $$(git ls-files '*.go')

.PHONY: vet
vet: ## gofmt check and go vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt needed'; exit 1; }
	$(GO) vet ./...

.PHONY: lint
lint: ## golangci-lint, pinned in test-network/tools/lint and built into .cache/lint/ on first use
	@lint="$$(GO=$(GO) ./test-network/tools/lint/build.sh)" && "$$lint" run ./...

.PHONY: unit
unit: ## unit tests with the race detector
	$(GO) test -race -count=1 $(UNIT_PKGS)

.PHONY: integration
integration: ## integration tests: bring a network up from nothing in a temporary state folder, test, take it down
	$(GO) test -tags integration -count=1 -timeout 30m -v ./test-network/integration/...

.PHONY: test
test: vet lint unit integration ## everything CI runs: vet, lint, unit tests, integration tests on a real network

.PHONY: cover
cover: ## unit test coverage per package
	$(GO) test -count=1 -cover $(UNIT_PKGS)

.PHONY: bench-network
bench-network: ## network figures: startup time, idle RSS, noop throughput at 1/16/64 clients -> bench/results/network.json
	$(GO) run ./test-network/cmd/netbench

.PHONY: bench-go
bench-go: ## Go benchmarks of chaincode hot paths on the in-memory stub (ns/op, allocs/op)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 300x ./chaincode/...

.PHONY: bench
bench: ## live benchmark (<10 min): noop limit, gateway overhead, domain writes, 1k vs 100k records, peak RSS -> bench/results/latest.{json,md,png}
	$(GO) run ./test-network/cmd/bench
