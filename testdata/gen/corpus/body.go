package corpus

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
)

// words is the vocabulary of generated text. No word is "From", so no body
// line starts with "From " and mbox output needs no quoting; a few words
// are UTF-8, so 8bit bodies exercise canonicalization of non-ASCII octets.
const vocabulary = `the quarterly report invoice shipment order account meeting
agenda schedule update please find attached below regarding project budget review
team customer support ticket delivery payment confirmed pending thanks regards
kind next week tomorrow monday friday deadline draft final version numbers sales
growth forecast contract renewal subscription newsletter offer discount event
webinar registration password reset security notice policy change résumé café
naïve Grüße déjà-vu and or with for to of in on at by we you our your this that`

// paragraphs writes text of about n octets as wrapped paragraphs with CRLF
// line endings.
func paragraphs(rng *rand.Rand, n int) string {
	words := strings.Fields(vocabulary)
	var b strings.Builder
	line := 0
	for b.Len() < n {
		w := words[rng.IntN(len(words))]
		if line > 0 && line+1+len(w) > 72 {
			b.WriteString("\r\n")
			line = 0
			if rng.IntN(6) == 0 {
				b.WriteString("\r\n")
			}
		}
		if line > 0 {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(w)
		line += len(w)
	}
	b.WriteString("\r\n")
	return b.String()
}

func html(text string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\r\n<html><head><meta charset=\"utf-8\"><title>Message</title></head>\r\n<body style=\"font-family: Arial, sans-serif\">\r\n")
	for _, p := range strings.Split(strings.TrimSpace(text), "\r\n\r\n") {
		b.WriteString("<p>" + strings.ReplaceAll(p, "\r\n", "<br>\r\n") + "</p>\r\n")
	}
	b.WriteString("</body></html>\r\n")
	return b.String()
}

// body returns the MIME header fields (Content-Type and, where needed,
// Content-Transfer-Encoding, CRLF-terminated) and the body of a message.
// small keeps it under a few KB; attachment > 0 forces an attachment of
// that many octets before encoding.
func body(rng *rand.Rand, small bool, attachment int) (fields, content string) {
	textSize := 1024 + rng.IntN(5*1024)
	if small {
		textSize = 400 + rng.IntN(1200)
	}
	text := paragraphs(rng, textSize)
	r := rng.Float64()
	if attachment > 0 {
		r, small = 1, false
	}
	if r < 0.45 {
		return "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n", text
	}
	alt := fmt.Sprintf("alt_%016x", rng.Uint64())
	altPart := "--" + alt + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text +
		"--" + alt + "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + html(text) +
		"--" + alt + "--\r\n"
	if small || r < 0.80 {
		return "Content-Type: multipart/alternative; boundary=\"" + alt + "\"\r\n", altPart
	}
	// An attachment: mostly tens of KB, sometimes hundreds, rarely ~1 MB
	// once base64-encoded.
	var size int
	switch r2 := rng.Float64(); {
	case r2 < 0.70:
		size = 8<<10 + rng.IntN(56<<10)
	case r2 < 0.95:
		size = 64<<10 + rng.IntN(192<<10)
	default:
		size = 256<<10 + rng.IntN(500<<10)
	}
	if attachment > 0 {
		size = attachment
	}
	raw := make([]byte, size)
	for i := 0; i < len(raw); i += 8 {
		v := rng.Uint64()
		for k := 0; k < 8 && i+k < len(raw); k++ {
			raw[i+k] = byte(v >> (8 * k))
		}
	}
	enc := base64.StdEncoding.EncodeToString(raw)
	var att strings.Builder
	att.Grow(len(enc) + len(enc)/76*2 + 2)
	for len(enc) > 76 {
		att.WriteString(enc[:76])
		att.WriteString("\r\n")
		enc = enc[76:]
	}
	att.WriteString(enc + "\r\n")
	name := []string{"report.pdf", "invoice-2026-11.pdf", "photo.jpg", "data.xlsx", "archive.zip"}[rng.IntN(5)]
	ctype := map[string]string{".pdf": "application/pdf", ".jpg": "image/jpeg", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".zip": "application/zip"}[name[len(name)-4:]]
	mixed := fmt.Sprintf("mix_%016x", rng.Uint64())
	content = "This is a multi-part message in MIME format.\r\n\r\n" +
		"--" + mixed + "\r\nContent-Type: multipart/alternative; boundary=\"" + alt + "\"\r\n\r\n" + altPart + "\r\n" +
		"--" + mixed + "\r\nContent-Type: " + ctype + "; name=\"" + name + "\"\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		att.String() + "--" + mixed + "--\r\n"
	return "Content-Type: multipart/mixed; boundary=\"" + mixed + "\"\r\n", content
}
