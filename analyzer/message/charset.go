//go:build !(js && wasm)

package message

import "github.com/emersion/go-message/charset"

// charsetReader converts a named charset to UTF-8 for RFC 2047 words.
// Importing go-message/charset also sets go-message's own CharsetReader,
// which the MIME parts of bounces are decoded with.
var charsetReader = charset.Reader
