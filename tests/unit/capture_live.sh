#!/bin/sh
# Runs tests/unit/capture_live (packet capture of our own packets and the
# ICMP errors about them) in a network namespace of its own: its burst of
# ICMP port unreachables must neither be rate-limited by nor starve the
# other tests running in parallel.
here=$(dirname "$0")
exec "$here/../own-netns" "${abs_top_builddir:-.}/tests/unit/capture_live"
