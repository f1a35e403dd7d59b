# Everyday commands; each is one line so it can be run by hand too.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: run test lint fuzz bench bench-quick build release release-check screenshots

run:
	go run ./cmd/ombud serve --demo

build:
	go build -o ombud ./cmd/ombud

# Reproducible linux/amd64 and linux/arm64 archives + SHA256SUMS in dist/ (PLATFORMS=, OUT=, VERSION= to change).
release:
	bash scripts/release.sh

# Builds this platform's release twice and checks the bytes are identical (minutes when cold).
release-check:
	bash scripts/release-check.sh

# The browser journeys that take the pictures in docs/screenshots (SQLite runs only).
screenshots:
	OMBUD_SCREENSHOTS=1 go test ./internal/app/journey/ -count=1 -run 'TestBrowser(Availability|DeliveryFailed|MacroEdited|Merge|Nav|NewTicket|Schedule|Search|TicketFields)$$'

test:
	bash scripts/test.sh

lint:
	test -z "$$(gofmt -l .)" || (gofmt -l . && exit 1)
	go vet ./...
	go run $(STATICCHECK) ./...

fuzz:
	go test ./internal/search/ -run '^$$' -fuzz FuzzParse -fuzztime 30s
	go test ./internal/web/httpx/ -run '^$$' -fuzz FuzzDecodeJSON -fuzztime 30s
	go test ./internal/web/httpx/ -run '^$$' -fuzz FuzzParseQuery -fuzztime 30s
	go test ./internal/textcheck/ -run '^$$' -fuzz FuzzClean -fuzztime 30s
	go test ./internal/richtext/ -run '^$$' -fuzz FuzzSanitize -fuzztime 30s
	go test ./internal/customer/ -run '^$$' -fuzz FuzzNormalizeIdentity -fuzztime 30s
	go test ./internal/db/ -run '^$$' -fuzz FuzzTextAddresses -fuzztime 30s
	go test ./internal/ticket/ -run '^$$' -fuzz FuzzUnpack -fuzztime 30s
	go test ./internal/auth/ -run '^$$' -fuzz FuzzVerifyPassword -fuzztime 30s
	go test ./internal/auth/ -run '^$$' -fuzz FuzzPasskeyAnswer -fuzztime 30s
	go test ./internal/channel/email/message/ -run '^$$' -fuzz FuzzParse -fuzztime 30s
	go test ./internal/channel/email/message/ -run '^$$' -fuzz FuzzExtractReply -fuzztime 30s
	go test ./internal/channel/email/message/ -run '^$$' -fuzz FuzzHTML -fuzztime 30s
	go test ./internal/channel/email/mailauth/ -run '^$$' -fuzz FuzzVerify -fuzztime 30s
	go test ./internal/sla/ -run '^$$' -fuzz FuzzCalendar -fuzztime 30s
	go test ./internal/automation/ -run '^$$' -fuzz FuzzConditions -fuzztime 30s

bench:
	go test ./bench/ -run '^$$' -bench Load -benchtime 1x -timeout 60m | tee docs/benchmarks-latest.txt

# A regression guard in a few minutes: the same suite at reduced sizes (50,000 seeded tickets, 3 s per
# operation, 16 clients, an import of 10,000 demo tickets), the same tables as the full run (docs/benchmarks.md).
bench-quick:
	OMBUD_BENCH_TICKETS=50000 OMBUD_BENCH_SECONDS=3 OMBUD_BENCH_CLIENTS=16 OMBUD_BENCH_IMPORT_TICKETS=10000 go test ./bench/ -run '^$$' -bench 'Load|Import' -benchtime 1x -timeout 30m | tee docs/benchmarks-quick.txt
