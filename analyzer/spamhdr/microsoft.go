package spamhdr

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/message"
)

// forefrontKeys explains the X-Forefront-Antispam-Report fields that
// Microsoft documents. Others are internal diagnostics.
var forefrontKeys = map[string]string{
	"ARC":  "ARC data the service recorded (AAR, AMS, AS)",
	"CAT":  "protection policy category that was applied",
	"CIP":  "connecting IP address",
	"CTRY": "country or region of the connecting IP address",
	"DIR":  "direction of the message",
	"H":    "HELO/EHLO name the connecting server gave",
	"IPV":  "IP reputation verdict",
	"LANG": "language the message appears to be written in",
	"PCL":  "phishing confidence level",
	"PTR":  "reverse DNS (PTR) name of the connecting IP address",
	"SCL":  "spam confidence level",
	"SFS":  "spam filtering rules that matched (internal rule numbers)",
	"SFTY": "safety tip shown because the message looks like phishing",
	"SFV":  "spam filtering verdict",
	"SRV":  "bulk mail status",
	"SFP":  "internal spam filtering data",
	"SRVR": "the filtering server",
	"SPF":  "SPF result the service recorded",
	"MLV":  "internal machine-learning verdict",
	"EFV":  "internal IP reputation data",
	"BCL":  "bulk complaint level",
	"FPR":  "internal filtering data",
	"MX":   "whether the sending domain has MX records (1 = yes)",
	"A":    "whether the sending domain has A records (1 = yes)",
	"OFR":  "internal outbound filtering data",
}

var sfvValues = map[string]string{
	"BLK":  "filtering was skipped and the message blocked: the sender is on the recipient's Blocked Senders list",
	"NSPM": "filtering found the message is not spam",
	"SFE":  "filtering was skipped: the sender is on the recipient's Safe Senders list",
	"SKA":  "filtering was skipped: the sender or domain is on the anti-spam policy's allow list",
	"SKB":  "marked spam: the sender or domain is on the anti-spam policy's block list",
	"SKI":  "filtering was skipped for another reason, such as mail inside one organisation",
	"SKN":  "marked not spam before filtering, for example by a mail flow rule",
	"SKQ":  "released from quarantine to the recipients",
	"SKS":  "marked spam before filtering, for example by a mail flow rule",
	"SPM":  "filtering marked it spam",
}

// sfvSpam says which SFV values amount to a spam verdict.
var sfvSpam = map[string]bool{
	"BLK": true, "SKB": true, "SKS": true, "SPM": true,
	"NSPM": false, "SFE": false, "SKA": false, "SKI": false, "SKN": false, "SKQ": false,
}

var catValues = map[string]string{
	"AMP":    "anti-malware",
	"BIMP":   "brand impersonation",
	"BULK":   "bulk mail",
	"DIMP":   "domain impersonation",
	"FTBP":   "blocked file type (common attachments filter)",
	"GIMP":   "impersonation learned from mailbox intelligence",
	"HPHSH":  "high confidence phishing",
	"HPHISH": "high confidence phishing",
	"HSPM":   "high confidence spam",
	"INTOS":  "phishing from inside the organisation",
	"MALW":   "malware",
	"NONE":   "no protection policy applied",
	"OSPM":   "outbound spam",
	"PHSH":   "phishing",
	"SAP":    "Safe Attachments",
	"SPM":    "spam",
	"SPOOF":  "spoofing",
	"UIMP":   "user impersonation",
}

var ipvValues = map[string]string{
	"CAL": "filtering was skipped: the source IP is on the connection filter's IP Allow List",
	"NLI": "the IP address is not on any reputation list",
}

var dirValues = map[string]string{
	"INB": "inbound",
	"OUT": "outbound",
	"INT": "within the organisation",
}

var sftyValues = map[string]string{
	"9.19": "domain impersonation: the sending domain imitates a protected domain",
	"9.20": "user impersonation: the sender imitates a user in the recipient's organisation or a protected user",
}

