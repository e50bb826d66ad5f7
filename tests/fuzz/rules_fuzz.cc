// libFuzzer: a rules text of arbitrary bytes set on a small fixed model
// (parse, compile, check, and when accepted compute every derived cell,
// read a grid and write an input). Any Status is fine; a crash, a hang, an
// uncaught exception or a sanitizer report is not. A refusal with a place
// must show the line with a caret.
#include <cstdint>
#include <string_view>

#include "fuzz_model.h"
#include "quantatom/rules.h"

namespace {

using namespace quantatom;
using fuzz::Check;
using fuzz::Dim;

std::unique_ptr<Model> FreshModel() {
  auto model = std::make_unique<Model>();
  auto account = Dim("Account",
                     "member,parent,weight,attr:Kind,num:Factor\nTotal,,,,\nUnits,Total,1,a,2\n"
                     "Price,Total,1,b,\nRevenue,Total,1,a,3\nShare,,,,\n");
  auto time = Dim("Time",
                  "member,parent,weight\nAll,,\nY1,All,1\nJan,Y1,1\nFeb,Y1,1\nY2,All,1\n"
                  "Jan2,Y2,1\nFeb2,Y2,1\n");
  auto code = Dim("Code", "member,parent,weight\na,,\nb,,\n");
  for (const auto& d : {account, time, code}) Check(model->AddDimension(d).ok());
  auto cube = Cube::Create("C", {account, time});
  auto rates = Cube::Create("R", {code, time});
  Check(cube.ok() && rates.ok());
  LoadOptions quiet;
  quiet.progress = false;
  Check(LoadFactsText(
            **cube, "Account,Time,Value\nUnits,Jan,2\nUnits,Feb2,3\nPrice,Jan,1.5\nPrice,Jan2,0\n",
            "seed", quiet)
            .ok());
  Check(LoadFactsText(**rates, "Code,Time,Value\na,Jan,2\nb,Feb,0.5\n", "seed", quiet).ok());
  Check(model->AddCube(*cube).ok());
  Check(model->AddCube(*rates).ok());
  return model;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto model = FreshModel();
  RuleCheck check = CheckRules(*model, "C", text);
  if (check.line > 0) Check(check.excerpt.find('^') != std::string::npos);
  if (!SetRules(*model, "C", std::string(text)).ok()) return 0;
  Check(check.status.ok());
  auto cube = model->FindCube("C");
  ViewSpec view;
  view.cube = "C";
  view.rows.push_back({"Account", {"members()"}});
  view.columns.push_back({"Time", {"members()"}});
  auto grid = cube->Query(view);
  Check(grid.ok() || grid.status().code() == StatusCode::kLimitExceeded);
  WriteBatch batch;
  batch.Set({*cube->dimensions()[0]->Find("Units"), *cube->dimensions()[1]->Find("Feb")}, 4);
  Status written = WriteWithRules(*model, "C", batch);
  Check(written.ok() || written.code() == StatusCode::kFailedPrecondition);
  return 0;
}
