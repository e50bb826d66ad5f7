// The web app's production build (web/dist) served at "/" beside the API:
// its files as they are, and index.html for any other path outside /api so
// the app's own routing works after a reload. Static files only, so no
// token is asked for, as for /healthz.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "quantatom/status.h"
#include "server/api.h"

namespace quantatom::server {

class StaticFiles {
 public:
  // Refused unless `dir` is a directory holding index.html.
  static Result<std::unique_ptr<StaticFiles>> Open(const std::string& dir);

  // Whether a request that matched no route is for the web app: a GET of a
  // path outside /api/.
  static bool Serves(const HttpRequest& req);

  // The file at the request's path: hashed build assets (under /assets/)
  // with a year-long immutable cache, everything else revalidated. A path
  // with no file gives index.html, but under /assets/ it is 404 NOT_FOUND
  // (a stale page must not get HTML for a script). A path leaving the
  // directory ("..", an encoded '/', a symbolic link pointing out) is 404.
  HttpResponse Answer(const HttpRequest& req) const;

 private:
  explicit StaticFiles(std::filesystem::path root) : root_(std::move(root)) {}
  HttpResponse FileResponse(const std::filesystem::path& file, bool immutable) const;

  std::filesystem::path root_;  // canonical
};

}  // namespace quantatom::server
