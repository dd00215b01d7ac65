package received

import (
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"
)

var monthNames = map[string]time.Month{
	"jan": time.January, "feb": time.February, "mar": time.March, "apr": time.April,
	"may": time.May, "jun": time.June, "jul": time.July, "aug": time.August,
	"sep": time.September, "oct": time.October, "nov": time.November, "dec": time.December,
}

var dayNames = map[string]bool{"mon": true, "tue": true, "wed": true, "thu": true, "fri": true, "sat": true, "sun": true}

// zoneNames maps the zone names RFC 5322 §4.3 defines (obs-zone) and a few
// unambiguous ones that real MTAs write to their offsets in seconds. Names
// are resolved here, never by the time package, whose answer depends on the
// machine's local zone.
var zoneNames = map[string]int{
	"UT": 0, "UTC": 0, "GMT": 0, "Z": 0,
	"EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600,
	"MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600,
	"WET": 0, "WEST": 3600, "BST": 3600, "CET": 3600, "CEST": 2 * 3600,
	"MET": 3600, "MEST": 2 * 3600, "EET": 2 * 3600, "EEST": 3 * 3600,
	"MSK": 3 * 3600, "JST": 9 * 3600, "KST": 9 * 3600, "HKT": 8 * 3600,
	"AEST": 10 * 3600, "AEDT": 11 * 3600, "NZST": 12 * 3600, "NZDT": 13 * 3600,
	"AKST": -9 * 3600, "AKDT": -8 * 3600, "HST": -10 * 3600,
}

// monthOf returns the month a word names ("Apr", "april", "APR."), 0 if none.
func monthOf(w string) time.Month {
	w = strings.ToLower(strings.TrimRight(w, ".,"))
	if len(w) < 3 {
		return 0
	}
	m := monthNames[w[:3]]
	if m == 0 || (len(w) > 3 && !strings.HasPrefix(strings.ToLower(time.Month(m).String()), w)) {
		return 0
	}
	return m
}

func isDayName(w string) bool {
	w = strings.ToLower(strings.TrimRight(w, ".,"))
	if len(w) < 3 || !dayNames[w[:3]] {
		return false
	}
	return len(w) == 3 || strings.HasSuffix(w, "day")
}

// looksLikeDateStart reports whether the words at toks[i:] start a date:
// a day name, a day number followed by a month name, or an ISO 8601 date.
// It is used only when the field has no ";" before its date.
func looksLikeDateStart(toks []token, i int) bool {
	w := toks[i].text
	if isDayName(w) {
		return true
	}
	if isISODate(w) {
		return true
	}
	if n := len(w); n >= 1 && n <= 2 && isAllDigits(w) {
		// The next word, comments skipped, must name a month.
		for _, t := range toks[i+1:] {
			if t.kind == tokWord {
				return monthOf(t.text) != 0
			}
			if t.kind != tokComment {
				return false
			}
		}
	}
	return false
}

func isISODate(w string) bool {
	if len(w) < 10 || w[4] != '-' || w[7] != '-' {
		return false
	}
	return isAllDigits(w[:4]) && isAllDigits(w[5:7]) && isAllDigits(w[8:10])
}

func isAllDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseDate parses a Received date-time. It tries net/mail.ParseDate (RFC
// 5322 §3.3 and most of §4.3) first, then a lenient reader for what real
// MTAs write: fractional seconds, ISO dates, zone names, missing zones,
// missing day names, odd spacing. afterSemicolon allows a date without a
// time of day (midnight), since the grammar puts a date there.
func parseDate(s string, afterSemicolon bool) (time.Time, []string) {
	if t, ok := commonDate(s); ok {
		return t, nil
	}
	if hasNumericZone(s) {
		if t, err := mail.ParseDate(s); err == nil {
			// Pin the zone to the stated offset: time.Parse may pick the
			// machine's local zone when the offsets agree.
			_, off := t.Zone()
			return t.In(time.FixedZone("", off)), nil
		}
	}
	t, probs, ok := lenientDate(s, afterSemicolon)
	if !ok {
		return time.Time{}, []string{fmt.Sprintf("unparseable date %q", s)}
	}
	return t, probs
}

// commonDate parses the form nearly every MTA writes, "[Mon, ]2 Jan 2006
// 15:04:05 -0700" with an optional trailing comment such as "(UTC)", and
// only calls time.Parse when the shape fits: net/mail tries its layouts one
// by one and allocates an error for each miss, which dominated the cost of
// a Received field.
func commonDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '('); i > 0 && strings.HasSuffix(s, ")") && strings.Count(s, "(") == 1 {
		s = strings.TrimSpace(s[:i])
	}
	n := len(s)
	if n < 20 || s[n-6] != ' ' || (s[n-5] != '+' && s[n-5] != '-') || !isAllDigits(s[n-4:]) {
		return time.Time{}, false
	}
	layout := "2 Jan 2006 15:04:05 -0700"
	if s[3] == ',' {
		layout = "Mon, 2 Jan 2006 15:04:05 -0700"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, false
	}
	// Pin the zone to the stated offset: time.Parse may pick the machine's
	// local zone when the offsets agree.
	_, off := t.Zone()
	return t.In(fixedZone(off)), true
}

// fixedZone returns a shared *time.Location for a UTC offset in seconds,
// so parsing thousands of dates does not build thousands of zones.
func fixedZone(off int) *time.Location {
	if loc, ok := zones.Load(off); ok {
		return loc.(*time.Location)
	}
	loc, _ := zones.LoadOrStore(off, time.FixedZone("", off))
	return loc.(*time.Location)
}

var zones sync.Map // UTC offset in seconds → *time.Location

// hasNumericZone reports whether s has a word of the form +hhmm or -hhmm.
func hasNumericZone(s string) bool {
	for i := 0; i+5 <= len(s); i++ {
		if (s[i] == '+' || s[i] == '-') && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t') &&
			isAllDigits(s[i+1:i+5]) && (i+5 == len(s) || s[i+5] == ' ' || s[i+5] == '\t') {
			return true
		}
	}
	return false
}

