package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// sysInfo describes the machine and the software measured.
type sysInfo struct {
	CPU, Kernel, Libxdp, Libbpf, Xdpkit, Go, Rust, Python, CC string
	Cores                                                     int
}

func collectSysInfo(root string) sysInfo {
	var s sysInfo
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		s.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" && s.CPU == "" {
				s.CPU = strings.TrimSpace(v)
			}
		}
		f.Close()
	}
	s.Cores = runtime.NumCPU()
	s.Libxdp = pkgVersion("libxdp", "libxdp1")
	s.Libbpf = pkgVersion("libbpf", "libbpf1")
	if b, err := os.ReadFile(filepath.Join(root, "include", "xdpkit.h")); err == nil {
		v := map[string]string{}
		for _, m := range regexp.MustCompile(`#define XDPKIT_VERSION_(MAJOR|MINOR|PATCH) (\d+)`).FindAllStringSubmatch(string(b), -1) {
			v[m[1]] = m[2]
		}
		s.Xdpkit = v["MAJOR"] + "." + v["MINOR"] + "." + v["PATCH"]
	}
	s.Go = runtime.Version()
	s.Rust = firstLine("rustc", "--version")
	if s.Rust == "" {
		if home, err := os.UserHomeDir(); err == nil {
			s.Rust = firstLine(filepath.Join(home, ".cargo", "bin", "rustc"), "--version")
		}
	}
	s.Python = firstLine("python3", "--version")
	s.CC = firstLine("cc", "--version")
	return s
}

// pkgVersion asks pkg-config, then dpkg; "not installed" when neither knows.
func pkgVersion(pc, deb string) string {
	if v := firstLine("pkg-config", "--modversion", pc); v != "" {
		if d := firstLine("dpkg-query", "-W", "-f=${Version}", deb); d != "" {
			return v + " (Debian " + d + ")"
		}
		return v
	}
	if d := firstLine("dpkg-query", "-W", "-f=${Version}", deb); d != "" {
		return d
	}
	return "not installed"
}

func firstLine(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
}
