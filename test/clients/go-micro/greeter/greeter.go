// Package greeter is the one handler the go-micro service serves and the client calls (JSON codec).
package greeter

import "context"

type Request struct {
	Name string `json:"name"`
}

type Response struct {
	Greeting string `json:"greeting"`
	Node     string `json:"node"`
}

type Greeter struct{ Node string }

func (g *Greeter) Hello(_ context.Context, req *Request, rsp *Response) error {
	rsp.Greeting = "hello " + req.Name
	rsp.Node = g.Node
	return nil
}
