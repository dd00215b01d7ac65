package authres

import "strings"

// Group sorts fields by authserv-id, compared case-insensitively (an
// authserv-id is usually a domain name). Keys are lower-case; each slice
// keeps the order of fields, so with fields in header order (topmost
// first) the first field of each group is that receiver's latest. Nil fields
// are skipped.
func Group(fields []*Field) map[string][]*Field {
	out := map[string][]*Field{}
	for _, f := range fields {
		if f == nil {
			continue
		}
		k := strings.ToLower(f.AuthServID)
		out[k] = append(out[k], f)
	}
	return out
}

// Receiving returns the fields written by the receiving server: those whose
// authserv-id equals authservID, or, when authservID is "", those of the
// topmost field's authserv-id. fields must be in header order, topmost first.
//
// RFC 8601 §5: only fields added by the receiver's own ADMD may be trusted,
// and §7.1 says a receiver removes or renames forged ones with its own id;
// so the topmost field is the receiver's only when the caller knows the
// message came straight from it. Pass the id when it is known.
func Receiving(fields []*Field, authservID string) []*Field {
	if authservID == "" {
		for _, f := range fields {
			if f != nil {
				authservID = f.AuthServID
				break
			}
		}
	}
	return Group(fields)[strings.ToLower(authservID)]
}

// Results returns the methods of fields in order, field after field: the
// receiver's verdicts when fields come from Receiving.
func Results(fields []*Field) []Method {
	var out []Method
	for _, f := range fields {
		if f != nil {
			out = append(out, f.Results...)
		}
	}
	return out
}
