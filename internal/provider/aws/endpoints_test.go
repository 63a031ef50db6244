package aws

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/retry"
)

// recorder answers nothing and keeps the URL the SDK asked for.
type recorder struct{ got *url.URL }

var errRecorded = errors.New("recorded")

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.got = req.URL
	return nil, errRecorded
}

// TestEndpointsIsWhatTheSDKCalls: the endpoint login preconnects is the scheme and host the
// SDK's STS call then goes to, in each partition and with aws-sts-endpoint.
func TestEndpointsIsWhatTheSDKCalls(t *testing.T) {
	t.Parallel()
	for _, in := range []config.MapInputs{
		{"aws-role-arn": "arn:aws:iam::111111111111:role/ci", "aws-region": "eu-west-1"},
		{"aws-role-arn": "arn:aws-cn:iam::111111111111:role/ci", "aws-region": "cn-north-1"},
		{"aws-role-arn": "arn:aws-us-gov:iam::111111111111:role/ci", "aws-region": "us-gov-west-1"},
		{"aws-role-arn": "arn:aws:iam::111111111111:role/ci", "aws-region": "us-east-1", "aws-sts-endpoint": "https://sts.example.internal:8443"},
	} {
		c, err := Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		p := &Provider{cfg: c}
		e := p.Endpoints()
		if len(e) != 1 {
			t.Fatalf("%v: endpoints %v", in, e)
		}
		want, err := url.Parse(e[0])
		if err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		env := provider.Env{HTTP: &http.Client{Transport: rec}, Retry: retry.ForStep(1, retry.MaxAttemptTimeout)}
		if _, err := p.assume(context.Background(), &idtoken.Token{Raw: "x.y.z"}, env); err == nil || rec.got == nil {
			t.Fatalf("%v: the SDK sent no request (%v)", in, err)
		}
		if rec.got.Scheme != want.Scheme || rec.got.Host != want.Host {
			t.Errorf("%v: preconnects %s://%s, the SDK calls %s://%s", in, want.Scheme, want.Host, rec.got.Scheme, rec.got.Host)
		}
	}
}
