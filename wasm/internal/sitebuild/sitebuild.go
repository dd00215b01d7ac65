// Package sitebuild builds the browser face of mailcheck into a folder that
// any static file server can serve: the wasm binary, the wasm_exec.js of the
// same Go toolchain, the page's files, and a gzip copy of each next to it.
// It is shared by the wasm/build command and the end-to-end test.
//
// Non-goals: minifying, fingerprinting file names, or serving; see
// wasm/server for the last.
package sitebuild

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Options configure a build. The zero value builds into ModuleRoot/site.
type Options struct {
	// Out is the output folder; empty means "site" under the module root.
	Out string
	// ModuleRoot is the mailcheck module's folder; empty means the module
	// that `go env GOMOD` names from the current directory.
	ModuleRoot string
	// Go is the go command; empty means "go" from PATH, the toolchain
	// whose wasm_exec.js is copied, so binary and glue always match.
	Go string
}

// Result describes a finished build.
type Result struct {
	Out string
	// Files are the files written, relative to Out, gzip copies excluded.
	Files []string
	// WasmBytes and WasmGzipBytes are the sizes of mailcheck.wasm and of
	// its gzip copy.
	WasmBytes, WasmGzipBytes int64
}

// WasmName is the file name of the binary in the built site.
const WasmName = "mailcheck.wasm"

// Build compiles ./wasm for js/wasm and assembles the site.
func Build(ctx context.Context, opts Options) (*Result, error) {
	goCmd := opts.Go
	if goCmd == "" {
		goCmd = "go"
	}
	root := opts.ModuleRoot
	if root == "" {
		mod, err := goEnv(ctx, goCmd, "", "GOMOD")
		if err != nil {
			return nil, err
		}
		if mod == "" || mod == os.DevNull {
			return nil, errors.New("sitebuild: not inside the mailcheck module; run from the repository")
		}
		root = filepath.Dir(mod)
	}
	out := opts.Out
	if out == "" {
		out = filepath.Join(root, "site")
	}
	out, err := filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("sitebuild: %w", err)
	}

	wasmPath := filepath.Join(out, WasmName)
	build := exec.CommandContext(ctx, goCmd, "build", "-trimpath", "-ldflags=-s -w", "-o", wasmPath, "./wasm")
	build.Dir = root
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if msg, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("sitebuild: go build ./wasm for js/wasm: %v\n%s", err, msg)
	}
	res := &Result{Out: out, Files: []string{WasmName}}

	goroot, err := goEnv(ctx, goCmd, root, "GOROOT")
	if err != nil {
		return nil, err
	}
	if err := copyFile(filepath.Join(goroot, "lib", "wasm", "wasm_exec.js"), filepath.Join(out, "wasm_exec.js")); err != nil {
		return nil, fmt.Errorf("sitebuild: wasm_exec.js of this toolchain: %w", err)
	}
	res.Files = append(res.Files, "wasm_exec.js")

	src := filepath.Join(root, "wasm", "site")
	entries, err := os.ReadDir(src)
	if err != nil {
		return nil, fmt.Errorf("sitebuild: page sources: %w", err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(out, e.Name())); err != nil {
			return nil, fmt.Errorf("sitebuild: %w", err)
		}
		res.Files = append(res.Files, e.Name())
	}

	for _, name := range res.Files {
		n, err := gzipFile(filepath.Join(out, name))
		if err != nil {
			return nil, fmt.Errorf("sitebuild: compressing %s: %w", name, err)
		}
		if name == WasmName {
			res.WasmGzipBytes = n
		}
	}
	st, err := os.Stat(wasmPath)
	if err != nil {
		return nil, err
	}
	res.WasmBytes = st.Size()
	return res, nil
}

func goEnv(ctx context.Context, goCmd, dir, name string) (string, error) {
	cmd := exec.CommandContext(ctx, goCmd, "env", name)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("sitebuild: go env %s: %w", name, err)
	}
	return strings.TrimSpace(string(out)), nil
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return writeAtomic(to, data)
}

// gzipFile writes path+".gz" at the best compression and returns its size.
// Files are compressed once here so the server never compresses per request.
func gzipFile(path string) (int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return 0, err
	}
	zw.Name = filepath.Base(path)
	if _, err := zw.Write(data); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return int64(buf.Len()), writeAtomic(path+".gz", buf.Bytes())
}

// writeAtomic replaces a file whole, so a server running meanwhile never
// sends half of one.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return err
	}
	if _, err := io.Copy(tmp, bytes.NewReader(data)); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