func lenientDate(s string, allowNoTime bool) (time.Time, []string, bool) {
	var probs []string
	// Comments: a zone name in one ("(PDT)", "(UTC)") is used when the
	// date states no zone of its own.
	var b, comment strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '(':
			depth++
			b.WriteByte(' ')
			comment.WriteByte(' ')
		case c == ')' && depth > 0:
			depth--
			b.WriteByte(' ')
			comment.WriteByte(' ')
		case depth > 0:
			comment.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	words := strings.FieldsFunc(b.String(), func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == '\r' || r == '\n' })
	var (
		day, year        = -1, -1
		month            time.Month
		hh, mm, ss, nsec = -1, 0, 0, 0
		zoneSet          bool
		off              int
		yearDigits       int
	)
	for _, w := range words {
		switch {
		case isDayName(w):
		case monthOf(w) != 0 && month == 0:
			month = monthOf(w)
		case isISODate(w) && year < 0:
			year, month, day = atoi(w[:4]), time.Month(atoi(w[5:7])), atoi(w[8:10])
			yearDigits = 4
			if rest := w[10:]; len(rest) > 1 && (rest[0] == 'T' || rest[0] == 't') {
				if !parseClock(rest[1:], &hh, &mm, &ss, &nsec, &zoneSet, &off) {
					return time.Time{}, nil, false
				}
			}
		case strings.IndexByte(w, ':') > 0 && w[0] >= '0' && w[0] <= '9' && hh < 0:
			if !parseClock(w, &hh, &mm, &ss, &nsec, &zoneSet, &off) {
				return time.Time{}, nil, false
			}
		case (w[0] == '+' || w[0] == '-') && len(w) > 1 && !zoneSet:
			o, ok := parseOffset(w)
			if !ok {
				return time.Time{}, nil, false
			}
			zoneSet, off = true, o
		case isAllDigits(w):
			switch {
			case day < 0 && len(w) <= 2:
				day = atoi(w)
			case year < 0 && len(w) <= 4:
				year, yearDigits = atoi(w), len(w)
			default:
				return time.Time{}, nil, false
			}
		default:
			if o, ok := zoneNames[strings.ToUpper(w)]; ok {
				if !zoneSet {
					zoneSet, off = true, o
				}
				continue
			}
			if len(w) == 1 && isLetter(w[0]) && !zoneSet {
				// RFC 5322 §4.3: military zones are too often wrong to
				// trust and SHOULD be treated as "-0000".
				zoneSet = true
				probs = append(probs, fmt.Sprintf("military time zone %q treated as UTC (RFC 5322 §4.3)", w))
				continue
			}
			return time.Time{}, nil, false
		}
	}
	if !zoneSet {
		for _, w := range strings.Fields(comment.String()) {
			if o, ok := zoneNames[strings.ToUpper(w)]; ok {
				zoneSet, off = true, o
				break
			}
		}
	}
	if day < 1 || month == 0 || year < 0 {
		return time.Time{}, nil, false
	}
	switch yearDigits {
	case 1, 2:
		// RFC 5322 §4.3: two-digit years 00-49 are 2000-2049, 50-99 are 1950-1999.
		if year < 50 {
			year += 2000
		} else {
			year += 1900
		}
		probs = append(probs, "two-digit year (RFC 5322 §4.3)")
	case 3:
		year += 1900 // RFC 5322 §4.3: three-digit years add 1900
		probs = append(probs, "three-digit year (RFC 5322 §4.3)")
	}
	if month < 1 || month > 12 || day > daysIn(month, year) {
		return time.Time{}, nil, false
	}
	if hh < 0 {
		if !allowNoTime {
			return time.Time{}, nil, false
		}
		hh = 0
		probs = append(probs, "date has no time of day; midnight assumed")
	}
	if !zoneSet {
		probs = append(probs, "date has no time zone; UTC assumed")
	}
	if ss == 60 { // leap second
		ss = 59
	}
	return time.Date(year, month, day, hh, mm, ss, nsec, time.FixedZone("", off)), probs, true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parseClock reads hh:mm[:ss[.frac]] with an optional trailing "Z" or
// numeric offset (ISO 8601).
func parseClock(w string, hh, mm, ss, nsec *int, zoneSet *bool, off *int) bool {
	if i := strings.IndexAny(w, "Zz+-"); i > 0 {
		z := w[i:]
		w = w[:i]
		if z == "Z" || z == "z" {
			*zoneSet, *off = true, 0
		} else {
			o, ok := parseOffset(z)
			if !ok {
				return false
			}
			*zoneSet, *off = true, o
		}
	}
	frac := ""
	if i := strings.IndexByte(w, '.'); i >= 0 {
		w, frac = w[:i], w[i+1:]
		if !isAllDigits(frac) {
			return false
		}
	}
	parts := strings.Split(w, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	for _, p := range parts {
		if len(p) < 1 || len(p) > 2 || !isAllDigits(p) {
			return false
		}
	}
	*hh, *mm = atoi(parts[0]), atoi(parts[1])
	if len(parts) == 3 {
		*ss = atoi(parts[2])
	}
	if *hh > 23 || *mm > 59 || *ss > 60 {
		return false
	}
	if frac != "" {
		if len(frac) > 9 {
			frac = frac[:9]
		}
		n := atoi(frac)
		for i := len(frac); i < 9; i++ {
			n *= 10
		}
		*nsec = n
	}
	return true
}

// parseOffset reads +hhmm, +hh:mm or +hh.
func parseOffset(z string) (int, bool) {
	sign := 1
	if z[0] == '-' {
		sign = -1
	}
	d := strings.ReplaceAll(z[1:], ":", "")
	if !isAllDigits(d) || (len(d) != 4 && len(d) != 2) {
		return 0, false
	}
	h, m := atoi(d[:2]), 0
	if len(d) == 4 {
		m = atoi(d[2:])
	}
	if h > 23 || m > 59 {
		return 0, false
	}
	return sign * (h*3600 + m*60), true
}
