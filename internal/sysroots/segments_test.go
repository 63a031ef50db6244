package sysroots

import (
	"bytes"
	"encoding/pem"
	"os"
	"reflect"
	"strings"
	"testing"
)

// bySegment decodes data one pem.Decode call at a time, as encoding/pem does, and returns the
// blocks AppendCertsFromPEM would take from each call, and where each call left off.
func bySegment(data []byte) (blocks [][][]byte, cuts []int) {
	cuts = []int{0}
	rest := data
	for len(rest) > 0 {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		var got [][]byte
		if b.Type == "CERTIFICATE" && len(b.Headers) == 0 {
			got = [][]byte{b.Bytes}
		}
		blocks = append(blocks, got)
		cuts = append(cuts, len(data)-len(rest))
	}
	if cuts[len(cuts)-1] != len(data) {
		blocks, cuts = append(blocks, nil), append(cuts, len(data))
	}
	return blocks, cuts
}

// FuzzSegments checks what decoded relies on, against encoding/pem itself: a run of segments
// decoded alone gives exactly the blocks it gave in place, holds finds every run, and
// decodeBlocks gives what AppendCertsFromPEM takes.
func FuzzSegments(f *testing.F) {
	cert := func(b string) string { return "-----BEGIN CERTIFICATE-----\n" + b + "\n-----END CERTIFICATE-----\n" }
	for _, s := range []string{
		cert("AQID") + cert("BAUG") + "tail",
		"junk\n" + cert("AQID") + "-----BEGIN CERTIFICATE-----\n" + cert("BAUG"),
		cert("AQID") + "-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\nAQID\n-----END CERTIFICATE-----\n" + cert("!!!!") + cert("BAUG"),
		"-----BEGIN KEY-----\nAQID\n-----END KEY-----\r\n" + cert("AQ ID") + "-----END CERTIFICATE-----\n" + cert("BAUG")[:40],
		cert("AQID") + "-----END CERTIFICATE----- x\n" + cert("BAUG"),
	} {
		f.Add([]byte(s), uint8(0), uint8(2))
	}
	long := cert(strings.Repeat("AQIDBAUG", 20))
	f.Add([]byte(long+"x\n"+long+long[:100]+long), uint8(0), uint8(3))
	if debian, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt"); err == nil && len(debian) > 6000 {
		f.Add(debian[:6000], uint8(1), uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, a, b uint8) {
		segs, cuts := bySegment(data)
		var all [][]byte
		for _, s := range segs {
			all = append(all, s...)
		}
		got, d := decodeBlocks(nil, data)
		if !reflect.DeepEqual(got, all) || !reflect.DeepEqual(got, appendBlocks(nil, data)) || !reflect.DeepEqual(d.cuts, cuts) {
			t.Fatalf("decodeBlocks: %d blocks cut at %v; want %d cut at %v", len(got), d.cuts, len(all), cuts)
		}
		i, j := int(a)%len(cuts), int(b)%len(cuts)
		if i > j {
			i, j = j, i
		}
		if i == j {
			return
		}
		var want [][]byte
		for _, s := range segs[i:j] {
			want = append(want, s...)
		}
		run := data[cuts[i]:cuts[j]]
		if alone := appendBlocks(nil, run); !reflect.DeepEqual(alone, want) {
			t.Fatalf("the run %d..%d decoded alone gives %d blocks, %d in place", i, j, len(alone), len(want))
		}
		if len(run) >= prefixLen && !d.holds(run) { // a shorter one is only decoded again
			t.Fatalf("holds misses the run %d..%d", i, j)
		}
	})
}

// TestHoldsOnlyRuns: a text that is no run of segments is not held (it is then decoded).
func TestHoldsOnlyRuns(t *testing.T) {
	b64 := strings.Repeat("AQIDBAUG", 16)
	one := "-----BEGIN CERTIFICATE-----\n" + b64 + "\n-----END CERTIFICATE-----\n"
	two := "-----BEGIN CERTIFICATE-----\n" + b64[8:] + "AQID\n-----END CERTIFICATE-----\n"
	_, d := decodeBlocks(nil, []byte(one+two))
	for _, text := range []string{one, two, one + two} {
		if !d.holds([]byte(text)) {
			t.Errorf("%q is a run, not held", text)
		}
	}
	for _, text := range []string{"", one[:20], one + "\n", one[1:], two + one, "x" + one} {
		if d.holds([]byte(text)) {
			t.Errorf("%q is no run, but held", text)
		}
	}
}

// FuzzNextBlock holds nextBlock to pem.Decode: the same block (the DER AppendCertsFromPEM
// would take, or none), the same rest, for the usual form it decodes itself and for anything
// else.
func FuzzNextBlock(f *testing.F) {
	cert := func(b string) string { return "-----BEGIN CERTIFICATE-----\n" + b + "\n-----END CERTIFICATE-----" }
	for _, s := range []string{
		cert("AQID") + "\n", cert("AQID"), cert("AQID") + "\nrest", cert("AQID\nBAUG") + "\n" + cert("BAUG"),
		cert("AQID\n") + "\n", cert("\n\n") + "\n", cert("") + "\n", cert("AQ==AQID") + "\n", cert("AQ ID") + "\n",
		cert("AQID\r") + "\r\n", "-----BEGIN CERTIFICATE-----\r\nAQID\r\n-----END CERTIFICATE-----\r\n",
		cert("AQID") + " \n", cert("AQID") + "x\n", cert("Proc-Type: 4,ENCRYPTED\n\nAQID") + "\n",
		"-----BEGIN CERTIFICATE-----\n" + cert("AQID") + "\n", cert("AQID\n-----END KEY-----\nBAUG") + "\n",
		"x" + cert("AQID") + "\n", "\n" + cert("AQID") + "\n", cert("A") + "\n", cert("!!!!") + "\n",
		"-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE----", "-----BEGIN KEY-----\nAQID\n-----END KEY-----\n",
	} {
		f.Add([]byte(s))
	}
	if debian, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt"); err == nil && len(debian) > 4000 {
		f.Add(debian[:4000])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		der, rest, ok := nextBlock(data)
		b, wantRest := pem.Decode(data)
		var want []byte
		if b != nil && b.Type == "CERTIFICATE" && len(b.Headers) == 0 {
			want = b.Bytes
		}
		if ok != (b != nil) || !bytes.Equal(der, want) || (der == nil) != (want == nil) || len(rest) != len(wantRest) || !bytes.Equal(rest, wantRest) {
			t.Fatalf("nextBlock(%q) = %q, %d bytes left, %v; pem.Decode gives %q, %d bytes left", data, der, len(rest), ok, want, len(wantRest))
		}
	})
}
