//go:build ignore

// gen writes the bundled sample message, signed with the test keys beside it,
// and prints the key records for the zone file. Run from the repository root:
//
//	go run testdata/sample/gen.go
//
// The keys are test keys published with the project; never use them for mail.
package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"log"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/testdata/gen/corpus"
)

const dir = "testdata/sample/"

func main() {
	rsaKey := loadOrCreateRSA(dir + "sel2026.rsa.pem")
	edKey := loadOrCreateEd25519(dir + "ed2026.ed25519.pem")

	unsigned := strings.ReplaceAll(`From: Alice Example <alice@example.com>
To: Bob <bob@example.net>
Subject: Quarterly report
Date: Mon, 30 Nov 2026 09:14:01 +0000
Message-ID: <20261130091401.4XyZ1@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Hi Bob,

the quarterly report is attached to the ticket. Numbers are up 4%.

Regards,
Alice
`, "\n", "\r\n")

	// Signed as of the submission time, with no expiry, so the sample
	// verifies on any later day.
	signedAt := time.Date(2026, 11, 30, 9, 14, 1, 0, time.UTC)
	head, body, _ := strings.Cut(unsigned, "\r\n\r\n")
	head += "\r\n"
	rsaSig, err := corpus.Sign([]byte(head), []byte(body), "example.com", "sel2026", rsaKey, "relaxed", signedAt)
	if err != nil {
		log.Fatal(err)
	}
	edSig, err := corpus.Sign([]byte(head), []byte(body), "example.com", "ed2026", edKey, "relaxed", signedAt)
	if err != nil {
		log.Fatal(err)
	}
	signed := string(edSig) + string(rsaSig) + unsigned
	b := signatureB(string(rsaSig))

	// Trace fields are added after signing, newest on top, as MTAs do.
	trace := strings.ReplaceAll(`Return-Path: <bounces+4XyZ1@mail.example.com>
Delivered-To: bob@example.net
Received: from filter.example.net (localhost [127.0.0.1])
	by imap.example.net (Dovecot) with LMTP id 8Jk2LmQ
	for <bob@example.net>; Mon, 30 Nov 2026 09:14:09 +0000
Received: from mx1.example.net (mx1.example.net [198.51.100.10])
	by filter.example.net (amavisd-new, port 10024) with ESMTP id 6Hn1c
	for <bob@example.net>; Mon, 30 Nov 2026 09:14:07 +0000
Authentication-Results: mx1.example.net;
	spf=pass smtp.mailfrom=mail.example.com;
	dkim=pass header.d=example.com header.s=sel2026 header.b=REPLACEB;
	dmarc=pass (p=reject) header.from=example.com
Received-SPF: Pass (mx1.example.net: domain of bounces+4XyZ1@mail.example.com designates 192.0.2.25 as permitted sender) client-ip=192.0.2.25; envelope-from="bounces+4XyZ1@mail.example.com"; helo=out1.mail.example.com; receiver=mx1.example.net; identity=mailfrom
Received: from out1.mail.example.com (out1.mail.example.com [192.0.2.25])
	(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
	 key-exchange X25519 server-signature RSA-PSS (2048 bits))
	(No client certificate requested)
	by mx1.example.net (Postfix) with ESMTPS id 4XyZ9ABC
	for <bob@example.net>; Mon, 30 Nov 2026 09:14:05 +0000
Received: from submit.example.com (submit.example.com [10.1.2.10])
	(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))
	by out1.mail.example.com (Postfix) with ESMTPS id 4XyZ2
	for <bob@example.net>; Mon, 30 Nov 2026 09:14:03 +0000
Received: from [10.1.2.3] (unknown [10.1.2.3])
	(Authenticated sender: alice@example.com)
	by submit.example.com (Postfix) with ESMTPSA id 4XyZ1
	for <bob@example.net>; Mon, 30 Nov 2026 09:14:02 +0000
`, "\n", "\r\n")
	trace = strings.Replace(trace, "REPLACEB", b[:12], 1)
	if err := os.WriteFile(dir+"welcome.eml", []byte(trace+signed), 0o644); err != nil {
		log.Fatal(err)
	}

	der, _ := x509.MarshalPKIXPublicKey(rsaKey.Public())
	fmt.Printf("sel2026._domainkey.example.com. TXT \"v=DKIM1; k=rsa; p=%s\"\n", base64.StdEncoding.EncodeToString(der))
	fmt.Printf("ed2026._domainkey.example.com. TXT \"v=DKIM1; k=ed25519; p=%s\"\n", base64.StdEncoding.EncodeToString(edKey.Public().(ed25519.PublicKey)))
}

// signatureB returns the b= value of one DKIM-Signature field, unfolded.
func signatureB(field string) string {
	field = strings.NewReplacer("\r\n ", "", "\r\n\t", "", "\r\n", "").Replace(field)
	m := regexp.MustCompile(`(?:^|;)\s*b=([^;]*)`).FindStringSubmatch(field)
	return strings.Join(strings.Fields(m[1]), "")
}

func loadOrCreateRSA(path string) *rsa.PrivateKey {
	if b, err := os.ReadFile(path); err == nil {
		blk, _ := pem.Decode(b)
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			log.Fatal(err)
		}
		return k.(*rsa.PrivateKey)
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		log.Fatal(err)
	}
	writeKey(path, k)
	return k
}

func loadOrCreateEd25519(path string) ed25519.PrivateKey {
	if b, err := os.ReadFile(path); err == nil {
		blk, _ := pem.Decode(b)
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			log.Fatal(err)
		}
		return k.(ed25519.PrivateKey)
	}
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	writeKey(path, k)
	return k
}

func writeKey(path string, k any) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o644); err != nil {
		log.Fatal(err)
	}
}
