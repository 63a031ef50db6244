package sysroots

// subjectOf returns the raw subject of a DER certificate without parsing the rest of it: the
// bytes crypto/x509 would give as Certificate.RawSubject. It walks the same elements in the
// same order as crypto/x509's parser (parser.go, parseCertificate, go1.26.8) and reads each
// element's tag and length under the same DER rules as cryptobyte, so whenever
// x509.ParseCertificate accepts der, subjectOf finds the same bytes (FuzzSubjectOf checks
// it). When it cannot find them (ok false) the caller parses the certificate in full.
func subjectOf(der []byte) (subject []byte, ok bool) {
	const (
		sequence = 0x30
		integer  = 0x02
		version  = 0xa0 // [0] EXPLICIT, constructed, context-specific
	)
	cert, _, ok := element(der, sequence)
	if !ok {
		return nil, false
	}
	body := contents(cert)
	tbsElem, _, ok := element(body, sequence)
	if !ok {
		return nil, false
	}
	tbs := contents(tbsElem)
	if len(tbs) > 0 && tbs[0] == version {
		if _, tbs, ok = element(tbs, version); !ok {
			return nil, false
		}
	}
	for _, tag := range []byte{integer, sequence, sequence, sequence} { // serial, signature, issuer, validity
		if _, tbs, ok = element(tbs, tag); !ok {
			return nil, false
		}
	}
	subject, _, ok = element(tbs, sequence)
	return subject, ok
}

// element splits the first DER element off s when its tag is tag: the whole element (tag and
// length included) and what follows it. Lengths follow cryptobyte's rules: the long form
// only with one to four length bytes, the shortest encoding, and never indefinite.
func element(s []byte, tag byte) (elem, rest []byte, ok bool) {
	if len(s) < 2 || s[0] != tag {
		return nil, nil, false
	}
	n, header := int(s[1]), 2
	if n&0x80 != 0 {
		lenLen := n & 0x7f
		if lenLen == 0 || lenLen > 4 || len(s) < 2+lenLen {
			return nil, nil, false
		}
		n = 0
		for _, b := range s[2 : 2+lenLen] {
			n = n<<8 | int(b)
		}
		if n < 0x80 || n>>((lenLen-1)*8) == 0 { // the short form, or fewer bytes, would do
			return nil, nil, false
		}
		header += lenLen
	}
	if n > len(s)-header {
		return nil, nil, false
	}
	return s[:header+n], s[header+n:], true
}

// contents is an element's value, without its tag and length.
func contents(elem []byte) []byte {
	if elem[1]&0x80 == 0 {
		return elem[2:]
	}
	return elem[2+int(elem[1]&0x7f):]
}
