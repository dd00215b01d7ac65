package received_test

import (
	"fmt"

	"github.com/mailcheck/mailcheck/analyzer/received"
)

func ExampleParse() {
	h := received.Parse("from mail.example.org (mail.example.org [8.8.4.4]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) by mx.example.com (Postfix) with ESMTPS id 4Fj7Ht for <user@example.com>; Tue,  6 Aug 2024 16:33:49 +0000 (UTC)")
	fmt.Println(h.From.Name, h.From.IP, h.By.Name, h.With, h.Encrypted)
	fmt.Println(h.TLS.Version, h.TLS.Cipher, h.TLS.Bits)
	fmt.Println(h.Date.UTC())
	// Output:
	// mail.example.org 8.8.4.4 mx.example.com ESMTPS true
	// TLSv1.3 TLS_AES_256_GCM_SHA384 256
	// 2024-08-06 16:33:49 +0000 UTC
}

func ExampleTrace() {
	p := received.Trace([]string{ // newest first, as in the header
		"from mx.example.com (mx.example.com [10.0.0.5]) by imap.example.com with LMTP; Mon, 1 Jan 2024 10:00:05 +0000",
		"from out.sender.example (out.sender.example [8.8.8.8]) by mx.example.com with ESMTPS; Mon, 1 Jan 2024 10:00:02 +0000",
	}, received.Options{})
	for _, h := range p.Hops {
		fmt.Println(h.Index, h.From.IP, h.Delay != nil)
	}
	fmt.Println(*p.TotalSeconds, p.FirstExternal)
	fmt.Println(p.FirstExternalReason)
	// Output:
	// 1 8.8.8.8 false
	// 2 10.0.0.5 true
	// 3 1
	// Hop 1 is the newest hop whose client, out.sender.example [8.8.8.8], is outside the receiving organisation (example.com) and not in a trusted network; newer hops are internal: hop 2 is from private or reserved address 10.0.0.5.
}