// sclMeaning explains a spam confidence level. Microsoft uses -1, 0-1, 5-6
// and 9; the others are explained by the band they fall in.
func sclMeaning(n int) string {
	switch {
	case n == -1:
		return "filtering was skipped: the sender is trusted (allow list, safe sender or internal mail)"
	case n >= 0 && n <= 1:
		return "filtering found the message is not spam"
	case n >= 2 && n <= 4:
		return "below the spam band; treated as not spam"
	case n >= 5 && n <= 6:
		return "filtering marked the message as spam"
	case n >= 7 && n <= 8:
		return "above the spam band; treated as spam"
	case n == 9:
		return "filtering marked the message as high confidence spam"
	}
	return "outside the -1 to 9 range"
}

// sclThreshold is the SCL from which Microsoft treats a message as spam.
const sclThreshold = 5

func bclMeaning(n int) string {
	switch {
	case n == 0:
		return "not from a bulk sender"
	case n >= 1 && n <= 3:
		return "from a bulk sender that draws few complaints"
	case n >= 4 && n <= 7:
		return "from a bulk sender that draws a mixed number of complaints"
	case n >= 8 && n <= 9:
		return "from a bulk sender that draws many complaints"
	}
	return "outside the 0 to 9 range"
}

func pclMeaning(n int) string {
	switch {
	case n >= 0 && n <= 3:
		return "content unlikely to be phishing"
	case n >= 4 && n <= 8:
		return "content likely to be phishing"
	}
	return "outside the 0 to 8 range"
}

// splitPairs splits "K:V;K:V;…" as Microsoft writes it. Values may hold
// colons (IPv6 addresses, H:), so only the first colon separates.
func splitPairs(v string) [][2]string {
	var out [][2]string
	for _, part := range strings.Split(v, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, val, _ := strings.Cut(part, ":")
		out = append(out, [2]string{strings.TrimSpace(k), strings.TrimSpace(val)})
		if len(out) > maxFields {
			break
		}
	}
	return out
}

func decodeForefront(f *message.Field) *Verdict {
	v := &Verdict{Vendor: VendorMicrosoft}
	var sfv, cat string
	scl, haveSCL := 0, false
	for _, kv := range splitPairs(f.Value) {
		k, val := kv[0], kv[1]
		ku := strings.ToUpper(k)
		meaning, known := forefrontKeys[ku]
		if !known {
			meaning = "not documented; used by Microsoft for diagnostics"
		}
		switch ku {
		case "SFV":
			sfv = strings.ToUpper(val)
			if m, ok := sfvValues[sfv]; ok {
				meaning += ": " + m
			} else if val != "" {
				v.problem(fmt.Sprintf("unknown SFV value %q", clip(val)))
			}
		case "SCL":
			n, err := strconv.Atoi(val)
			if err != nil {
				v.problem(fmt.Sprintf("SCL %q is not a number", clip(val)))
				break
			}
			scl, haveSCL = n, true
			meaning += ": " + sclMeaning(n)
		case "CAT":
			cat = strings.ToUpper(val)
			if m, ok := catValues[cat]; ok {
				meaning += ": " + m
			} else if val != "" {
				v.problem(fmt.Sprintf("unknown CAT value %q", clip(val)))
			}
		case "IPV":
			if m, ok := ipvValues[strings.ToUpper(val)]; ok {
				meaning += ": " + m
			}
		case "DIR":
			if m, ok := dirValues[strings.ToUpper(val)]; ok {
				meaning += ": " + m
			}
		case "SRV":
			if strings.EqualFold(val, "BULK") {
				meaning += ": identified as bulk mail (its bulk complaint level reached the policy's threshold)"
			}
		case "SFTY":
			if m, ok := sftyValues[val]; ok {
				meaning += ": " + m
			}
		case "PTR":
			if val == "" {
				meaning += ": none found"
			}
		case "PCL":
			if n, err := strconv.Atoi(val); err == nil {
				meaning += ": " + pclMeaning(n)
			}
		}
		v.field(k, val, meaning)
	}

	// The SFV word is the filter's own verdict; SCL is the fallback.
	if s, ok := sfvSpam[sfv]; ok {
		v.Spam = ptrBool(s)
	} else if haveSCL && scl >= -1 && scl <= 9 {
		v.Spam = ptrBool(scl >= sclThreshold)
	}
	if haveSCL {
		v.Score = ptrFloat(float64(scl))
		v.Threshold = ptrFloat(sclThreshold)
	}
	var parts []string
	if sfv != "" {
		if m, ok := sfvValues[sfv]; ok {
			parts = append(parts, m)
		} else {
			parts = append(parts, "verdict "+sfv)
		}
	}
	if haveSCL {
		parts = append(parts, fmt.Sprintf("SCL %d (%s)", scl, sclMeaning(scl)))
	}
	if m, ok := catValues[cat]; ok && cat != "NONE" {
		parts = append(parts, "category "+m)
	}
	if len(parts) == 0 {
		v.Summary = "Microsoft anti-spam report without a verdict"
	} else {
		v.Summary = "Microsoft: " + strings.Join(parts, "; ")
	}
	if strings.HasSuffix(strings.ToLower(f.Name), "-untrusted") {
		v.Summary += " (untrusted copy: written by another organisation's tenant or an earlier hop)"
	}
	return v
}

