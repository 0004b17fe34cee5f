package simkit

import "strings"

// Pterodactyl and ServerPrism are both built on Laravel; its router says
// the same words on both when a request matches no route.

// LaravelRouteNotFound is the message of Laravel's 404 for a path no route
// matches.
func LaravelRouteNotFound(path string) string {
	return "The route " + strings.TrimPrefix(path, "/") + " could not be found."
}

// LaravelMethodNotAllowed is the message of Laravel's 405 for a route asked
// with another method than allowed (the list as the route has it, e.g.
// "GET, HEAD").
func LaravelMethodNotAllowed(method, path, allowed string) string {
	return "The " + method + " method is not supported for route " + strings.TrimPrefix(path, "/") +
		". Supported methods: " + allowed + "."
}
