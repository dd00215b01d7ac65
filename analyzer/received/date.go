package received

import (
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
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
	w = trimDotsCommas(w)
	if !isASCII(w) {
		return monthOfUnicode(w)
	}
	// ASCII: the tests of monthOfUnicode without the lower-case copy.
	if len(w) < 3 {
		return 0
	}
	m := monthIndex(w[:3])
	if m == 0 || len(w) > 3 && !(len(w) <= len(m.String()) && strings.EqualFold(w[3:], m.String()[3:len(w)])) {
		return 0
	}
	return m
}

// monthOfUnicode is monthOf for a word with non-ASCII runes, some of
// which lower-case to ASCII letters.
func monthOfUnicode(w string) time.Month {
	w = strings.ToLower(w)
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
	w = trimDotsCommas(w)
	if !isASCII(w) {
		return isDayNameUnicode(w)
	}
	// ASCII: the tests of isDayNameUnicode without the lower-case copy.
	if len(w) < 3 {
		return false
	}
	return isDayAbbr(w[:3]) && (len(w) == 3 || strings.EqualFold(w[len(w)-3:], "day"))
}

// isDayNameUnicode is isDayName for a word with non-ASCII runes.
func isDayNameUnicode(w string) bool {
	w = strings.ToLower(w)
	if len(w) < 3 || !dayNames[w[:3]] {
		return false
	}
	return len(w) == 3 || strings.HasSuffix(w, "day")
}

