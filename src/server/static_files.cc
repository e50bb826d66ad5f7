#include "server/static_files.h"

#include <fstream>
#include <sstream>

#include "server/router.h"

namespace quantatom::server {
namespace fs = std::filesystem;
namespace {

constexpr uintmax_t kFileBytesMax = uintmax_t{32} << 20;

std::string ContentType(const fs::path& file) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  };
  const std::string ext = file.extension().string();
  for (const auto& [e, type] : kTypes)
    if (ext == e) return type;
  return "application/octet-stream";
}

bool StartsWith(const fs::path& path, const fs::path& prefix) {
  auto p = path.begin();
  for (auto q = prefix.begin(); q != prefix.end(); ++q, ++p)
    if (p == path.end() || *p != *q) return false;
  return true;
}

ApiError NotFound(const HttpRequest& req) {
  return ApiError(404, "NOT_FOUND", "no file at " + req.path);
}

}  // namespace

Result<std::unique_ptr<StaticFiles>> StaticFiles::Open(const std::string& dir) {
  std::error_code ec;
  fs::path root = fs::canonical(dir, ec);
  if (ec || !fs::is_regular_file(root / "index.html", ec))
    return Status::NotFound("--web " + dir + ": no index.html there (build the web app: " +
                            "npm --prefix web run build)");
  return std::unique_ptr<StaticFiles>(new StaticFiles(std::move(root)));
}

bool StaticFiles::Serves(const HttpRequest& req) {
  return req.method == "GET" && req.path != "/api" && req.path.rfind("/api/", 0) != 0;
}

HttpResponse StaticFiles::Answer(const HttpRequest& req) const {
  fs::path relative;
  std::string_view rest = std::string_view(req.path).substr(1);  // paths begin with '/'
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view raw = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    std::string segment;
    if (!PercentDecode(raw, segment) || segment == "." || segment == ".." ||
        segment.find_first_of(std::string_view("/\\\0", 3)) != std::string::npos)
      throw NotFound(req);
    if (!segment.empty()) relative /= segment;
  }
  const bool asset = req.path.rfind("/assets/", 0) == 0;
  std::error_code ec;
  fs::path file = fs::canonical(root_ / relative, ec);
  if (!ec && fs::is_regular_file(file, ec)) {
    if (!StartsWith(file, root_)) throw NotFound(req);
    return FileResponse(file, asset);
  }
  if (asset) throw NotFound(req);
  return FileResponse(root_ / "index.html", false);
}

HttpResponse StaticFiles::FileResponse(const fs::path& file, bool immutable) const {
  std::error_code ec;
  if (fs::file_size(file, ec) > kFileBytesMax || ec)
    throw ApiError(500, "INTERNAL", "cannot serve " + file.filename().string());
  std::ifstream in(file, std::ios::binary);
  if (!in.is_open()) throw ApiError(500, "IO_ERROR", "cannot read " + file.filename().string());
  std::ostringstream body;
  body << in.rdbuf();
  HttpResponse out;
  out.body = std::move(body).str();
  out.content_type = ContentType(file);
  out.headers.push_back(
      {"Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache"});
  out.headers.push_back({"X-Content-Type-Options", "nosniff"});
  if (file.extension() == ".html")
    out.headers.push_back(
        {"Content-Security-Policy",
         "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
         "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"});
  return out;
}

}  // namespace quantatom::server
