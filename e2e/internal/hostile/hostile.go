// Package hostile turns any emulator into a malicious server (issue 13) and checks what the
// action did with its answers. In hostile mode every string field of every answer, success
// and error alike, carries Payload: forged workflow commands on new lines (\n and a bare \r),
// the runner's legacy ##[ form, and Markdown and HTML that would render in the job summary.
// Each emulator wraps its handler with a Mode once; no emulator writes its own copy.
package hostile

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
)

// Marker starts every forged annotation's text and is in every piece of markup, so a check can
// tell them from the action's own.
const Marker = "HOSTILE"

// Evil is the host of every link and image in Payload.
const Evil = "evil.example"

// Payload is appended to every string a hostile emulator answers.
const Payload = "\n::set-output name=x::y" +
	"\n::save-state name=files::../../.bashrc" +
	"\n::save-state name=secret_env::PATH" +
	"\n::warning::" + Marker + " forged warning" +
	"\r::set-output name=cr::" + Marker +
	"\r\n  ::error::" + Marker + " indented" +
	"\nsee ##[set-output name=legacy;]" + Marker +
	"\n[" + Marker + " click here](https://" + Evil + "/phish) ![" + Marker + "](https://" + Evil + "/pixel.gif)" +
	" <img src=\"https://" + Evil + "/track.gif\"> <details open><summary>" + Marker + "</summary>x</details>" +
	" <a href=\"https://" + Evil + "/a\">" + Marker + "</a> `" + Marker + "` ``` " + Marker +
	"\n```\n</details>\n# " + Marker + " heading https://" + Evil + "/autolink"

// Mode is an emulator's hostile switch (off until Set).
type Mode struct {
	on      atomic.Bool
	tainted atomic.Int64
}

// Tainted counts the answers served with Payload, so a test can tell its hostile text was
// actually sent.
func (m *Mode) Tainted() int { return int(m.tainted.Load()) }

// Set turns hostile mode on or off.
func (m *Mode) Set(on bool) { m.on.Store(on) }

// On reports whether hostile mode is on.
func (m *Mode) On() bool { return m.on.Load() }

// Wrap returns next, whose answers, in hostile mode, have Payload appended to every string
// field: JSON strings (in objects and arrays), XML element text, or the whole body of any
// other type. keep names the fields (JSON keys, XML element names) left alone: the secrets
// the emulator registered (a changed secret is a different secret; item 9 tests those) and
// the values the action's clients must parse to get as far as printing anything (timestamps,
// token types, the error codes that pick a diagnosis); a field it kept is tainted in no path,
// so each emulator's list is short and says why.
func (m *Mode) Wrap(next http.Handler, keep Keep) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !m.On() {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := Taint(rec.Body.Bytes(), rec.Header().Get("Content-Type"), func(field []string) bool {
			return keep != nil && keep(r, field)
		})
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		if len(body) != rec.Body.Len() {
			m.tainted.Add(1)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

// Keep reports whether the string at field (the JSON keys or XML element names from the top,
// array positions left out) of the answer to r stays as it is.
type Keep func(r *http.Request, field []string) bool

// Fields keeps the strings whose own key or element is one of names, at any depth.
func Fields(names ...string) Keep {
	kept := map[string]bool{}
	for _, n := range names {
		kept[n] = true
	}
	return func(_ *http.Request, field []string) bool {
		return len(field) > 0 && kept[field[len(field)-1]]
	}
}

// Taint appends Payload to every string of body that kept does not keep.
func Taint(body []byte, contentType string, kept func(field []string) bool) []byte {
	if len(bytes.TrimSpace(body)) == 0 {
		return body
	}
	switch {
	case strings.Contains(contentType, "json"):
		if out, ok := taintJSON(body, kept); ok {
			return out
		}
	case strings.Contains(contentType, "xml"):
		if out, ok := taintXML(body, kept); ok {
			return out
		}
	}
	return append(bytes.Clone(body), Payload...)
}

func taintJSON(body []byte, kept func([]string) bool) ([]byte, bool) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, false
	}
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(walk(v, nil, kept)); err != nil {
		return nil, false
	}
	return b.Bytes(), true
}

func walk(v any, field []string, kept func([]string) bool) any {
	switch v := v.(type) {
	case string:
		if !kept(field) {
			return v + Payload
		}
	case []any:
		for i := range v {
			v[i] = walk(v[i], field, kept)
		}
	case map[string]any:
		for k, x := range v {
			v[k] = walk(x, append(field[:len(field):len(field)], k), kept)
		}
	}
	return v
}

func taintXML(body []byte, kept func([]string) bool) ([]byte, bool) {
	d := xml.NewDecoder(bytes.NewReader(body))
	var b bytes.Buffer
	e := xml.NewEncoder(&b)
	var open []string
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			open = append(open, t.Name.Local)
		case xml.EndElement:
			open = open[:len(open)-1]
		case xml.CharData:
			if len(open) > 0 && !kept(open) && len(bytes.TrimSpace(t)) > 0 {
				tok = xml.CharData(string(t) + Payload)
			}
		}
		if err := e.EncodeToken(tok); err != nil {
			return nil, false
		}
	}
	if err := e.Flush(); err != nil {
		return nil, false
	}
	return b.Bytes(), true
}
