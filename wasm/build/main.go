// Command build assembles the browser face of mailcheck into site/ at the
// repository root (git-ignored):
//
//	go run ./wasm/build [-out DIR]
//
// It compiles ./wasm with GOOS=js GOARCH=wasm, copies the toolchain's
// wasm_exec.js and the page from wasm/site, and writes a .gz next to each
// file. Serve the result with `mailcheck serve`.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/mailcheck/mailcheck/wasm/internal/sitebuild"
)

func main() {
	out := flag.String("out", "", "output `folder` (default: site/ at the repository root)")
	flag.Parse()
	res, err := sitebuild.Build(context.Background(), sitebuild.Options{Out: *out})
	if err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		os.Exit(1)
	}
	fmt.Printf("built %s: %d files; %s %d bytes, %d gzip\n", res.Out, len(res.Files), sitebuild.WasmName, res.WasmBytes, res.WasmGzipBytes)
}
