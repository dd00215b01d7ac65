// Package keys holds the fixed DKIM signing keys of the benchmark corpus
// (see testdata/gen). They are test keys, published with the project and
// deliberately insecure for that reason: never sign real mail with them.
//
// The keys are committed rather than derived from the corpus seed because
// crypto/rsa ignores a caller's random source when it generates keys, so an
// RSA key cannot be made reproducibly from a seed; committing a small set
// keeps every generated corpus byte-identical across runs and machines.
package keys

import (
	"crypto"
	"embed"
	"fmt"

	"github.com/mailcheck/mailcheck/analyzer/dkim"
)

//go:embed *.pem
var files embed.FS

// Names lists the keys in a fixed order: three RSA-2048 keys, then two
// Ed25519 keys.
func Names() []string { return []string{"rsa1", "rsa2", "rsa3", "ed1", "ed2"} }

// Load returns the named key ("rsa1", "ed2", …).
func Load(name string) (crypto.Signer, error) {
	b, err := files.ReadFile(name + ".pem")
	if err != nil {
		return nil, fmt.Errorf("keys: no key %q: %w", name, err)
	}
	return dkim.LoadPrivateKey(b)
}
