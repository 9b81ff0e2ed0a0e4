package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/xdpkit/xdpkit/internal/netnstest"
	"github.com/xdpkit/xdpkit/maps"
)

// newMap creates a map for the test and returns its "id:N" reference.
func newMap(t *testing.T, spec maps.Spec) (string, *maps.Map) {
	t.Helper()
	m, err := maps.Create(spec)
	netnstest.Require(t, err, fmt.Sprintf("create %s map", spec.Type))
	t.Cleanup(func() { m.Close() })
	return fmt.Sprintf("id:%d", m.Info().ID), m
}

// expect runs xdpkit and checks its exit code and that stdout holds want.
func expect(t *testing.T, code int, want string, args ...string) string {
	t.Helper()
	r := xdpkit(t, "", args...)
	if r.code != code || !strings.Contains(r.stdout, want) {
		t.Errorf("xdpkit %v: exit %d stdout %q, want exit %d and %q", args, r.code, r.stdout, code, want)
	}
	return r.stdout
}

func TestMapHash(t *testing.T) {
	name := fmt.Sprintf("xk_h%d", 100000+len(t.Name())*7919%900000)
	id, m := newMap(t, maps.Spec{Type: ebpf.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 8, Name: name})

	var rows []mapRow
	if err := json.Unmarshal([]byte(mustRun(t, "", "map", "list", "--json")), &rows); err != nil {
		t.Fatal(err)
	}
	listed := false
	for _, r := range rows {
		listed = listed || (r.ID == m.Info().ID && r.Type == "hash" && r.KeySize == 4 && r.ValueSize == 8 && r.MaxEntries == 8 && r.Name == name)
	}
	if !listed {
		t.Errorf("map list --json lacks map %s (%s)", id, name)
	}
	expect(t, 0, fmt.Sprintf("%d  hash", m.Info().ID), "map", "list")

	expect(t, 0, "", "map", "set", id, "--key", "01000000", "--u64", "42")
	expect(t, 0, "key 01000000 value 2a00000000000000 (u64 42)", "map", "get", id, "--index", "1")
	expect(t, 0, "", "map", "set", "name:"+name, "--index", "2", "--value", "07 00 00 00 00 00 00 00", "--noexist")
	r := xdpkit(t, "", "map", "set", id, "--index", "2", "--u64", "8", "--noexist")
	if r.code != exitRuntime || !strings.Contains(r.stderr, "exists") || strings.Contains(r.stderr, hintBusy) {
		t.Errorf("set --noexist on an existing key: exit %d %q", r.code, r.stderr)
	}
	var got struct {
		Key   string  `json:"key"`
		Value string  `json:"value"`
		U64   *uint64 `json:"u64"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "", "map", "get", id, "--key", "02000000", "--json")), &got); err != nil ||
		got.Key != "02000000" || got.U64 == nil || *got.U64 != 7 {
		t.Errorf("get --json: %v %+v", err, got)
	}
	dump := expect(t, 0, "key 01000000 value 2a00000000000000 (u64 42)\n", "map", "dump", id)
	if strings.Count(dump, "\n") != 2 {
		t.Errorf("dump of 2 entries: %q", dump)
	}
	var entries []map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, "", "map", "dump", id, "--json")), &entries); err != nil || len(entries) != 2 {
		t.Errorf("dump --json: %v %v", err, entries)
	}
	expect(t, 0, "", "map", "del", id, "--index", "1")
	if r := xdpkit(t, "", "map", "get", id, "--index", "1"); r.code != exitRuntime || !strings.Contains(r.stderr, "does not exist") {
		t.Errorf("get of a deleted key: exit %d %q", r.code, r.stderr)
	}
	// Usage errors.
	for _, args := range [][]string{
		{"map", "get", id},                               // no key
		{"map", "get", id, "--key", "0100"},              // wrong key size
		{"map", "get", id, "--key", "zz"},                // not hex
		{"map", "get", id, "--cpu", "1"},                 // not a CPUMAP
		{"map", "set", id, "--index", "1"},               // no value
		{"map", "set", id, "--index", "1", "--u32", "1"}, // wrong value size
		{"map", "push", id, "--u64", "1"},                // not a queue
		{"map", "set", id, "--index", "1", "--u64", "1", "--exist", "--noexist"},
	} {
		if r := xdpkit(t, "", args...); r.code != exitUsage {
			t.Errorf("xdpkit %v: exit %d, want %d", args, r.code, exitUsage)
		}
	}
	if r := xdpkit(t, "", "map", "get", "id:4294967295", "--index", "1"); r.code != exitRuntime {
		t.Errorf("get on a missing map: exit %d", r.code)
	}
}

func TestMapCPUMapDevMap(t *testing.T) {
	cpu, _ := newMap(t, maps.Spec{Type: ebpf.CPUMap, KeySize: 4, ValueSize: 8, MaxEntries: 2})
	expect(t, 0, "", "map", "set", cpu, "--cpu", "1", "--qsize", "192")
	expect(t, 0, "cpu 1 qsize 192 prog 0", "map", "get", cpu, "--cpu", "1")
	expect(t, 0, `"qsize":192`, "map", "get", cpu, "--cpu", "1", "--json")
	if out := expect(t, 0, "cpu 1 qsize 192 prog 0\n", "map", "dump", cpu); strings.Count(out, "\n") != 1 {
		t.Errorf("cpumap dump: %q", out)
	}
	if r := xdpkit(t, "", "map", "set", cpu, "--cpu", "1"); r.code != exitUsage {
		t.Errorf("cpumap set without --qsize: exit %d", r.code)
	}
	expect(t, 0, "", "map", "del", cpu, "--cpu", "1")
	expect(t, 0, "", "map", "dump", cpu)

	dev, _ := newMap(t, maps.Spec{Type: ebpf.DevMap, KeySize: 4, ValueSize: 8, MaxEntries: 4})
	expect(t, 0, "", "map", "set", dev, "--index", "2", "--ifname", "lo")
	expect(t, 0, "key 2 ifindex 1 prog 0", "map", "get", dev, "--index", "2")
	expect(t, 0, "", "map", "set", dev, "--index", "3", "--ifindex", "1")
	if out := expect(t, 0, "key 3 ifindex 1 prog 0\n", "map", "dump", dev); strings.Count(out, "\n") != 2 {
		t.Errorf("devmap dump: %q", out)
	}
}

func TestMapQueueStack(t *testing.T) {
	q, _ := newMap(t, maps.Spec{Type: ebpf.Queue, ValueSize: 4, MaxEntries: 2})
	expect(t, 0, "", "map", "push", q, "--u32", "7")
	expect(t, 0, "", "map", "push", q, "--value", "08000000")
	if r := xdpkit(t, "", "map", "push", q, "--u32", "9"); r.code != exitRuntime {
		t.Errorf("push onto a full queue: exit %d", r.code)
	}
	expect(t, 0, "", "map", "push", q, "--u32", "9", "--exist") // drops 7
	expect(t, 0, "value 08000000 (u32 8)", "map", "peek", q)
	var v valueJSON
	if err := json.Unmarshal([]byte(mustRun(t, "", "map", "pop", q, "--json")), &v); err != nil || v.U32 == nil || *v.U32 != 8 {
		t.Errorf("pop --json: %v %+v", err, v)
	}
	expect(t, 0, "value 09000000 (u32 9)", "map", "pop", q)
	if r := xdpkit(t, "", "map", "pop", q); r.code != exitRuntime || !strings.Contains(r.stderr, "empty") {
		t.Errorf("pop from an empty queue: exit %d %q", r.code, r.stderr)
	}
	if r := xdpkit(t, "", "map", "get", q, "--index", "0"); r.code != exitUsage {
		t.Errorf("get on a queue: exit %d", r.code)
	}
	if r := xdpkit(t, "", "map", "dump", q); r.code != exitUsage {
		t.Errorf("dump of a queue: exit %d", r.code)
	}

	s, _ := newMap(t, maps.Spec{Type: ebpf.Stack, ValueSize: 8, MaxEntries: 4})
	expect(t, 0, "", "map", "push", s, "--u64", "1")
	expect(t, 0, "", "map", "push", s, "--u64", "2")
	expect(t, 0, "value 0200000000000000 (u64 2)", "map", "pop", s)
	expect(t, 0, "(u64 1)", "map", "peek", s)
}

func TestMapXSKMap(t *testing.T) {
	p := newPair(t)
	ts := openTestSocket(t, p.B, p.IfB, true)
	x, _ := newMap(t, maps.Spec{Type: ebpf.XSKMap, KeySize: 4, ValueSize: 4, MaxEntries: 4})
	ref := fmt.Sprintf("%d:%d", osGetpid(), ts.sock.FD())
	expect(t, 0, "", "map", "set", x, "--queue", "0", "--xsk", ref)
	// --exist succeeds only while the entry holds a socket.
	expect(t, 0, "", "map", "set", x, "--queue", "0", "--xsk", ref, "--exist")
	expect(t, 0, "", "map", "del", x, "--queue", "0")
	if r := xdpkit(t, "", "map", "set", x, "--queue", "0", "--xsk", ref, "--exist"); r.code != exitRuntime || !strings.Contains(r.stderr, "does not exist") {
		t.Errorf("set --exist on an empty XSKMAP slot: exit %d %q", r.code, r.stderr)
	}
	expect(t, 0, "", "map", "set", x, "--queue", "0", "--xsk", ref, "--noexist")
	if r := xdpkit(t, "", "map", "dump", x); r.code != exitRuntime || !strings.Contains(r.stderr, "cannot be read") {
		t.Errorf("dump of an XSKMAP: exit %d %q", r.code, r.stderr)
	}
	if r := xdpkit(t, "", "map", "set", x, "--queue", "1", "--xsk", fmt.Sprintf("%d:0", osGetpid())); r.code != exitUsage {
		t.Errorf("set with a non-socket fd: exit %d", r.code)
	}
	if r := xdpkit(t, "", "map", "set", x, "--queue", "1"); r.code != exitUsage {
		t.Errorf("set without --xsk: exit %d", r.code)
	}
}

func osGetpid() int { return os.Getpid() }