func decodeMicrosoftAntispam(f *message.Field) *Verdict {
	v := &Verdict{Vendor: VendorMicrosoft}
	var parts []string
	for _, kv := range splitPairs(f.Value) {
		k, val := kv[0], kv[1]
		switch strings.ToUpper(k) {
		case "BCL":
			n, err := strconv.Atoi(val)
			if err != nil {
				v.problem(fmt.Sprintf("BCL %q is not a number", clip(val)))
				v.field(k, val, "bulk complaint level")
				continue
			}
			m := bclMeaning(n)
			v.field(k, val, "bulk complaint level: "+m)
			parts = append(parts, fmt.Sprintf("BCL %d (%s)", n, m))
		case "PCL":
			n, err := strconv.Atoi(val)
			if err != nil {
				v.problem(fmt.Sprintf("PCL %q is not a number", clip(val)))
				v.field(k, val, "phishing confidence level")
				continue
			}
			m := pclMeaning(n)
			v.field(k, val, "phishing confidence level: "+m)
			parts = append(parts, fmt.Sprintf("PCL %d (%s)", n, m))
		default:
			v.field(k, val, "not documented; used by Microsoft for diagnostics")
		}
	}
	if len(parts) == 0 {
		v.Summary = "Microsoft anti-spam data without a bulk or phishing level"
	} else {
		v.Summary = "Microsoft: " + strings.Join(parts, "; ")
	}
	return v
}

func decodeOrgSCL(f *message.Field) *Verdict {
	v := &Verdict{Vendor: VendorMicrosoft}
	n, err := strconv.Atoi(strings.TrimSpace(f.Value))
	if err != nil {
		v.problem(fmt.Sprintf("SCL %q is not a number", clip(f.Value)))
		v.Summary = "Exchange spam confidence level, unreadable"
		return v
	}
	m := sclMeaning(n)
	v.field("SCL", f.Value, "spam confidence level: "+m)
	if n >= -1 && n <= 9 {
		v.Spam = ptrBool(n >= sclThreshold)
	} else {
		v.problem(fmt.Sprintf("SCL %d is outside -1 to 9", n))
	}
	v.Score, v.Threshold = ptrFloat(float64(n)), ptrFloat(sclThreshold)
	v.Summary = fmt.Sprintf("Exchange: SCL %d (%s)", n, m)
	return v
}