// trimDotsCommas is strings.TrimRight(w, ".,"), by hand for speed.
func trimDotsCommas(w string) string {
	for len(w) > 0 && (w[len(w)-1] == '.' || w[len(w)-1] == ',') {
		w = w[:len(w)-1]
	}
	return w
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
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
	// net/mail's layouts all start with a day name or a one- or two-digit
	// day and a space, so a date starting with three digits (ISO 8601,
	// SendGrid) would only cost it a failed time.Parse per layout.
	if hasNumericZone(s) && !(len(s) >= 3 && isAllDigits(s[:3])) {
		if t, err := mail.ParseDate(s); err == nil {
			// Pin the zone to the stated offset: time.Parse may pick the
			// machine's local zone when the offsets agree.
			_, off := t.Zone()
			return t.In(fixedZone(off)), nil
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
	if t, ok := quickDate(s, s[3] == ','); ok {
		return t, true
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

// quickDate is time.Parse with the layout "Mon, 2 Jan 2006 15:04:05 -0700"
// (weekday true) or "2 Jan 2006 15:04:05 -0700" and commonDate's pinning
// of the zone, for speed: time.Parse interprets the layout on every call.
// It follows time.Parse's rules (runs of spaces match a space, a one- or
// two-digit day and hour, fractional seconds after the seconds, names in
// any case, fields in range); when it returns false, time.Parse decides.
func quickDate(s string, weekday bool) (time.Time, bool) {
	// spaces consumes the run of spaces a layout space matches; time.Parse
	// also accepts none at the end of the value, where the next field fails.
	spaces := func() bool {
		if s == "" || s[0] != ' ' {
			return false
		}
		for s != "" && s[0] == ' ' {
			s = s[1:]
		}
		return true
	}
	// num reads one or two digits, or exactly two.
	num := func(two bool) (int, bool) {
		if s == "" || !isDigit(s[0]) {
			return 0, false
		}
		if len(s) < 2 || !isDigit(s[1]) {
			if two {
				return 0, false
			}
			n := int(s[0] - '0')
			s = s[1:]
			return n, true
		}
		n := int(s[0]-'0')*10 + int(s[1]-'0')
		s = s[2:]
		return n, true
	}
	if weekday {
		if len(s) < 4 || !isDayAbbr(s[:3]) || s[3] != ',' {
			return time.Time{}, false
		}
		s = s[4:]
		if !spaces() {
			return time.Time{}, false
		}
	}
	day, ok := num(false)
	if !ok || !spaces() || len(s) < 3 {
		return time.Time{}, false
	}
	month := monthIndex(s[:3])
	if month == 0 {
		return time.Time{}, false
	}
	s = s[3:]
	if !spaces() || len(s) < 4 || !isAllDigits(s[:4]) {
		return time.Time{}, false
	}
	year := atoi(s[:4])
	s = s[4:]
	if !spaces() {
		return time.Time{}, false
	}
	hour, ok := num(false)
	if !ok || hour >= 24 || s == "" || s[0] != ':' {
		return time.Time{}, false
	}
	s = s[1:]
	minute, ok := num(true)
	if !ok || minute >= 60 || s == "" || s[0] != ':' {
		return time.Time{}, false
	}
	s = s[1:]
	sec, ok := num(true)
	if !ok || sec >= 60 {
		return time.Time{}, false
	}
	nsec := 0
	if len(s) >= 2 && (s[0] == '.' || s[0] == ',') && isDigit(s[1]) {
		n := 1
		for n < len(s) && isDigit(s[n]) {
			n++
		}
		digits := s[1:min(n, 10)] // time.Parse keeps nine digits
		nsec = atoi(digits)
		for i := len(digits); i < 9; i++ {
			nsec *= 10
		}
		s = s[n:]
	}
	if !spaces() || len(s) != 5 || (s[0] != '+' && s[0] != '-') || !isAllDigits(s[1:]) {
		return time.Time{}, false
	}
	zh, zm := atoi(s[1:3]), atoi(s[3:5])
	if zh > 24 || zm > 60 {
		return time.Time{}, false
	}
	off := (zh*60 + zm) * 60
	if s[0] == '-' {
		off = -off
	}
	if day < 1 || day > daysIn(month, year) {
		return time.Time{}, false
	}
	return time.Date(year, month, day, hour, minute, sec, nsec, fixedZone(off)), true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// monthIndex returns the month whose three-letter name w is in any case,
// 0 if none.
func monthIndex(w string) time.Month {
	switch fold3(w) {
	case 'j'<<16 | 'a'<<8 | 'n':
		return time.January
	case 'f'<<16 | 'e'<<8 | 'b':
		return time.February
	case 'm'<<16 | 'a'<<8 | 'r':
		return time.March
	case 'a'<<16 | 'p'<<8 | 'r':
		return time.April
	case 'm'<<16 | 'a'<<8 | 'y':
		return time.May
	case 'j'<<16 | 'u'<<8 | 'n':
		return time.June
	case 'j'<<16 | 'u'<<8 | 'l':
		return time.July
	case 'a'<<16 | 'u'<<8 | 'g':
		return time.August
	case 's'<<16 | 'e'<<8 | 'p':
		return time.September
	case 'o'<<16 | 'c'<<8 | 't':
		return time.October
	case 'n'<<16 | 'o'<<8 | 'v':
		return time.November
	case 'd'<<16 | 'e'<<8 | 'c':
		return time.December
	}
	return 0
}

// isDayAbbr reports whether w is a three-letter day name in any case.
func isDayAbbr(w string) bool {
	switch fold3(w) {
	case 'm'<<16 | 'o'<<8 | 'n', 't'<<16 | 'u'<<8 | 'e', 'w'<<16 | 'e'<<8 | 'd', 't'<<16 | 'h'<<8 | 'u',
		'f'<<16 | 'r'<<8 | 'i', 's'<<16 | 'a'<<8 | 't', 's'<<16 | 'u'<<8 | 'n':
		return true
	}
	return false
}

// fold3 packs the three bytes of w with the ASCII lower-case bit set, 0
// if w is not three bytes long: a key to compare with three lower-case
// letters, in any case, in one switch (only letters have a letter with
// the bit set, so no other byte matches). time.Parse matches names the
// same way.
func fold3(w string) uint32 {
	if len(w) != 3 {
		return 0
	}
	return uint32(w[0]|0x20)<<16 | uint32(w[1]|0x20)<<8 | uint32(w[2]|0x20)
}

// fixedZone returns a shared *time.Location for a UTC offset in seconds,
// so parsing thousands of dates does not build thousands of zones.
func fixedZone(off int) *time.Location {
	// Whole minutes within a day and an hour either way (all that dates
	// state) are cached in an array: a sync.Map boxes each int key.
	if off%60 == 0 && off > -zoneCacheMinutes*60 && off < zoneCacheMinutes*60 {
		p := &zoneCache[off/60+zoneCacheMinutes]
		if loc := p.Load(); loc != nil {
			return loc
		}
		loc := time.FixedZone("", off)
		if !p.CompareAndSwap(nil, loc) {
			loc = p.Load()
		}
		return loc
	}
	if loc, ok := zones.Load(off); ok {
		return loc.(*time.Location)
	}
	loc, _ := zones.LoadOrStore(off, time.FixedZone("", off))
	return loc.(*time.Location)
}

// zoneCacheMinutes bounds the offsets in zoneCache: time.Parse allows
// +2460.
const zoneCacheMinutes = 25 * 60

var (
	zoneCache [2*zoneCacheMinutes + 1]atomic.Pointer[time.Location] // by offset in minutes + zoneCacheMinutes
	zones     sync.Map                                              // other UTC offsets in seconds → *time.Location
)

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
	text, comments := s, ""
	if strings.IndexByte(s, '(') >= 0 {
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
		text, comments = b.String(), comment.String()
	}
	var buf [16]string
	words := splitFields(buf[:0], text, isDateSep)
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
			if o, ok := zoneOffset(w); ok {
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
		// The words of strings.Fields(comments), without the slice.
		for comments != "" {
			comments = strings.TrimLeftFunc(comments, unicode.IsSpace)
			w := comments
			if i := strings.IndexFunc(comments, unicode.IsSpace); i >= 0 {
				w, comments = comments[:i], comments[i:]
			} else {
				comments = ""
			}
			if w == "" {
				break
			}
			if o, ok := zoneOffset(w); ok {
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
	return time.Date(year, month, day, hh, mm, ss, nsec, fixedZone(off)), probs, true
}

func isDateSep(c byte) bool { return c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n' }

// zoneOffset looks up zoneNames[strings.ToUpper(w)], upper-casing ASCII
// words into a stack array instead of a new string.
func zoneOffset(w string) (int, bool) {
	if !isASCII(w) {
		o, ok := zoneNames[strings.ToUpper(w)]
		return o, ok
	}
	var u [4]byte // the longest name has four letters
	if len(w) > len(u) {
		return 0, false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		u[i] = c
	}
	o, ok := zoneNames[string(u[:len(w)])]
	return o, ok
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
	if m == time.February {
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return daysPerMonth[m]
}

var daysPerMonth = [...]int{time.January: 31, time.March: 31, time.April: 30, time.May: 31, time.June: 30,
	time.July: 31, time.August: 31, time.September: 30, time.October: 31, time.November: 30, time.December: 31}

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
	// The two or three parts of strings.Split(w, ":"), without the slice.
	h, rest, ok := strings.Cut(w, ":")
	if !ok {
		return false
	}
	m, sec, three := strings.Cut(rest, ":")
	if three && strings.IndexByte(sec, ':') >= 0 {
		return false
	}
	if !isClockPart(h) || !isClockPart(m) || three && !isClockPart(sec) {
		return false
	}
	*hh, *mm = atoi(h), atoi(m)
	if three {
		*ss = atoi(sec)
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

// isClockPart reports whether p has one or two digits.
func isClockPart(p string) bool { return len(p) >= 1 && len(p) <= 2 && isAllDigits(p) }

// parseOffset reads +hhmm, +hh:mm or +hh.
func parseOffset(z string) (int, bool) {
	sign := 1
	if z[0] == '-' {
		sign = -1
	}
	// The digits of strings.ReplaceAll(z[1:], ":", ""), without the copy.
	var d [4]byte
	n := 0
	for i := 1; i < len(z); i++ {
		c := z[i]
		if c == ':' {
			continue
		}
		if !isDigit(c) || n == len(d) {
			return 0, false
		}
		d[n] = c
		n++
	}
	if n != 4 && n != 2 {
		return 0, false
	}
	h, m := int(d[0]-'0')*10+int(d[1]-'0'), 0
	if n == 4 {
		m = int(d[2]-'0')*10 + int(d[3]-'0')
	}
	if h > 23 || m > 59 {
		return 0, false
	}
	return sign * (h*3600 + m*60), true
}
