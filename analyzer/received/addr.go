package received

import "net/netip"

// reserved lists the special-purpose ranges of the IANA IPv4 and IPv6
// Special-Purpose Address Registries (RFC 6890 and its updates) that
// netip.Addr's predicates do not already cover. None of them is a public
// mail client: a hop from one is internal.
//
// The documentation ranges (RFC 5737 192.0.2.0/24, 198.51.100.0/24,
// 203.0.113.0/24; RFC 3849 2001:db8::/32; RFC 9637 3fff::/20) are left out on
// purpose and count as public: sanitised bounces, examples and test fixtures
// put them where a real public address stood, and no live MTA connects from
// them, so treating them as internal would only hide the first-external hop
// of every such message.
var reserved = func() []netip.Prefix {
	var ps []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",      // RFC 791 "this network"
		"100.64.0.0/10",  // RFC 6598 shared address space (CGNAT)
		"192.0.0.0/24",   // RFC 6890 IETF protocol assignments
		"198.18.0.0/15",  // RFC 2544 benchmarking
		"240.0.0.0/4",    // RFC 1112 reserved, includes broadcast
		"64:ff9b:1::/48", // RFC 8215 local-use IPv4/IPv6 translation
		"100::/64",       // RFC 6666 discard-only
		"fec0::/10",      // RFC 3879 deprecated site-local
		"2001:2::/48",    // RFC 5180 benchmarking
		"5f00::/16",      // RFC 9602 SRv6 SIDs
	} {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return ps
}()

// reserved4 and reserved6 are the IPv4 and IPv6 prefixes of reserved.
var reserved4, reserved6 = func() (v4, v6 []netip.Prefix) {
	for _, p := range reserved {
		if p.Addr().Is4() {
			v4 = append(v4, p)
		} else {
			v6 = append(v6, p)
		}
	}
	return v4, v6
}()

// IsPrivate reports whether ip is private (RFC 1918, RFC 4193), loopback,
// link-local, unspecified, multicast, CGNAT (RFC 6598) or otherwise reserved
// for special purposes (RFC 6890), that is, not the address of a host on the
// public Internet. Documentation addresses count as public (see reserved). IPv4-mapped
// IPv6 addresses are judged as IPv4.
func IsPrivate(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	ip = ip.Unmap()
	if ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	// Prefix.Contains is false across address families; looking only at
	// the right family's prefixes halves the work.
	ranges := reserved6
	if ip.Is4() {
		ranges = reserved4
	}
	for _, p := range ranges {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
