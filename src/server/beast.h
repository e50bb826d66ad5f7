// Boost.Beast and Asio, with OpenSSL for TLS and WebSocket, for the server and its test
// client. GCC 12 reports a boost::optional in Beast's parser as maybe
// uninitialized (a known false positive); the warning is off inside these
// headers only.
#pragma once

#pragma GCC diagnostic push
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#pragma GCC diagnostic pop
