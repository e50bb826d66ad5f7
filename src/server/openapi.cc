// The OpenAPI 3 document, generated from the route table the dispatcher
// uses, so it lists exactly the routes the server answers.
#include "server/routes.h"

namespace quantatom::server {
namespace {

std::vector<std::string> PathParams(const std::string& pattern) {
  std::vector<std::string> out;
  for (size_t open = pattern.find('{'); open != std::string::npos;
       open = pattern.find('{', open + 1))
    out.push_back(pattern.substr(open + 1, pattern.find('}', open) - open - 1));
  return out;
}

std::string OperationId(const Route& route) {
  std::string id = route.method;
  for (char c : route.pattern) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return id;
}

json Operation(const Route& route) {
  json params = json::array();
  for (const std::string& p : PathParams(route.pattern))
    params.push_back(
        {{"name", p}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
  for (const std::string& q : route.query_params)
    params.push_back(
        {{"name", q}, {"in", "query"}, {"required", false}, {"schema", {{"type", "string"}}}});
  json error = {
      {"description", "An error: {\"error\": {\"code\", \"message\"}}"},
      {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
  json op = {
      {"summary", route.summary},
      {"operationId", OperationId(route)},
      {"parameters", params},
      {"responses",
       {{std::to_string(route.success_status), {{"description", "Success"}}}, {"default", error}}}};
  if (route.bulk_body)
    op["requestBody"] = {{"required", true},
                         {"content",
                          {{"text/csv", {{"schema", {{"type", "string"}}}}},
                           {"application/json", {{"schema", {{"type", "object"}}}}}}}};
  else if (route.has_body)
    op["requestBody"] = {{"required", true},
                         {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
  if (!route.authenticated) op["security"] = json::array();  // no token needed
  return op;
}

}  // namespace

json OpenApiDocument(const Router& router) {
  json paths = json::object();
  for (const Route& route : router.routes()) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[route.pattern][method] = Operation(route);
  }
  json error_schema = {
      {"type", "object"},
      {"required", {"error"}},
      {"properties",
       {{"error",
         {{"type", "object"},
          {"required", {"code", "message"}},
          {"properties", {{"code", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}}}}}};
  return {{"openapi", "3.0.3"},
          {"info",
           {{"title", "QuantatomAI planning server"},
            {"version", "0.1.0"},
            {"description", "See docs/api.md"}}},
          {"paths", paths},
          {"security", {{{"bearer", json::array()}}}},
          {"components",
           {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
            {"schemas", {{"Error", error_schema}}}}}};
}

void AddOpenApiRoute(Router& router) {
  router.Add({"GET",
              "/api/openapi.json",
              "This document",
              true,
              false,
              {},
              false,
              [&router](HttpRequest&, const Principal&) {
                return JsonResponse(200, OpenApiDocument(router));
              }});
}

}  // namespace quantatom::server
