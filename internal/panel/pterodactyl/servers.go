package pterodactyl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
)

// maxCachedLimits bounds the limits cache; past it the cache starts over.
const maxCachedLimits = 2048

// limitsAt is a server's memory and disk limits (MiB) and when they were read.
type limitsAt struct {
	memMB, diskMB int64
	at            time.Time
}

// Servers lists every server the key can see (owned or shared), following
// the pagination, at most 50 pages of 100. The pages share one timeout.
func (c *Client) Servers(ctx context.Context) ([]panel.Server, error) {
	const op = "list servers"
	ctx, cancel := c.api.Bound(ctx)
	defer cancel()
	var all []panel.Server
	seen := make(map[string]limitsAt)
	for page := 1; page <= maxPages; page++ {
		lr, err := c.listPage(ctx, op, page)
		if err != nil {
			return nil, withOp(err, op)
		}
		if all, err = c.appendPage(all, seen, lr); err != nil {
			return nil, withOp(err, op)
		}
		if len(lr.Data) == 0 || lr.Meta.Pagination.TotalPages <= page {
			break
		}
	}
	c.storeLimits(seen)
	if all == nil {
		all = []panel.Server{}
	}
	return all, nil
}

// appendPage adds a page's servers to all and their limits to seen.
func (c *Client) appendPage(all []panel.Server, seen map[string]limitsAt, lr listResponse) ([]panel.Server, error) {
	for _, o := range lr.Data {
		a := o.Attributes
		if !validID(a.Identifier) {
			return nil, c.badResponse(http.StatusOK, "a listed server has no valid identifier")
		}
		all = append(all, a.server())
		seen[a.Identifier] = a.limits(c.api.Now())
		if a.UUID != "" {
			seen[a.UUID] = a.limits(c.api.Now())
		}
	}
	return all, nil
}

func (c *Client) listPage(ctx context.Context, op string, page int) (listResponse, error) {
	var lr listResponse
	err := c.do(ctx, op, http.MethodGet, fmt.Sprintf("?page=%d&per_page=%d&include=allocations", page, perPage), nil, &lr)
	if errors.Is(err, panel.ErrNotFound) {
		// The list route always exists on a panel: a 404 means PANEL_URL is
		// something else.
		return lr, c.badResponse(http.StatusNotFound, "no server list at /api/client")
	}
	if err != nil {
		return lr, err
	}
	if lr.Object != "list" {
		return lr, c.badResponse(http.StatusOK, fmt.Sprintf("the server list has object %q, not \"list\"", clip(lr.Object, 40)))
	}
	if cp := lr.Meta.Pagination.CurrentPage; cp != 0 && cp != page {
		return lr, c.badResponse(http.StatusOK, fmt.Sprintf("asked for page %d of the server list, got page %d", page, cp))
	}
	return lr, nil
}

// serverLimits returns a server's limits, from the cache when fresh, else
// from the details endpoint: /resources does not carry them.
func (c *Client) serverLimits(ctx context.Context, op, id string) (limitsAt, error) {
	c.mu.Lock()
	l, ok := c.limits[id]
	c.mu.Unlock()
	if ok && c.api.Now().Sub(l.at) < limitsTTL {
		return l, nil
	}
	var d serverObject
	if err := c.do(ctx, op, http.MethodGet, "/servers/"+url.PathEscape(id), nil, &d); err != nil {
		return limitsAt{}, err
	}
	if d.Object != "server" {
		return limitsAt{}, withOp(c.badResponse(http.StatusOK, fmt.Sprintf("server details have object %q, not \"server\"", clip(d.Object, 40))), op)
	}
	l = d.Attributes.limits(c.api.Now())
	c.storeLimits(map[string]limitsAt{id: l})
	return l, nil
}

func (c *Client) storeLimits(m map[string]limitsAt) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.limits)+len(m) > maxCachedLimits {
		c.limits = make(map[string]limitsAt)
	}
	for id, l := range m {
		c.limits[id] = l
	}
}
