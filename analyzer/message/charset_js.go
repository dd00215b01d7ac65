//go:build js && wasm

package message

import (
	"bytes"
	"fmt"
	"io"
	"syscall/js"

	gomessage "github.com/emersion/go-message"
)

// In the browser, charsets are converted by its own TextDecoder, which
// knows every charset the WHATWG Encoding standard names, instead of
// linking golang.org/x/text's tables into the WebAssembly binary.
func init() { gomessage.CharsetReader = charsetReader }

// maxCharsetInput bounds one conversion: header words and the text parts
// of a bounce are small, and go-message bounds the parts it decodes.
const maxCharsetInput = 32 << 20

func charsetReader(label string, input io.Reader) (r io.Reader, err error) {
	data, err := io.ReadAll(io.LimitReader(input, maxCharsetInput))
	if err != nil {
		return nil, err
	}
	defer func() {
		// new TextDecoder throws a RangeError for an unknown label.
		if v := recover(); v != nil {
			r, err = nil, fmt.Errorf("message: unknown charset %q", label)
		}
	}()
	decoder := js.Global().Get("TextDecoder").New(label)
	buf := js.Global().Get("Uint8Array").New(len(data))
	js.CopyBytesToJS(buf, data)
	text := decoder.Call("decode", buf).String()
	return bytes.NewReader([]byte(text)), nil
}