func decodeOrgPCL(f *message.Field) *Verdict {
	v := &Verdict{Vendor: VendorMicrosoft}
	n, err := strconv.Atoi(strings.TrimSpace(f.Value))
	if err != nil {
		v.problem(fmt.Sprintf("PCL %q is not a number", clip(f.Value)))
		v.Summary = "Exchange phishing confidence level, unreadable"
		return v
	}
	m := pclMeaning(n)
	v.field("PCL", f.Value, "phishing confidence level: "+m)
	v.Summary = fmt.Sprintf("Exchange: PCL %d (%s)", n, m)
	return v
}

// compauthReason explains a Microsoft composite authentication reason
// code. Only the first digit is meaningful outside Microsoft for most
// codes; 000, 001, 002 and 010 are explained in full.
func compauthReason(code string) string {
	if len(code) != 3 || strings.Trim(code, "0123456789") != "" {
		return "not a three-digit reason code"
	}
	switch code {
	case "000":
		return "failed explicit authentication: DMARC failed and the domain's policy is quarantine or reject"
	case "001":
		return "failed implicit authentication: the domain publishes no usable authentication records, or only weak ones (SPF ~all or ?all, DMARC p=none)"
	case "002":
		return "the organisation forbids this sender and domain pair from sending spoofed mail (an admin setting)"
	case "010":
		return "DMARC failed with a quarantine or reject policy, and the domain is one of the organisation's own accepted domains"
	}
	switch code[0] {
	case '1', '7':
		return "passed composite authentication; the last two digits are internal to Microsoft"
	case '2':
		return "soft-passed implicit authentication; the last two digits are internal to Microsoft"
	case '3':
		return "composite authentication was not checked"
	case '4', '9':
		return "composite authentication was bypassed, for example by an allow entry or a trusted connector; the last two digits are internal"
	case '5':
		return "not in Microsoft's published list of reason classes; read it by the compauth result"
	case '6':
		return "failed implicit authentication, and the domain is one of the organisation's own accepted domains"
	case '8':
		return "not in Microsoft's published list of reason classes; read it by the compauth result"
	}
	return "unknown reason class"
}

var compauthResults = map[string]string{
	"pass":     "the sender is authenticated",
	"fail":     "the sender failed authentication; the message is treated as spoofed",
	"softpass": "the sender is probably legitimate, without full authentication",
	"none":     "no composite authentication verdict",
}

// decodeCompauth reads compauth=… reason=… from an Authentication-Results
// field. It is Microsoft's verdict combining SPF, DKIM, DMARC, ARC and its
// own sender reputation; RFC 8601 §2.7 does not define it.
func decodeCompauth(f *message.Field) *Verdict {
	lower := lowerASCII(f.Value)
	// Find "compauth=" starting a resinfo (after ";" or whitespace).
	idx := -1
	for from := 0; ; {
		i := strings.Index(lower[from:], "compauth=")
		if i < 0 {
			break
		}
		i += from
		if i == 0 || strings.ContainsRune("; \t", rune(lower[i-1])) {
			idx = i
			break
		}
		from = i + 1
	}
	if idx < 0 {
		return nil
	}
	resinfo := f.Value[idx:]
	if j := strings.IndexByte(resinfo, ';'); j >= 0 {
		resinfo = resinfo[:j]
	}
	v := &Verdict{Vendor: VendorMicrosoft}
	toks := strings.Fields(resinfo)
	result := strings.ToLower(strings.TrimPrefix(strings.ToLower(toks[0]), "compauth="))
	rm, ok := compauthResults[result]
	if !ok {
		rm = "unknown result word"
		v.problem(fmt.Sprintf("compauth result %q is not pass, fail, softpass or none", clip(result)))
	}
	v.field("compauth", result, "composite authentication: "+rm)
	reason := ""
	for _, t := range toks[1:] {
		if k, val, ok := strings.Cut(t, "="); ok && strings.EqualFold(k, "reason") {
			reason = val
			v.field("reason", val, compauthReason(val))
		}
	}
	v.Summary = "Microsoft composite authentication: " + result
	if reason != "" {
		v.Summary += " (reason " + reason + ": " + compauthReason(reason) + ")"
	}
	return v
}
