package config

import (
	"strings"
	"testing"
)

func TestBoolAndInt(t *testing.T) {
	t.Parallel()
	in := MapInputs{"a": "TRUE", "b": "False", "c": "1", "n": " 42 ", "bad": "4x"}
	if v, err := Bool(in, "a", false); !v || err != nil {
		t.Errorf("TRUE = %v %v", v, err)
	}
	if v, err := Bool(in, "b", true); v || err != nil {
		t.Errorf("False = %v %v", v, err)
	}
	if _, err := Bool(in, "c", true); err == nil || err.Error() != `input c: must be true or false, got "1"` {
		t.Errorf("1 as a boolean: %v", err)
	}
	if v, err := Int(in, "n", 0, 1, 100); v != 42 || err != nil {
		t.Errorf("Int = %v %v", v, err)
	}
	if _, err := Int(in, "bad", 0, 1, 100); err == nil {
		t.Errorf("4x accepted")
	}
	if v, _ := Int(in, "missing", 7, 1, 100); v != 7 {
		t.Errorf("default = %d", v)
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"https://sts.eu-west-1.amazonaws.com/": "",
		"http://127.0.0.1:8080":                "",
		"http://localhost:1234/x":              "",
		"http://[::1]:99":                      "",
		"http://127.8.9.10":                    "",
		"http://10.0.0.1":                      "must use https://",
		"http://sts.amazonaws.com":             "must use https://",
		// A job's service containers, by their single-label names (on the job's network).
		"http://localstack:4566":   "",
		"http://vault:8200/":       "",
		"http://LocalStack:4566":   "",
		"http://my_service-2:8080": "",
		"http://vault":             "",
		// Dotted names go through public DNS, and a trailing dot makes a name absolute.
		"http://localstack.":         "must use https://",
		"http://vault.internal:8200": "must use https://",
		"http://localhost.evil.com":  "must use https://",
		// Addresses that are not loopback, in every spelling the resolver might accept.
		"http://8.8.8.8":                    "must use https://",
		"http://[2001:4860:4860::8888]":     "must use https://",
		"http://[fe80::1%25eth0]":           "must use https://",
		"http://134744072":                  "must use https://",
		"http://0x08080808":                 "must use https://",
		"http://0x":                         "must use https://",
		"http://-vault":                     "must use https://",
		"http://vault-":                     "must use https://",
		"http://" + strings.Repeat("a", 64): "must use https://",
		"https://vault:8200":                "",
		"ftp://x":                           "must be an https:// URL",
		"https://user:pw@host":              "must not carry credentials",
		"sts.amazonaws.com":                 "must be an absolute https:// URL",
	}
	// As the Docker action: the runner sets HOME=/github/home in its container.
	docker := func(v string) EnvInputs {
		return func(k string) string {
			return map[string]string{"INPUT_E": v, "HOME": "/github/home"}[k]
		}
	}
	for v, want := range cases {
		got, err := URL(docker(v), "e", "")
		switch {
		case want == "" && err != nil:
			t.Errorf("URL(%q): %v", v, err)
		case want == "" && strings.HasSuffix(got, "/"):
			t.Errorf("URL(%q) = %q keeps the trailing slash", v, got)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("URL(%q) error = %v, want %q", v, err, want)
		}
	}
}

// TestURLOneWordNameOnTheHost: where the step runs on the runner host (the native action, a
// local run, inputs that do not say), plain http to a one-word name is an input error that
// says where such a name works and what to write instead; loopback and https still pass.
func TestURLOneWordNameOnTheHost(t *testing.T) {
	t.Parallel()
	native := EnvInputs(func(k string) string {
		return map[string]string{"INPUT_VAULT-URL": "http://vault:8200", "INPUT_STAGE": "main", "HOME": "/home/runner"}[k]
	})
	hosts := map[string]Inputs{
		"native": native, "map": MapInputs{"vault-url": "http://vault:8200"},
		"said": WithJobNetwork(MapInputs{"vault-url": "http://vault:8200"}, false),
		"act native": EnvInputs(func(k string) string {
			return map[string]string{"INPUT_VAULT-URL": "http://vault:8200", "INPUT_STAGE": "main", "ACT": "true"}[k]
		}),
	}
	want := `input vault-url: plain http to the one-word name "vault" reaches a job's service container only from the Docker action (uses: oidc-login/oidc-login@v1) or a job container; this step runs on the runner host, where the name would go to the host's resolver and its search domains, with the ID token in clear. Use https, or http://localhost:<published port>; got "http://vault:8200"`
	for name, in := range hosts {
		if _, err := URL(in, "vault-url", ""); err == nil || err.Error() != want {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	for name, in := range map[string]Inputs{
		"job container": EnvInputs(func(k string) string {
			return map[string]string{"INPUT_VAULT-URL": "http://vault:8200", "INPUT_STAGE": "main", "HOME": "/github/home"}[k]
		}),
		"act docker": EnvInputs(func(k string) string {
			return map[string]string{"INPUT_VAULT-URL": "http://vault:8200", "ACT": "true"}[k]
		}),
		"said": WithJobNetwork(MapInputs{"vault-url": "http://vault:8200"}, true),
	} {
		if got, err := URL(in, "vault-url", ""); err != nil || got != "http://vault:8200" {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	for _, v := range []string{"http://127.0.0.1:8200", "http://localhost:8200", "https://vault:8200"} {
		if _, err := URL(MapInputs{"e": v}, "e", ""); err != nil {
			t.Errorf("on the host %s: %v", v, err)
		}
	}
}

func TestListsAndNames(t *testing.T) {
	t.Parallel()
	if got := strings.Join(List(" a, b\nc\t"), "|"); got != "a|b|c" {
		t.Errorf("List = %s", got)
	}
	if got := strings.Join(Lines("arn:a b,\n arn:c \n"), "|"); got != "arn:a b|arn:c" {
		t.Errorf("Lines = %s", got)
	}
	for name, ok := range map[string]bool{"OIDC_TOKEN": true, "_x1": true, "1X": false, "A-B": false, "A B": false, "": false} {
		if err := EnvName("n", name); (err == nil) != ok {
			t.Errorf("EnvName(%q) = %v", name, err)
		}
	}
}
