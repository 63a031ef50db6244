package aws

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// answerError is a 200 that is not an STS answer at all. It is final: a captive portal or a
// misrouted proxy gives the same page on the next try.
type answerError struct{ fault string }

func (e *answerError) Error() string { return e.fault }

// answerCheck sits just outside the transport and names an empty or non-XML 200 for what it
// is, where the SDK would report an XML parse error of an HTML page, or no credentials.
type answerCheck struct{}

func (answerCheck) ID() string { return "oidc-login/answerCheck" }

func (answerCheck) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleDeserialize(ctx, in)
	if err != nil {
		return out, md, err
	}
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	if !ok || resp.StatusCode != 200 {
		return out, md, nil
	}
	// Peek, not read: the SDK's deserializer reads the body after us.
	body := bufio.NewReader(resp.Body)
	if _, perr := body.Peek(1); perr == io.EOF {
		return out, md, &answerError{"empty answer (HTTP 200)"}
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{body, resp.Body}
	if ct := resp.Header.Get("Content-Type"); ct != "" && !strings.Contains(strings.ToLower(ct), "xml") {
		return out, md, &answerError{fmt.Sprintf("expected an XML answer, got Content-Type %q (HTTP 200)", ct)}
	}
	return out, md, nil
}

// addAnswerCheck installs answerCheck as the innermost deserialize step, next to the transport.
func addAnswerCheck(s *middleware.Stack) error {
	return s.Deserialize.Add(answerCheck{}, middleware.After)
}
