#pragma once
// The web status page, /ui/: a read-only page (plain HTML, CSS and JavaScript compiled into the
// binary; no CDN, no build step) that polls the admin endpoint (/admin/v1/status,
// /admin/v1/messages and /admin/v1/alerts) every few seconds. The page itself holds no data and is
// served without authentication; every request it makes carries the admin key, which the operator
// types once (kept in the tab's sessionStorage) or passes in the fragment: /ui/#key=... (never sent
// to the server in the URL). The fragment may also open a message's history or an alert
// notification's messages: #key=...&message=ID, #key=...&alert=ID.

#include <string_view>

#include "http-frontend/api_handler.hpp"

namespace bindery::http {

// `file`: "" or "index.html" for the page, "app.js", "style.css"; anything else is a 404.
Response ui_response(const Request& req, std::string_view file);

}  // namespace bindery::http
