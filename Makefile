# picoclaw from source. The security checklist's "source installations" commands work as written:
#   make update-deps && make build
# Every target calls the scripts in scripts/ (which also work on their own).
#
#   make build        release binary (scripts/release-build): .build/release/picoclaw
#   make update-deps  system packages the build needs (scripts/setup; root installs them) and the Swift
#                     package pins (every dependency is pinned `exact:` in Package.swift: re-resolved, never bumped)
#   make test         the whole test suite (scripts/test)
#   make install      binary, systemd unit, tmpfiles.d link (PID file) and logrotate snippet (DESTDIR/PREFIX honoured;
#                     the unit runs $(PREFIX)/bin/picoclaw only for PREFIX=/usr/local, its default)
#   make bench        the footprint/speed suite (scripts/bench; ARGS=--quick for the short run)

PREFIX ?= /usr/local
DESTDIR ?=
BINARY ?= $(shell swift build -c release --show-bin-path)/picoclaw
ARGS ?=

.PHONY: build update-deps test install bench

build:
	scripts/release-build

update-deps:
	scripts/setup
	swift package update

test:
	scripts/test

install:
	@test -x "$(BINARY)" || { echo "make install: $(BINARY) not found; run make build first (or pass BINARY=path)" >&2; exit 1; }
	install -D -m 0755 "$(BINARY)" "$(DESTDIR)$(PREFIX)/bin/picoclaw"
	install -D -m 0644 Docs/deploy/picoclaw.service "$(DESTDIR)/etc/systemd/system/picoclaw.service"
	install -D -m 0644 Docs/deploy/picoclaw.tmpfiles "$(DESTDIR)/etc/tmpfiles.d/picoclaw.conf"
	install -D -m 0644 Docs/deploy/logrotate "$(DESTDIR)/etc/logrotate.d/picoclaw"
	@echo "installed; next: Docs/deploy.md#systemd (service user, /etc/picoclaw, systemd-tmpfiles --create picoclaw.conf, systemctl enable --now picoclaw)"

bench:
	scripts/bench $(ARGS)
