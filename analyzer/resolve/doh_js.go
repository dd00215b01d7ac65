//go:build js && wasm

package resolve

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall/js"
)

// FetchTransport is the browser's [DoHTransport]: it calls the global
// fetch function, so the wasm build does not link net/http. Cancelling the
// context aborts the request through an AbortController.
type FetchTransport struct{}

func defaultDoHTransport() DoHTransport { return FetchTransport{} }

// Get fetches url asking for application/dns-message and returns the body of
// a 200 response of that media type.
func (FetchTransport) Get(ctx context.Context, url string) ([]byte, error) {
	fetch := js.Global().Get("fetch")
	if fetch.Type() != js.TypeFunction {
		return nil, errors.New("fetch is not available")
	}
	init := map[string]any{
		"method":  "GET",
		"headers": map[string]any{"accept": DoHMediaType},
		// No cookies and no referrer: the DoH server learns the names
		// asked and nothing else.
		"credentials":    "omit",
		"referrerPolicy": "no-referrer",
		"mode":           "cors",
	}
	var controller js.Value
	if ac := js.Global().Get("AbortController"); ac.Type() == js.TypeFunction {
		controller = ac.New()
		init["signal"] = controller.Get("signal")
	}
	abort := func() {
		if controller.Truthy() {
			controller.Call("abort")
		}
	}

	resp, err := await(ctx, fetch.Invoke(url, init), abort)
	if err != nil {
		return nil, err
	}
	if !resp.Get("ok").Bool() {
		return nil, fmt.Errorf("HTTP %d %s", resp.Get("status").Int(), resp.Get("statusText").String())
	}
	ct := resp.Get("headers").Call("get", "content-type")
	if ct.Type() != js.TypeString {
		return nil, fmt.Errorf("reply has no content type, not %s", DoHMediaType)
	}
	if mt, _, _ := strings.Cut(ct.String(), ";"); !strings.EqualFold(strings.TrimSpace(mt), DoHMediaType) {
		return nil, fmt.Errorf("reply has content type %q, not %s", ct.String(), DoHMediaType)
	}
	buf, err := await(ctx, resp.Call("arrayBuffer"), abort)
	if err != nil {
		return nil, err
	}
	n := buf.Get("byteLength").Int()
	if n > MaxDoHReply {
		return nil, fmt.Errorf("reply larger than %d bytes", MaxDoHReply)
	}
	body := make([]byte, n)
	js.CopyBytesToGo(body, js.Global().Get("Uint8Array").New(buf))
	return body, nil
}

// await waits for a Promise to settle or ctx to end, calling abort in the
// latter case. The callbacks release themselves when the Promise settles, so
// a Promise settling after ctx ended still finds them.
func await(ctx context.Context, promise js.Value, abort func()) (js.Value, error) {
	type settled struct {
		v   js.Value
		err error
	}
	ch := make(chan settled, 1)
	var onOK, onErr js.Func
	release := func() {
		onOK.Release()
		onErr.Release()
	}
	onOK = js.FuncOf(func(_ js.Value, args []js.Value) any {
		var v js.Value
		if len(args) > 0 {
			v = args[0]
		}
		ch <- settled{v: v}
		release()
		return nil
	})
	onErr = js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "fetch failed"
		if len(args) > 0 {
			msg = jsErrorText(args[0])
		}
		ch <- settled{err: errors.New(msg)}
		release()
		return nil
	})
	promise.Call("then", onOK, onErr)
	select {
	case s := <-ch:
		return s.v, s.err
	case <-ctx.Done():
		abort()
		return js.Value{}, ctx.Err()
	}
}

// jsErrorText renders a rejection reason: an Error's name and message, or
// the value as a string.
func jsErrorText(v js.Value) string {
	if v.Type() == js.TypeObject {
		name, msg := v.Get("name"), v.Get("message")
		if msg.Type() == js.TypeString {
			if name.Type() == js.TypeString && name.String() != "" {
				return name.String() + ": " + msg.String()
			}
			return msg.String()
		}
	}
	return js.Global().Get("String").Invoke(v).String()
}
